"""Subject access exports and erasure."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from elearn.audit.models import AuditEntry
from elearn.auth.models import LoginAttempt, ParentLink, User
from elearn.auth.roles import Role
from elearn.db import utcnow
from elearn.privacy import holds, registry
from elearn.privacy.services import ErasureRefused, erase_person, export_person


def family(make):
    academy = make.academy("Oakwood Primary")
    pupil = make.user(
        Role.PUPIL,
        academy,
        display_name="Ruby Shah",
        username="ruby.shah",
        email="ruby@pupils.example",
        roster_id="r-1",
    )
    parent = make.user(Role.PARENT, academy, display_name="Nadia Shah")
    make.link(parent, pupil)
    return academy, pupil, parent


def test_export_holds_everything_about_the_person(app, client, make, db):
    _academy, pupil, _parent = family(make)
    app.test_client().login(pupil.username)
    app.test_client().login(pupil.username, "wrong password")
    admin = make.user(Role.ADMIN)
    client.login(admin.username)

    response = client.post(f"/admin/people/{pupil.id}/export")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    data = json.loads(response.get_data(as_text=True))
    assert data["person"]["name"] == "Ruby Shah"
    assert data["person"]["email"] == "ruby@pupils.example"
    assert data["person"]["learning_record_id"] == pupil.xapi_id
    assert data["academy"]["name"] == "Oakwood Primary"
    assert data["parent_links"]["parents_and_carers"][0]["name"] == "Nadia Shah"
    assert len(data["sign_in"]["sessions"]) == 1
    assert [a["succeeded"] for a in data["sign_in"]["attempts"]] == [True, False]
    # Exporting is itself recorded.
    assert (
        db.scalar(select(AuditEntry).where(AuditEntry.action == "privacy.export")).subject_id
        == pupil.id
    )


def test_other_domains_add_their_part_to_the_export(db, make, extra_registrations):
    _academy, pupil, _parent = family(make)

    @registry.register_exporter("quiz_attempts", tables=())
    def attempts(session, user_id):
        return [{"quiz": "smart-ks2", "user": user_id}]

    data = export_person(db, pupil.id, now=utcnow())
    assert data["quiz_attempts"] == [{"quiz": "smart-ks2", "user": pupil.id}]
    json.dumps(data)  # JSON-ready throughout


def test_only_trust_admins_export_or_erase(client, make):
    academy, pupil, _parent = family(make)
    client.login(make.user(Role.HEAD, academy).username)
    assert client.post(f"/admin/people/{pupil.id}/export").status_code == 403
    assert client.get(f"/admin/people/{pupil.id}/erase").status_code == 403


def test_erasing_removes_personal_details_and_keeps_statistics(app, client, make, db):
    _academy, pupil, _parent = family(make)
    pupil_client = app.test_client()
    pupil_client.login(pupil.username)
    app.test_client().login(pupil.username, "a wrong guess")
    xapi_id = pupil.xapi_id
    client.login(make.user(Role.ADMIN).username)

    page = client.get(f"/admin/people/{pupil.id}/erase").get_data(as_text=True)
    assert "This cannot be undone" in page
    wrong = client.post(f"/admin/people/{pupil.id}/erase", data={"confirm": "someone"})
    assert wrong.status_code == 422
    response = client.post(f"/admin/people/{pupil.id}/erase", data={"confirm": "ruby.shah"})
    assert response.status_code == 302

    db.expire_all()
    erased = db.get(User, pupil.id)
    assert erased.display_name == "Erased person"
    assert erased.username == f"erased-{pupil.id}" and "ruby" not in erased.username
    assert (erased.email, erased.roster_id, erased.password_hash) == (None, None, None)
    assert not erased.active and erased.erased_at is not None
    # Kept for pseudonymous statistics; academy and year would lead back to a small group.
    assert erased.xapi_id == xapi_id
    assert (erased.role, erased.academy_id, erased.year_group) == (Role.PUPIL, None, None)
    assert db.scalar(select(func.count()).select_from(ParentLink)) == 0
    assert (
        db.scalar(
            select(func.count())
            .select_from(LoginAttempt)
            .where(LoginAttempt.username == "ruby.shah")
        )
        == 0
    )
    assert pupil_client.get("/").status_code == 302  # signed out
    assert app.test_client().login("ruby.shah").status_code == 200  # cannot sign in
    client.get("/admin/people")  # shows (and uses up) the "has been erased" message
    listing = client.get("/admin/people?inactive=1").get_data(as_text=True)
    assert "Ruby Shah" not in listing and "Erased person" not in listing
    entry = db.scalar(select(AuditEntry).where(AuditEntry.action == "person.erase"))
    assert entry.subject_id == pupil.id and "Ruby" not in json.dumps(entry.detail)


def test_erasure_is_refused_with_the_reason_while_a_record_must_be_kept(
    client, make, db, extra_registrations
):
    _academy, pupil, _parent = family(make)

    @holds.register_hold
    def open_report(session, user_id):
        return "An open safeguarding report names this pupil." if user_id == pupil.id else None

    with pytest.raises(ErasureRefused) as refused:
        erase_person(db, pupil.id, actor_id=None, now=utcnow())
    assert refused.value.reasons == ["An open safeguarding report names this pupil."]
    db.rollback()

    client.login(make.user(Role.ADMIN).username)
    page = client.get(f"/admin/people/{pupil.id}/erase").get_data(as_text=True)
    assert "These details cannot be erased" in page
    assert "An open safeguarding report names this pupil." in page
    response = client.post(f"/admin/people/{pupil.id}/erase", data={"confirm": "ruby.shah"})
    assert response.status_code == 409
    db.expire_all()
    assert db.get(User, pupil.id).display_name == "Ruby Shah"


def test_registered_erasers_run_before_the_person_is_anonymised(db, make, extra_registrations):
    _academy, pupil, _parent = family(make)
    seen = []

    @registry.register_eraser(tables=())
    def forget_answers(session, user_id):
        seen.append((user_id, session.get(User, user_id).display_name))

    erase_person(db, pupil.id, actor_id=None, now=utcnow())
    assert seen == [(pupil.id, "Ruby Shah")]


def test_nobody_erases_themselves(client, make):
    admin = make.user(Role.ADMIN)
    client.login(admin.username)
    # Their own page offers no erase button, and the page itself refuses.
    page = client.get(f"/admin/people/{admin.id}/erase").get_data(as_text=True)
    assert "You cannot erase your own account." in page
