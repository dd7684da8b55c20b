"""A member of staff with a record of every kind the product keeps, made through the pages
a real person and their colleagues use wherever there is one."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select

from elearn.audit.services import record, record_about_person
from elearn.auth.models import Academy, SsoIdentity, User
from elearn.auth.roles import Role
from elearn.auth.sso_records import record_sign_in
from elearn.compliance.models import Reminder, ReminderKind
from elearn.db import utcnow
from elearn.learning.models import Certificate
from elearn.quiz.models import QuizAttempt
from elearn.quiz.services import drawn_questions
from elearn.xapi.credentials import issue_credential
from elearn.xapi.lrs.store import record_statements
from tests.quiz.answers import form_for

NAME = "Ruby Shahbazi"
USERNAME = "ruby.shahbazi"
EMAIL = "ruby.shahbazi@oakwood.example"
TYPED_ANSWER = f"Paris, says {NAME}"
EVIDENCE = f"{NAME} signed the INSET register"


@dataclass
class Everything:
    person: User
    academy: Academy
    admin: User
    dsl: User
    certificate_code: str


def _third_party_statements(person: User) -> list[dict]:
    """What other e-learning content might send through the LRS: the actor's name given
    beside the account, and a statement that uses the e-mail address as the actor."""
    now = utcnow().isoformat()
    verb = {"id": "http://adlnet.gov/expapi/verbs/experienced", "display": {"en-GB": "watched"}}
    video = {"objectType": "Activity", "id": "http://video.example/online-safety"}
    return [
        {
            "id": str(uuid.uuid4()),
            "actor": {
                "objectType": "Agent",
                "name": NAME,
                "account": {"homePage": "http://elearn.test", "name": person.xapi_id},
            },
            "verb": verb,
            "object": video,
            "timestamp": now,
        },
        {
            "id": str(uuid.uuid4()),
            "actor": {"objectType": "Agent", "mbox": f"mailto:{EMAIL}"},
            "verb": verb,
            "object": video,
            "timestamp": now,
        },
    ]


def _school_account(db, person: User) -> None:
    """A linked Microsoft 365 account, its sign-in, and an earlier refusal that found nobody
    (from another tenant) but carries the person's name and address."""
    tenant = "72f988bf-86f1-41af-91ab-2d7cd011db47"
    claims = {
        "iss": f"https://login.microsoftonline.com/{tenant}/v2.0",
        "sub": "AAAAAAAAAAAAAAAAAAAAAIkzqFVrSaSaFHy782bbtaQ",
        "tid": tenant,
        "oid": "00000000-0000-0000-66f3-3332eca7ea81",
        "email": EMAIL,
        "name": NAME,
    }
    now = utcnow()
    db.add(
        SsoIdentity(
            user_id=person.id,
            issuer=claims["iss"],
            subject=claims["sub"],
            tenant_id=tenant,
            object_id=claims["oid"],
            email=EMAIL.lower(),
            linked_by="email",
            linked_at=now,
            last_used_at=now,
        )
    )
    record_sign_in(db, claims, reason="linked_by_email", user_id=person.id, ip="192.0.2.7", now=now)
    elsewhere = {**claims, "tid": "f8cdef31-a31e-4b4a-93e4-5f571e91255a", "sub": "other"}
    record_sign_in(db, elsewhere, reason="wrong_tenant", user_id=None, ip="192.0.2.7", now=now)


def build(app, make, db) -> Everything:
    academy = make.academy("Oakwood Primary")
    person = make.user(
        Role.STAFF,
        academy,
        display_name=NAME,
        username=USERNAME,
        email=EMAIL,
        roster_id="mis-77",
        start_on=date.today() - timedelta(days=400),
    )
    # Staff who are also parents at their school are linked like any parent.
    child = make.user(Role.PUPIL, academy, display_name="Sam Okafor")
    make.link(person, child)
    admin = make.user(Role.ADMIN, display_name="Alex Admin")
    dsl = make.user(Role.DSL, academy, display_name="Dee Lead")

    own = app.test_client()
    app.test_client().login(USERNAME, "a wrong guess")
    assert own.login(USERNAME).status_code == 302
    for lesson in ("01-first", "02-second"):
        assert own.get(f"/learn/test-staff/{lesson}").status_code == 200
    started = own.post("/learn/test-staff/quiz/start")
    attempt_id = int(re.search(r"/quiz/(\d+)", started.headers["Location"]).group(1))
    db.expire_all()
    form: dict[str, list[str]] = {}
    for drawn in drawn_questions(db.get(QuizAttempt, attempt_id)):
        if drawn.question.id == "test-staff-short":
            form[f"q{drawn.position}"] = [TYPED_ANSWER]
        else:
            form.update(form_for(drawn, correct=True))
    assert own.post(f"/learn/test-staff/quiz/{attempt_id}/submit", data=form).status_code == 302
    assert own.get("/learn/test-policy/01-summary").status_code == 200
    assert own.post("/learn/test-policy/sign-off", data={"confirm": "yes"}).status_code == 302

    lead = app.test_client()
    lead.login(dsl.username)
    recorded = lead.post(
        f"/compliance/people/{person.id}/offline-training",
        data={
            "course": "test-staff",
            "completed_on": (date.today() - timedelta(days=200)).isoformat(),
            "evidence_note": EVIDENCE,
        },
    )
    assert recorded.status_code == 302, recorded.get_data(as_text=True)

    trust = app.test_client()
    trust.login(admin.username)
    assert trust.post(f"/admin/people/{person.id}/export").status_code == 200
    # Entries that quote the person (older code kept names in details) and one by them.
    record_about_person(
        db,
        actor_id=admin.id,
        action="person.update",
        person=person,
        detail={"fields": ["display_name"], "before": f"{NAME} <{EMAIL}>"},
        at=utcnow(),
    )
    record(
        db,
        actor_id=person.id,
        action="lesson.feedback",
        subject_type="course",
        subject_id=None,
        detail={"signed": USERNAME},
        at=utcnow(),
    )

    db.add(
        Reminder(
            user_id=person.id,
            course_id="test-staff",
            kind=ReminderKind.DUE,
            refers_to_on=date.today(),
            sent_on=date.today(),
        )
    )
    issue_credential(
        db, f"Tablet for {NAME}", can_read=False, can_write=True, now=utcnow(), actor_id=admin.id
    )
    record_statements(
        db, _third_party_statements(person), user_ids=[person.id, None], received=True
    )
    _school_account(db, person)
    db.commit()
    code = db.scalar(select(Certificate.code).where(Certificate.user_id == person.id))
    assert code is not None
    return Everything(person, academy, admin, dsl, code)
