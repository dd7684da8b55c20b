""" "Send a reminder" from the dashboards: who gets what, once a day, after a confirmation."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from elearn.audit.models import AuditEntry
from elearn.auth.roles import Role
from elearn.compliance.commands import compliance
from elearn.compliance.models import Reminder, ReminderKind
from elearn.compliance.rules import uk_date
from elearn.db import utcnow
from tests.compliance.conftest import complete, sign
from tests.smtp import plain_text


def today():
    return uk_date(utcnow())


@pytest.fixture
def school(make, db, app_catalog):
    academy = make.academy("Riverside Primary")
    dsl = make.user(Role.DSL, academy, display_name="Dana Lead", email="dsl@riverside.example")
    for course_id in ("staff-induction", "safeguarding-refresher", "dsl-training"):
        complete(db, dsl, course_id, today() - timedelta(days=30))
    sign(db, dsl, today() - timedelta(days=30))
    late = make.user(
        Role.STAFF,
        academy,
        display_name="Larry Late",
        email="larry@riverside.example",
        start_on=today() - timedelta(days=400),
    )
    new = make.user(
        Role.STAFF,
        academy,
        display_name="Nina New",
        email="nina@riverside.example",
        start_on=today() - timedelta(days=3),
    )
    offline = make.user(
        Role.STAFF,
        academy,
        display_name="Olly Offline",
        email=None,
        start_on=today() - timedelta(days=400),
    )
    volunteer_academy = make.academy("Hillside Academy")
    elsewhere = make.user(
        Role.STAFF,
        volunteer_academy,
        display_name="Eve Elsewhere",
        email="eve@hillside.example",
        start_on=today() - timedelta(days=400),
    )
    other_dsl = make.user(Role.DSL, volunteer_academy, display_name="Omar Other")
    return {
        "academy": academy,
        "dsl": dsl,
        "late": late,
        "new": new,
        "offline": offline,
        "elsewhere": elsewhere,
        "other_dsl": other_dsl,
    }


def reminders(db):
    db.expire_all()
    return db.scalars(select(Reminder).order_by(Reminder.id)).all()


def test_a_lead_reminds_everyone_overdue_after_confirming(smtp, client, db, school):
    client.login(school["dsl"].username)
    dashboard = client.get("/compliance/").get_data(as_text=True)
    assert "Send a reminder to everyone overdue" in dashboard

    page = client.get("/compliance/reminders")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Larry Late" in html and "Send 1 reminder" in html
    assert "Nina New" not in html  # her training is not overdue yet
    assert "No e-mail address" in html and "Olly Offline" in html
    assert "Eve Elsewhere" not in html  # another academy
    assert smtp.messages == [] and reminders(db) == []

    sent = client.post("/compliance/reminders", data={"confirm": "send"})
    assert sent.status_code == 302
    assert sent.headers["Location"] == f"/compliance/academies/{school['academy'].id}"
    [mail] = smtp.messages
    assert "larry@riverside.example" in mail["X-Envelope-To"]
    assert "Dear Larry," in plain_text(mail)
    rows = reminders(db)
    assert {(r.user_id, r.kind, r.sent_on) for r in rows} == {
        (school["late"].id, ReminderKind.CHASE, today())
    }
    entry = db.scalar(select(AuditEntry).where(AuditEntry.action == "compliance.reminder_sent"))
    assert entry.actor_id == school["dsl"].id and entry.subject_id == school["late"].id
    assert entry.academy_id == school["academy"].id
    assert entry.detail == {"courses": ["staff-induction", "safeguarding-refresher"]}

    shown = client.get(sent.headers["Location"]).get_data(as_text=True)
    assert "Reminder sent to 1 person: Larry Late." in shown
    assert "please tell them in person: Olly Offline" in shown


def test_nobody_is_reminded_twice_in_a_day_and_the_page_says_so(smtp, client, db, school):
    client.login(school["dsl"].username)
    client.post("/compliance/reminders", data={"confirm": "send"})
    assert len(smtp.messages) == 1

    again = client.get("/compliance/reminders").get_data(as_text=True)
    assert "Already reminded today" in again and "Larry Late" in again
    assert "Send 1 reminder" not in again
    resent = client.post("/compliance/reminders", data={"confirm": "send"}, follow_redirects=True)
    assert "Not sent again today" in resent.get_data(as_text=True)
    assert len(smtp.messages) == 1

    # The scheduled run the same day tells Larry only about what he was not reminded of
    # today: the policy sign-off, which is due but not overdue.
    result = client.application.test_cli_runner().invoke(
        compliance, ["remind", "--as-of", today().isoformat()]
    )
    assert result.exit_code == 0, result.output
    chased, scheduled = smtp.to("larry@riverside.example")
    assert "Staff induction" in plain_text(chased)
    assert "Policy" in plain_text(scheduled) and "Staff induction" not in plain_text(scheduled)
    assert {(r.course_id, r.kind) for r in reminders(db) if r.user_id == school["late"].id} == {
        ("staff-induction", ReminderKind.CHASE),
        ("safeguarding-refresher", ReminderKind.CHASE),
        ("policy-sign-off", ReminderKind.WINDOW_OPEN),
    }


def test_a_reminder_to_one_person_covers_all_they_have_to_do(smtp, client, db, school):
    client.login(school["dsl"].username)
    record = client.get(f"/compliance/people/{school['new'].id}").get_data(as_text=True)
    assert f"/compliance/people/{school['new'].id}/reminder" in record
    confirm = client.get(f"/compliance/people/{school['new'].id}/reminder")
    assert confirm.status_code == 200
    assert "Send a reminder to Nina New" in confirm.get_data(as_text=True)
    assert smtp.messages == []

    sent = client.post(f"/compliance/people/{school['new'].id}/reminder", data={"confirm": "send"})
    assert sent.headers["Location"] == f"/compliance/people/{school['new'].id}"
    [mail] = smtp.to("nina@riverside.example")
    assert "to do by" in plain_text(mail) or "due by" in plain_text(mail)
    assert len(reminders(db)) >= 2  # one row per course she has to do
    record = client.get(sent.headers["Location"]).get_data(as_text=True)
    assert "Reminder sent to 1 person: Nina New." in record
    assert "sent from the training dashboard (Staff induction" in record


def test_a_post_without_the_confirmation_sends_nothing(smtp, client, db, school):
    client.login(school["dsl"].username)
    response = client.post("/compliance/reminders", data={})
    assert response.status_code == 302 and response.headers["Location"] == "/compliance/reminders"
    assert smtp.messages == []
    forged = client.post("/compliance/reminders", data={"confirm": "send"}, csrf=False)
    assert forged.status_code == 400
    assert smtp.messages == []


def test_the_trust_view_reminds_overdue_staff_in_every_academy(smtp, client, make, db, school):
    client.login(make.user(Role.ADMIN).username)
    overview = client.get("/compliance/trust").get_data(as_text=True)
    assert "Send a reminder to everyone overdue in the trust" in overview
    trust = client.get("/compliance/?all=1").get_data(as_text=True)
    assert "/compliance/reminders?all=1" in trust
    page = client.get("/compliance/reminders?all=1").get_data(as_text=True)
    assert "Larry Late" in page and "Eve Elsewhere" in page and "Send 2 reminders" in page
    sent = client.post("/compliance/reminders?all=1", data={"confirm": "send"})
    assert sent.headers["Location"] == "/compliance/?all=1"
    assert {m["X-Envelope-To"] for m in smtp.messages} == {
        "larry@riverside.example",
        "eve@hillside.example",
    }


def test_only_the_academys_leads_and_trust_admins_may_send(smtp, client, make, db, school):
    client.login(school["other_dsl"].username)
    assert client.get(f"/compliance/people/{school['late'].id}/reminder").status_code == 404
    assert (
        client.post(
            f"/compliance/people/{school['late'].id}/reminder", data={"confirm": "send"}
        ).status_code
        == 404
    )
    assert client.get(f"/compliance/reminders?academy={school['academy'].id}").status_code == 404
    client.logout()
    client.login(school["late"].username)
    assert client.get("/compliance/reminders").status_code == 403
    assert client.post("/compliance/reminders", data={"confirm": "send"}).status_code == 403
    assert smtp.messages == []


def test_without_a_mail_server_the_page_says_so_and_sends_nothing(client, db, school):
    client.login(school["dsl"].username)
    html = client.get("/compliance/reminders").get_data(as_text=True)
    assert "No mail server is set up" in html and "Send 1 reminder" not in html
    done = client.post("/compliance/reminders", data={"confirm": "send"}, follow_redirects=True)
    assert "No reminder was sent: no mail server is set up" in done.get_data(as_text=True)
    assert reminders(db) == []
