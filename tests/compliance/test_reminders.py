"""Reminder e-mails against a real SMTP server on loopback, run as cron would run them."""

from datetime import date, timedelta
from email.header import decode_header, make_header

import pytest
from sqlalchemy import func, select

from elearn.auth.roles import Role
from elearn.compliance.commands import compliance
from elearn.compliance.models import Reminder, ReminderKind
from elearn.compliance.reminders import ReminderSettings, plan_reminders
from tests.compliance.conftest import complete, sign
from tests.smtp import html_text, plain_text

AS_OF = date(2026, 6, 15)  # a Monday


@pytest.fixture
def school(make, db):
    """An academy with a trained DSL, a head, and staff in every state."""
    academy = make.academy("Riverside Primary")
    dsl = make.user(Role.DSL, academy, display_name="Dana Lead", email="dsl@riverside.example")
    for course_id in ("staff-induction", "safeguarding-refresher", "dsl-training"):
        complete(db, dsl, course_id, date(2026, 1, 5))
    sign(db, dsl, date(2026, 1, 5))
    head = make.user(
        Role.HEAD, academy, display_name="Harriet Head", email="head@riverside.example"
    )
    complete(db, head, "staff-induction", date(2016, 1, 5))
    complete(db, head, "safeguarding-refresher", date(2026, 1, 5))
    sign(db, head, date(2026, 1, 5))
    late = make.user(
        Role.STAFF,
        academy,
        display_name="Larry Late",
        email="larry@riverside.example",
        start_on=date(2025, 1, 6),
    )
    new = make.user(
        Role.STAFF,
        academy,
        display_name="Nina New",
        email="nina@riverside.example",
        start_on=AS_OF - timedelta(days=2),
    )
    soon = make.user(
        Role.STAFF,
        academy,
        display_name="Sam Soon",
        email="sam@riverside.example",
        start_on=date(2020, 1, 6),
    )
    complete(db, soon, "staff-induction", date(2020, 1, 20))
    complete(db, soon, "safeguarding-refresher", AS_OF + timedelta(days=5) - timedelta(days=365))
    sign(db, soon, date(2026, 2, 1))
    offline = make.user(
        Role.STAFF, academy, display_name="Olly Offline", email=None, start_on=date(2024, 1, 8)
    )
    return {"dsl": dsl, "head": head, "late": late, "new": new, "soon": soon, "offline": offline}


def subject_of(message) -> str:
    return str(make_header(decode_header(message["Subject"])))


def text_of(message) -> str:
    return plain_text(message)


def remind(app, *args):
    runner = app.test_cli_runner()
    return runner.invoke(compliance, ["remind", *args])


def reminders_recorded(db):
    db.expire_all()
    return db.scalar(select(func.count()).select_from(Reminder))


def test_first_run_sends_each_person_one_email_and_the_leads_a_digest(
    smtp, app, db, app_catalog, school
):
    result = remind(app, "--as-of", AS_OF.isoformat())
    assert result.exit_code == 0, result.output

    [late] = smtp.to("larry@riverside.example")
    assert subject_of(late) == "Overdue training: 3 courses need your attention"
    letter = text_of(late)
    assert "Dear Larry," in letter
    assert "Staff induction — online safety: Overdue — was due 3 February 2025." in letter
    assert "http://elearn.test/my-training" in letter  # several courses: the training record

    [new] = smtp.to("nina@riverside.example")
    assert subject_of(new) == "Training reminder: 3 courses to do"
    assert "to do by 11 July 2026" in text_of(new)

    [soon] = smtp.to("sam@riverside.example")
    assert subject_of(soon) == "Training due soon: Safeguarding refresher — annual"
    assert "due by 20 June 2026" in text_of(soon)
    # One course: the link goes straight to it, in both parts.
    assert "http://elearn.test/learn/safeguarding-refresher" in text_of(soon)
    assert 'href="http://elearn.test/learn/safeguarding-refresher"' in html_text(soon)

    for lead in ("dsl@riverside.example", "head@riverside.example"):
        [digest] = smtp.to(lead)
        assert (
            subject_of(digest) == "Weekly training summary for Riverside Primary: 2 people overdue"
        )
        text = text_of(digest)
        assert "- Larry Late (Staff):" in text
        assert f"http://elearn.test/compliance/academies/{school['dsl'].academy_id}" in text
        assert "no e-mail address" in text and "- Olly Offline (Staff):" in text
        assert "Nina New" not in text.split("no e-mail address")[0]
    # The trained DSL has nothing due, so gets no personal reminder besides the digest.
    assert len(smtp.to("dsl@riverside.example")) == 1
    assert len(smtp.messages) == 5
    assert reminders_recorded(db) == 3 + 3 + 1 + 2


