"""E-mails about new reports: to the right people, with no content, and never at the cost of
the report itself."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import func, select

from elearn.auth.roles import Role
from elearn.safeguarding.models import Report
from elearn.safeguarding.notify import NEW_REPORT_SUBJECT
from tests.smtp import html_text, plain_text

STORY = "My uncle's friend sent me photos and said keep it secret"


@pytest.fixture
def school(make):
    academy = make.academy("Elm Academy")
    return {
        "pupil": make.user(Role.PUPIL, academy, display_name="Lily Marsh"),
        "staff": make.user(Role.STAFF, academy, email="teacher@elm.example"),
        "dsl": make.user(Role.DSL, academy, email="dsl@elm.example"),
        "dsl2": make.user(Role.DSL, academy, email="deputy@elm.example"),
        "head": make.user(Role.HEAD, academy, email="head@elm.example"),
        "far_dsl": make.user(Role.DSL, make.academy("Far"), email="dsl@far.example"),
    }


def _tell(client, pupil):
    client.login(pupil.username)
    return client.post(
        "/reports/tell", data={"what_happened": STORY, "where": "Snapchat", "when": "today"}
    )


def _count_reports(db):
    db.rollback()
    return db.scalar(select(func.count()).select_from(Report))


def test_the_team_is_told_a_report_is_waiting_and_nothing_more(smtp, client, db, school):
    assert _tell(client, school["pupil"]).status_code == 302
    told = {address for m in smtp.messages for address in m["X-Envelope-To"].split(", ")}
    assert told == {"dsl@elm.example", "deputy@elm.example", "head@elm.example"}
    for message in smtp.messages:
        assert message["Subject"] == NEW_REPORT_SUBJECT
        assert len(message["To"].split(",")) == 1  # nobody sees who else was told
        body = plain_text(message) + html_text(message)
        [report_id] = db.scalars(select(Report.id)).all()
        assert f"http://elearn.test/reports/inbox/{report_id}" in body
        text = (message["Subject"] + body).lower()
        for secret in ("uncle", "photos", "snapchat", "lily", "marsh", "tell a trusted"):
            assert secret not in text


@pytest.fixture
def unreachable_mail(app_config):
    app_config.update({"SMTP_HOST": "127.0.0.1", "SMTP_PORT": 1, "SMTP_TIMEOUT": 2})


def test_a_mail_server_that_is_down_never_loses_the_report(
    unreachable_mail, school, client, db, caplog
):
    with caplog.at_level(logging.ERROR, logger="elearn.safeguarding"):
        response = _tell(client, school["pupil"])
    assert response.status_code == 302
    assert _count_reports(db) == 1
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "We got your message" in page
    assert "notification not sent" in caplog.text
    assert "uncle" not in caplog.text


def test_no_mail_settings_still_saves_the_report(school, client, db, caplog):
    with caplog.at_level(logging.WARNING, logger="elearn.safeguarding"):
        assert _tell(client, school["pupil"]).status_code == 302
    assert _count_reports(db) == 1
    assert "mail is not configured" in caplog.text
