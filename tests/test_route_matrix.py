"""Walk every route in the URL map as every role and check each gets what it should.

A new route fails this test until its expected access is written down here: access is
denied by default and every exception is deliberate.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from elearn.auth.roles import Role
from tests.safeguarding.helpers import matrix_params as safeguarding_params

ROLES = ("anonymous", "pupil", "parent", "staff", "dsl", "head", "admin")
LOGIN = "login"  # a redirect to the sign-in page

EVERYONE_SIGNED_IN = {"anonymous": LOGIN, **{r: 200 for r in ROLES[1:]}}


def only(*allowed: str, other: int = 403) -> dict[str, int | str]:
    return {
        role: (LOGIN if role == "anonymous" else 200 if role in allowed else other)
        for role in ROLES
    }


def each(default: int | str, anonymous: int | str = LOGIN, **roles: int | str) -> dict:
    """Every role gets ``default`` except those named."""
    return {"anonymous": anonymous, **{r: roles.get(r, default) for r in ROLES[1:]}}


# endpoint -> (method, expected outcome per role)
EXPECTED: dict[str, tuple[str, dict[str, int | str]]] = {
    "static": ("GET", {r: 200 for r in ROLES}),
    "core.health": ("GET", {r: 200 for r in ROLES}),
    "core.home": ("GET", EVERYONE_SIGNED_IN),
    # The notice in the URL does not exist: nobody may dismiss a notice that is not theirs.
    "core.dismiss": ("POST", each(404)),
    "auth.login": ("GET", {"anonymous": 200, **{r: 302 for r in ROLES[1:]}}),
    "auth.logout": ("POST", {"anonymous": LOGIN, **{r: 302 for r in ROLES[1:]}}),
    # Only someone whose password another person reset stays on this page; others go home.
    "auth.choose_password": ("GET", each(302)),
    # Learning: the world's course is a pupil course (smart-ks2), so others get 404.
    "catalog.index": ("GET", EVERYONE_SIGNED_IN),
    "catalog.media": ("GET", each(404)),
    "catalog.content": ("GET", only("head", "admin")),
    "catalog.preview_lesson": ("GET", only("head", "admin")),
    "catalog.preview_questions": ("GET", only("head", "admin")),
    "learning.course": ("GET", each(404, pupil=200)),
    "learning.lesson": ("GET", each(404, pupil=200)),
    # The world's pupil has not finished the course, so there is no badge yet.
    "learning.badge": ("GET", each(403, pupil=404)),
    "learning.sign_off": ("POST", each(404, pupil=403, parent=403, admin=403)),
    "learning.training_record": ("GET", only("staff", "dsl", "head")),
    "learning.certificate": ("GET", each(403, staff=200, dsl=404, head=404)),
    "learning.verify": ("GET", {r: 200 for r in ROLES}),
    "learning.child": ("GET", only("parent")),
    "learning.child_lesson": ("GET", only("parent")),
    "quiz.start_page": ("GET", each(404, pupil=200)),
    "quiz.start": ("POST", each(404, pupil=302)),
    "quiz.attempt": ("GET", each(404)),
    "quiz.answer": ("POST", each(404)),
    "quiz.submit": ("POST", each(404)),
    "quiz.result": ("GET", each(404)),
    # Safeguarding: the world's report is the pupil's (with a picture); the request and the
    # website report are the staff member's. Posts with empty forms are re-shown (422).
    "safeguarding.start": ("GET", EVERYONE_SIGNED_IN),
    "safeguarding.tell": ("GET", only("pupil")),
    "safeguarding.inappropriate_content": ("GET", only("pupil", "parent", "staff", "dsl", "head")),
    "safeguarding.blocked_access": ("GET", only("staff", "dsl", "head")),
    "safeguarding.contact_attempt": ("GET", only("parent", "staff", "dsl", "head")),
    "safeguarding.cyberbullying": ("GET", only("staff", "dsl", "head")),
    "safeguarding.parent_concern": ("GET", only("parent")),
    "safeguarding.my_report": ("GET", each(404, pupil=200)),
    "safeguarding.inbox": ("GET", only("dsl", "head")),
    "safeguarding.case": ("GET", only("dsl", "head")),
    "safeguarding.assign": ("POST", each(403, dsl=422, head=422)),
    "safeguarding.add_entry": ("POST", each(403, dsl=422, head=422)),
    "safeguarding.add_evidence": ("POST", each(403, dsl=422, head=422)),
    "safeguarding.close": ("POST", each(403, dsl=422, head=422)),
    "safeguarding.reopen": ("POST", each(403, dsl=422, head=422)),
    "safeguarding.decide": ("POST", each(403, head=422)),
    "safeguarding.mark_for_blocking": ("POST", each(403, dsl=302, head=302)),
    "safeguarding.download": ("GET", only("dsl", "head")),
    # The DSL's case fields: 404 for everyone outside the academy's team.
    "safeguarding.set_risk": ("POST", each(404, dsl=422, head=422)),
    "safeguarding.set_category": ("POST", each(404, dsl=422, head=422)),
    "safeguarding.link_pupil": ("POST", each(404, dsl=422, head=422)),
    "safeguarding.add_referral": ("POST", each(404, dsl=422, head=422)),
    "safeguarding.set_follow_up": ("POST", each(404, dsl=422, head=422)),
    # Administration: the world's pupil is the person; heads manage their academy, staff
    # only reset pupils' passwords; the link removed is the pupil's parent.
    "admin.people": ("GET", only("head", "admin")),
    "admin.person_new": ("GET", only("head", "admin")),
    "admin.person": ("GET", only("head", "admin")),
    "admin.person_edit": ("GET", only("head", "admin")),
    "admin.person_role": ("GET", only("admin")),
    # Destructive actions answer a bare post with their confirmation page.
    "admin.person_deactivate": ("POST", each(403, head=200, admin=200)),
    "admin.person_reactivate": ("POST", each(403, head=302, admin=302)),
    "admin.person_password": ("POST", only("staff", "dsl", "head", "admin")),
    "admin.link_add": ("POST", each(403, head=422, admin=422)),
    "admin.link_remove": ("POST", each(403, head=200, admin=200)),
    "admin.academies": ("GET", only("admin")),
    "admin.academy_new": ("GET", only("admin")),
    "admin.academy_edit": ("GET", only("admin")),
    "admin.academy_contact": ("GET", only("head", "admin")),
    "admin.class_list": ("GET", only("staff", "dsl", "head", "admin")),
    "admin.sign_in_cards": ("GET", each(403, staff=302, dsl=302, head=302, admin=302)),
    "admin.import_upload": ("GET", only("admin")),
    # School account sign-ins are the trust's IT business; the world's link is nobody's.
    "admin.sso_sign_ins": ("GET", only("admin")),
    "admin.sso_identity_remove": ("POST", each(403, admin=404)),
    "admin.import_confirm": ("POST", each(403, admin=404)),
    "admin.import_applied": ("GET", each(403, admin=404)),
    "admin.import_template": ("GET", only("admin")),
    # Pupil progress: academy staff see their own academy; an admin first picks one (the
    # download without an academy is a 404).
    "progress.pupils": ("GET", only("staff", "dsl", "head", "admin")),
    "progress.export": ("GET", each(403, staff=200, dsl=200, head=200, admin=404)),
    "privacy.my_data": ("GET", EVERYONE_SIGNED_IN),
    "privacy.export_person": ("POST", only("admin")),
    # The safeguarding lead's copy: the world's pupil is at the leads' academy.
    "privacy.dsl_copy": ("GET", each(403, dsl=200, head=200)),
    "privacy.export_for_dsl": ("POST", each(403, dsl=200, head=200)),
    # A readable copy is shown only to whoever asked for it (the one in the URL is nobody's).
    "privacy.export_page": ("GET", each(404)),
    "privacy.erase_person": ("GET", only("admin")),
    "privacy.retention": ("GET", only("admin")),
    # Single sign-on is not configured in the matrix: its pages do not exist (404).
    "sso.login": ("GET", each(302, anonymous=404)),
    "sso.callback": ("GET", each(302, anonymous=404)),
    # Compliance: leads see their academy, admins every academy and the trust overview (the
    # admin's plain dashboard redirects there); the record is the world's staff member's.
    "compliance.dashboard": ("GET", each(403, dsl=200, head=200, admin=302)),
    "compliance.academy": ("GET", only("dsl", "head", "admin")),
    "compliance.trust": ("GET", only("admin")),
    "compliance.export": ("GET", only("dsl", "head", "admin")),
    "compliance.printable": ("GET", only("dsl", "head", "admin")),
    "compliance.person": ("GET", only("dsl", "head", "admin")),
    "compliance.record_offline": ("GET", only("dsl", "head", "admin")),
    "compliance.remind_overdue": ("GET", only("dsl", "head", "admin")),
    "compliance.remind_person": ("GET", only("dsl", "head", "admin")),
    # xAPI: the LRS authenticates itself (401 without credentials); sessions may read only,
    # and the matrix sends no X-Experience-API-Version header (400). The dead letter and the
    # credential in the URLs do not exist (404 for admins).
    "xapi.about": ("GET", {r: 200 for r in ROLES}),
    "xapi.get_statements": ("GET", each(400)),
    "xapi.post_statements": ("POST", each(403)),
    "xapi.put_statements": ("PUT", each(403)),
    # Documents, activities and agents are for other software's LRS keys: sessions get 403.
    **{
        f"xapi.{method.lower()}_{resource}": (method, each(403))
        for resource in ("state", "activity_profile", "agent_profile")
        for method in ("GET", "PUT", "POST", "DELETE")
    },
    "xapi.get_activity": ("GET", each(403)),
    "xapi.get_agent": ("GET", each(403)),
    "xapi_admin.index": ("GET", only("admin")),
    "xapi_admin.health": ("GET", only("admin")),
    "xapi_admin.retry_dead_letter": ("POST", each(403, admin=404)),
    "xapi_admin.retry_all": ("POST", each(403, admin=302)),
    "xapi_admin.issue_credential": ("POST", each(403, admin=422)),
    "xapi_admin.revoke_credential": ("POST", each(403, admin=404)),
    "xapi_admin.confirm_revoke": ("GET", each(403, admin=404)),
    "xapi_admin.issued_credential": ("GET", each(403, admin=404)),
}


@dataclass
class World:
    """One academy with a person in every role, plus the objects routes need."""

    users: dict[str, object]
    params: dict[str, object]


@pytest.fixture
def world(make, app_config) -> World:
    academy = make.academy("Matrix Academy")
    users = {role.value: make.user(role, None if role is Role.ADMIN else academy) for role in Role}
    make.link(users["parent"], users["pupil"])
    certificate = _certificate_for(make.session, users["staff"])
    params = {
        "filename": "elearn.css",
        "course_id": "smart-ks2",
        "lesson_id": "01-safe",
        "attempt_id": 999_999,
        "position": 1,
        "certificate_id": certificate.id,
        "code": certificate.code,
        "pupil_id": users["pupil"].id,
        "user_id": users["pupil"].id,
        "other_id": users["parent"].id,
        "academy_id": academy.id,
        "staff_id": users["staff"].id,
        "upload_id": 999_999,
        "statement_id": "0b1c7f4e-5d1a-4c8e-9f21-6a3b2c1d0e9f",
        "credential_id": 999_999,
        "notice_id": 999_999,
        "entry_id": 999_999,
        "identity_id": 999_999,
    }
    params.update(safeguarding_params(make.session, users, app_config["DATA_DIR"]))
    return World(users=users, params=params)


def _certificate_for(session, user):
    from datetime import date

    from elearn.learning.models import Certificate, CourseCycle

    cycle = CourseCycle(user_id=user.id, course_id="staff-induction", course_version=1)
    session.add(cycle)
    session.flush()
    certificate = Certificate(
        code="MTRX-TEST-CODE",
        cycle_id=cycle.id,
        user_id=user.id,
        holder_name=user.display_name,
        course_title="Staff induction",
        completed_on=date(2026, 1, 5),
    )
    session.add(certificate)
    session.commit()
    return certificate


def _url(app, rule, params) -> str:
    values = {}
    for name in rule.arguments:
        assert name in params, f"route {rule.rule} needs a sample value for <{name}> in World"
        values[name] = params[name]
    with app.test_request_context():
        from flask import url_for

        return url_for(rule.endpoint, **values)


def test_every_route_has_a_declared_expectation(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    missing = sorted(endpoints - set(EXPECTED))
    assert not missing, f"add these endpoints to EXPECTED: {missing}"


@pytest.mark.parametrize("role", ROLES)
def test_route_matrix(app, world, role):
    failures = []

    def signed_in_client():
        client = app.test_client()
        if role != "anonymous":
            assert client.login(world.users[role].username).status_code == 302
        return client

    # One sign-in serves every route; signing out gets a sign-in of its own, last.
    rules = sorted(app.url_map.iter_rules(), key=lambda r: r.endpoint == "auth.logout")
    shared = signed_in_client()
    for rule in rules:
        method, expected_by_role = EXPECTED[rule.endpoint]
        expected = expected_by_role[role]
        client = signed_in_client() if rule.endpoint == "auth.logout" else shared
        url = _url(app, rule, world.params)
        response = client.open(url, method=method)
        if expected == LOGIN:
            ok = response.status_code in (302, 401) and (
                response.status_code == 401 or "/login" in response.headers.get("Location", "")
            )
        else:
            ok = response.status_code == expected
        if not ok:
            failures.append(f"{method} {url}: expected {expected}, got {response.status_code}")
    assert not failures, "\n".join(failures)


def test_views_without_an_access_declaration_are_closed(app, client):
    @app.get("/undeclared")
    def undeclared():
        return "should never be served"

    assert client.get("/undeclared").status_code == 404