def test_second_run_the_same_day_sends_nothing(smtp, app, db, app_catalog, school):
    assert remind(app, "--as-of", AS_OF.isoformat()).exit_code == 0
    sent = len(smtp.messages)
    recorded = reminders_recorded(db)

    again = remind(app, "--as-of", AS_OF.isoformat())
    assert again.exit_code == 0, again.output
    assert "sent 0 message(s)" in again.output
    assert len(smtp.messages) == sent
    assert reminders_recorded(db) == recorded


def test_a_week_later_overdue_reminders_and_the_digest_repeat(smtp, app, db, app_catalog, school):
    assert remind(app, "--as-of", AS_OF.isoformat()).exit_code == 0
    smtp.messages.clear()

    week_later = AS_OF + timedelta(days=7)
    result = remind(app, "--as-of", week_later.isoformat())
    assert result.exit_code == 0, result.output

    [late] = smtp.to("larry@riverside.example")
    assert subject_of(late) == "Overdue training: 2 courses need your attention"
    assert "Social media" not in text_of(late)  # the policy is not overdue yet
    # Sam's refresher expired on 20 June: now it is overdue, once.
    [soon] = smtp.to("sam@riverside.example")
    assert subject_of(soon).startswith("Overdue training:")
    # Nina's training is not due for weeks and she has been told: nothing new.
    assert smtp.to("nina@riverside.example") == []
    assert len(smtp.to("dsl@riverside.example")) == 1

    # The next day, nothing repeats.
    smtp.messages.clear()
    assert remind(app, "--as-of", (week_later + timedelta(days=1)).isoformat()).exit_code == 0
    assert smtp.messages == []


def test_dry_run_lists_but_sends_and_records_nothing(smtp, app, db, app_catalog, school):
    result = remind(app, "--dry-run", "--as-of", AS_OF.isoformat())
    assert result.exit_code == 0, result.output
    assert "Would send to larry@riverside.example: Overdue training" in result.output
    assert "Would send to head@riverside.example: Weekly training summary" in result.output
    assert "nothing was sent or recorded" in result.output
    assert smtp.messages == []
    assert reminders_recorded(db) == 0


def test_without_a_mail_server_the_command_refuses(app, db, app_catalog, school):
    result = remind(app, "--as-of", AS_OF.isoformat())
    assert result.exit_code != 0
    assert "ELEARN_SMTP_HOST" in result.output
    assert reminders_recorded(db) == 0


def test_a_bad_date_is_explained(app, app_catalog):
    result = remind(app, "--as-of", "15/06/2026")
    assert result.exit_code != 0
    assert "YYYY-MM-DD" in result.output


def test_an_unreachable_mail_server_records_nothing(app, app_config, db, app_catalog, school):
    app.config["ELEARN"].update({"SMTP_HOST": "127.0.0.1", "SMTP_PORT": 1, "SMTP_TIMEOUT": 2})
    result = remind(app, "--as-of", AS_OF.isoformat())
    assert result.exit_code != 0
    assert "Stopped after sending 0" in result.output
    assert reminders_recorded(db) == 0


def test_window_open_reminder_for_a_renewal_and_its_offset(db, make, catalog):
    academy = make.academy()
    person = make.user(Role.STAFF, academy, email="p@example.org", start_on=date(2020, 1, 6))
    complete(db, person, "staff-induction", date(2020, 1, 20))
    sign(db, person, date(2026, 1, 5))
    # Expires 14 August 2026, so the 60-day window opens on 15 June 2026.
    complete(db, person, "safeguarding-refresher", date(2025, 8, 14))

    def plan(as_of, **settings):
        return plan_reminders(
            db,
            catalog,
            as_of=as_of,
            settings=ReminderSettings(**settings),
            trust_name="Test Trust",
            base_url="http://elearn.test",
        )

    [message] = plan(AS_OF).messages
    [item] = message.items
    assert item.kind is ReminderKind.WINDOW_OPEN
    assert "valid until 14 August 2026" in message.mail.body
    assert plan(AS_OF - timedelta(days=1)).messages == ()
    # Configured to wait three days after the window opens.
    assert plan(AS_OF, window_open_after=2).messages == ()
    assert len(plan(AS_OF + timedelta(days=2), window_open_after=2).messages) == 1
    # Turned off.
    assert plan(AS_OF, window_open_after=-1).messages == ()
