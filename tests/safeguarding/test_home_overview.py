"""The DSL's and head's home page: reports waiting, follow-ups due and overdue staff."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update

from elearn.auth.roles import Role
from elearn.compliance.rules import uk_date
from elearn.db import utcnow
from elearn.safeguarding import casework, handling
from elearn.safeguarding.models import Report, ReportKind, RiskLevel
from elearn.safeguarding.overview import reports_overview, waiting_words
from tests.safeguarding.helpers import DETAILS, file_report


@pytest.fixture
def school(make):
    academy = make.academy("Beech Academy")
    return {
        "academy": academy,
        "pupil": make.user(Role.PUPIL, academy, display_name="Sam Cole", year_group=8),
        "staff": make.user(Role.STAFF, academy, display_name="Jo Park"),
        "dsl": make.user(Role.DSL, academy, display_name="Dee Lead"),
        "head": make.user(Role.HEAD, academy, display_name="Hal Head"),
    }


def _age(db, report, **delta):
    db.execute(
        update(Report)
        .where(Report.id == report.id)
        .values(created_at=utcnow() - timedelta(**delta))
    )
    db.commit()


def test_overview_counts_new_and_open_newest_first_with_the_oldest_waiting(
    db, school, app_config, make
):
    data = app_config["DATA_DIR"]
    oldest = file_report(db, school["pupil"], ReportKind.TELL, data)
    _age(db, oldest, days=3, hours=2)
    opened = file_report(db, school["staff"], ReportKind.CYBERBULLYING, data)
    _age(db, opened, days=5)
    handling.add_entry(db, school["dsl"], opened, text="Spoke to the form tutor", now=utcnow())
    newest = file_report(db, school["pupil"], ReportKind.TELL, data)
    closed = file_report(db, school["staff"], ReportKind.INAPPROPRIATE_CONTENT, data)
    handling.close(db, school["dsl"], closed, "Blocked", now=utcnow())
    file_report(db, make.user(Role.PUPIL, make.academy("Far")), ReportKind.TELL, data)
    db.commit()

    seen = reports_overview(db, school["head"], today=uk_date(utcnow()))
    assert (seen.new, seen.open) == (2, 1)
    assert [item.id for item in seen.newest] == [newest.id, oldest.id, opened.id]
    assert waiting_words(seen.oldest_new_at, utcnow()) == "3 days"
    assert reports_overview(db, school["staff"], today=uk_date(utcnow())) is None


def test_follow_ups_surface_from_their_date_until_the_case_closes(db, school, app_config):
    report = file_report(db, school["pupil"], ReportKind.TELL, app_config["DATA_DIR"])
    today = uk_date(utcnow())
    casework.set_follow_up(
        db, school["dsl"], report, today + timedelta(days=2), today=today, now=utcnow()
    )
    db.commit()
    assert reports_overview(db, school["dsl"], today=today).follow_ups_due == []
    due = reports_overview(db, school["dsl"], today=today + timedelta(days=2)).follow_ups_due
    assert [item.id for item in due] == [report.id]
    later = reports_overview(db, school["dsl"], today=today + timedelta(days=9))
    assert [item.id for item in later.follow_ups_due] == [report.id]
    handling.close(db, school["dsl"], report, "Resolved", now=utcnow())
    db.commit()
    assert reports_overview(db, school["dsl"], today=today + timedelta(days=9)).follow_ups_due == []


@pytest.mark.parametrize(
    ("delta", "words"),
    [
        (timedelta(seconds=20), "less than a minute"),
        (timedelta(minutes=1), "1 minute"),
        (timedelta(hours=5, minutes=59), "5 hours"),
        (timedelta(days=1), "1 day"),
        (timedelta(days=12, hours=23), "12 days"),
    ],
)
def test_waiting_is_said_in_words(delta, words):
    now = utcnow()
    assert waiting_words(now - delta, now) == words


@pytest.mark.parametrize("lead", ["dsl", "head"])
def test_home_page_shows_reports_follow_ups_and_overdue_staff(
    client, db, school, app_config, make, lead
):
    report = file_report(db, school["pupil"], ReportKind.TELL, app_config["DATA_DIR"])
    _age(db, report, hours=4, minutes=10)
    followed = file_report(db, school["staff"], ReportKind.CYBERBULLYING, app_config["DATA_DIR"])
    today = uk_date(utcnow())
    casework.set_follow_up(db, school["dsl"], followed, today, today=today, now=utcnow())
    casework.set_risk(db, school["dsl"], followed, RiskLevel.HIGH, now=utcnow())
    # Long-serving staff with nothing done: overdue on the compliance dashboard too.
    make.user(Role.STAFF, school["academy"], start_on=today - timedelta(days=400))
    db.commit()

    client.login(school[lead].username)
    page = client.get("/").get_data(as_text=True)
    watch = page[page.index('id="watch-heading"') :]
    assert '1</span> <span class="figure-words">new report, the oldest waiting 4 hours' in watch
    assert '1</span> <span class="figure-words">open case' in watch
    assert '1</span> <span class="figure-words">follow-up due' in watch
    # The compliance dashboard's count, not a second reckoning of it: everyone here is
    # long-serving staff with nothing done (the teacher, the DSL, the head and one more).
    assert '4</span> <span class="figure-words">staff overdue for training' in watch
    assert 'href="/compliance/?status=overdue"' in watch
    follow_ups = watch[watch.index("Follow-ups due") : watch.index("New and open reports")]
    assert f"/reports/inbox/{followed.id}" in follow_ups
    assert f"/reports/inbox/{report.id}" in watch
    # Nothing beyond what the inbox shows: no words, names, places or risk.
    for private in (
        DETAILS[ReportKind.TELL].description,
        DETAILS[ReportKind.CYBERBULLYING].description,
        DETAILS[ReportKind.CYBERBULLYING].where_online,
        "Sam Cole",
        "High",
    ):
        assert private not in page, private


def test_staff_and_other_academies_see_no_reports_on_their_home_page(
    client, db, school, app_config, make
):
    report = file_report(db, school["pupil"], ReportKind.TELL, app_config["DATA_DIR"])
    far_dsl = make.user(Role.DSL, make.academy("Far Academy"))
    for person in (school["staff"], far_dsl):
        client.login(person.username)
        page = client.get("/").get_data(as_text=True)
        assert f"/reports/inbox/{report.id}" not in page
        client.logout()
    client.login(far_dsl.username)
    assert "No new or open reports." in client.get("/").get_data(as_text=True)


def test_being_listed_on_the_home_page_shows_in_the_reports_access_log(
    client, db, school, app_config
):
    report = file_report(db, school["pupil"], ReportKind.TELL, app_config["DATA_DIR"])
    client.login(school["head"].username)
    client.get("/")
    client.logout()
    client.login(school["dsl"].username)
    case = client.get(f"/reports/inbox/{report.id}").get_data(as_text=True)
    log = case[case.index('id="access"') :]
    assert "Saw it listed on their home page" in log and "Hal Head" in log
