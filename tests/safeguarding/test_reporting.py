"""Sending each of the policy's reports, and what the sender sees afterwards."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from elearn.auth.roles import Role
from elearn.safeguarding.models import (
    Attachment,
    ContactDirection,
    PerpetratorKind,
    Report,
    ReportKind,
    ReportStatus,
)
from tests.safeguarding.helpers import png_bytes


@pytest.fixture
def academy(make):
    return make.academy("Oakwood Primary")


def _reports(db):
    db.rollback()
    return list(db.scalars(select(Report)))


def test_every_pupil_page_offers_tell_a_trusted_adult(make, client, academy):
    pupil = make.user(Role.PUPIL, academy)
    client.login(pupil.username)
    for path in ("/", "/reports/"):
        page = client.get(path).get_data(as_text=True)
        assert 'href="/reports/tell"' in page and "Tell a trusted adult" in page


def test_adults_do_not_get_the_pupil_button(make, client, academy):
    staff = make.user(Role.STAFF, academy)
    client.login(staff.username)
    assert 'class="button tell-adult"' not in client.get("/").get_data(as_text=True)


def test_the_tell_form_says_who_will_read_it_in_plain_words(make, client, academy):
    client.login(make.user(Role.PUPIL, academy).username)
    page = client.get("/reports/tell").get_data(as_text=True)
    assert "Who will read this?" in page
    assert "The grown-ups at your school whose job is to keep children safe" in page
    assert "You will not be in trouble for telling." in page
    assert 'enctype="multipart/form-data"' in page
    assert 'name="csrf_token"' in page


def test_a_pupil_tells_with_a_screenshot_and_gets_a_kind_answer(make, client, db, academy):
    pupil = make.user(Role.PUPIL, academy, display_name="Ruby Shah")
    client.login(pupil.username)
    response = client.post(
        "/reports/tell",
        data={
            "what_happened": "Someone I don't know keeps messaging me",
            "where": "a game chat",
            "when": "yesterday",
            "screenshot": (io.BytesIO(png_bytes()), "chat.png"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    [report] = _reports(db)
    assert report.kind is ReportKind.TELL
    assert report.academy_id == academy.id and report.reporter_id == pupil.id
    assert report.status is ReportStatus.NEW
    assert report.where_online == "a game chat" and report.when_hint == "yesterday"
    assert [a.original_name for a in report.attachments] == ["chat.png"]

    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Thank you for telling us. You did the right thing." in page
    assert "We got your message" in page
    assert "A grown-up who keeps children safe at your school will read it soon." in page
    assert "Childline" in page


def test_telling_needs_only_what_happened(make, client, db, academy):
    client.login(make.user(Role.PUPIL, academy).username)
    response = client.post("/reports/tell", data={"what_happened": "I saw a scary video"})
    assert response.status_code == 302
    [report] = _reports(db)
    assert report.where_online is None and report.when_hint == "not_sure"


def test_an_empty_tell_explains_kindly_and_keeps_what_was_typed(make, client, db, academy):
    client.login(make.user(Role.PUPIL, academy).username)
    response = client.post("/reports/tell", data={"what_happened": "  ", "where": "YouTube"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'role="alert"' in page
    assert '<a href="#what_happened">Please write what happened.</a>' in page
    assert 'value="YouTube"' in page
    assert _reports(db) == []


def test_a_forged_tell_without_csrf_token_is_refused(make, client, db, academy):
    client.login(make.user(Role.PUPIL, academy).username)
    response = client.post("/reports/tell", data={"what_happened": "x"}, csrf=False)
    assert response.status_code == 400
    assert _reports(db) == []


def test_anyone_at_the_academy_reports_a_website(make, client, db, academy):
    parent = make.user(Role.PARENT, academy)
    client.login(parent.username)
    page = client.get("/reports/website").get_data(as_text=True)
    assert "designated senior leader" in page and "Who will see this" in page
    response = client.post(
        "/reports/website",
        data={
            "site_address": "games.example.com/page",
            "description": "Adverts with violent images",
            "device_location": "Library laptop 2",
            "seen_at": "2025-03-04T10:15",
        },
    )
    assert response.status_code == 302
    [report] = _reports(db)
    assert report.kind is ReportKind.INAPPROPRIATE_CONTENT
    assert report.site_address == "games.example.com/page"
    assert report.device_location == "Library laptop 2"
    # 10:15 in March is GMT, so the same in UTC.
    assert report.occurred_at == datetime(2025, 3, 4, 10, 15, tzinfo=UTC)


def test_a_summer_time_is_stored_as_utc(make, client, db, academy):
    client.login(make.user(Role.STAFF, academy).username)
    client.post(
        "/reports/website",
        data={"site_address": "x.example", "description": "y", "seen_at": "2025-06-04T10:15"},
    )
    [report] = _reports(db)
    assert report.occurred_at == datetime(2025, 6, 4, 9, 15, tzinfo=UTC)


def test_a_future_time_is_refused(make, client, db, academy):
    client.login(make.user(Role.STAFF, academy).username)
    response = client.post(
        "/reports/website",
        data={"site_address": "x.example", "description": "y", "seen_at": "2999-01-01T10:00"},
    )
    assert response.status_code == 422
    assert "That date and time is in the future." in response.get_data(as_text=True)


def test_staff_ask_for_a_blocked_site(make, client, db, academy):
    staff = make.user(Role.STAFF, academy)
    client.login(staff.username)
    missing = client.post("/reports/blocked-site", data={"site_address": "maps.example"})
    assert missing.status_code == 422
    assert "Say why you need the website." in missing.get_data(as_text=True)
    assert 'value="maps.example"' in missing.get_data(as_text=True)

    response = client.post(
        "/reports/blocked-site",
        data={
            "site_address": "maps.example",
            "reason": "Year 5 geography",
            "needed_by": "2025-04-01",
        },
    )
    assert response.status_code == 302
    [report] = _reports(db)
    assert report.kind is ReportKind.BLOCKED_ACCESS
    assert report.needed_by_on.isoformat() == "2025-04-01"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "The head teacher has not decided yet." in page


def test_staff_report_a_contact_attempt(make, client, db, academy):
    client.login(make.user(Role.STAFF, academy).username)
    no_direction = client.post(
        "/reports/contact",
        data={"other_party": "A parent", "platform": "Facebook", "description": "request"},
    )
    assert no_direction.status_code == 422
    assert "Choose who contacted whom." in no_direction.get_data(as_text=True)

    response = client.post(
        "/reports/contact",
        data={
            "direction": "to_staff",
            "other_party": "A Year 6 parent",
            "platform": "Facebook",
            "description": "Sent me a friend request",
        },
    )
    assert response.status_code == 302
    [report] = _reports(db)
    assert report.kind is ReportKind.CONTACT_ATTEMPT
    assert report.direction is ContactDirection.TO_STAFF
    assert report.where_online == "Facebook"


def test_a_parent_reports_a_member_of_staff_contacting_them(make, client, db, academy):
    client.login(make.user(Role.PARENT, academy).username)
    response = client.post(
        "/reports/contact",
        data={
            "direction": "from_staff",
            "other_party": "A teacher",
            "platform": "Instagram",
            "description": "They followed my child",
        },
    )
    assert response.status_code == 302
    assert _reports(db)[0].direction is ContactDirection.FROM_STAFF


def test_a_cyberbullying_record_needs_the_capture_time_of_its_evidence(make, client, db, academy):
    client.login(make.user(Role.STAFF, academy).username)
    data = {
        "person_affected": "Mr Green",
        "other_party": "Unknown account",
        "perpetrator_kind": "adult",
        "platform": "X",
        "occurred_at": "2025-03-01T20:00",
        "description": "Abusive replies",
    }
    without_time = client.post(
        "/reports/cyberbullying",
        data={**data, "evidence": (io.BytesIO(png_bytes()), "replies.png")},
        content_type="multipart/form-data",
    )
    assert without_time.status_code == 422
    assert "Enter when the evidence was captured." in without_time.get_data(as_text=True)
    assert _reports(db) == []

    response = client.post(
        "/reports/cyberbullying",
        data={
            **data,
            "captured_at": "2025-03-01T20:30",
            "evidence": (io.BytesIO(png_bytes()), "replies.png"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    [report] = _reports(db)
    assert report.perpetrator_kind is PerpetratorKind.ADULT
    assert report.person_affected == "Mr Green"
    attachment = db.scalar(select(Attachment))
    assert attachment.captured_at == datetime(2025, 3, 1, 20, 30, tzinfo=UTC)


def test_senders_see_progress_but_never_the_teams_notes(make, client, db, academy, app):
    from elearn.db import utcnow
    from elearn.safeguarding import handling
    from tests.safeguarding.helpers import file_report

    pupil = make.user(Role.PUPIL, academy)
    dsl = make.user(Role.DSL, academy)
    report = file_report(db, pupil, ReportKind.TELL, app.config["ELEARN"]["DATA_DIR"])
    handling.add_entry(db, dsl, report, text="Spoke to mum; very private detail", now=utcnow())
    handling.close(db, dsl, report, "Family supported; private outcome", now=utcnow())
    db.commit()

    client.login(pupil.username)
    page = client.get(f"/reports/mine/{report.id}").get_data(as_text=True)
    assert "A grown-up has looked at your message and dealt with it." in page
    assert "private" not in page


def test_a_report_list_shows_what_the_person_sent(make, client, db, academy, app):
    from tests.safeguarding.helpers import file_report

    staff = make.user(Role.STAFF, academy)
    other = make.user(Role.STAFF, academy)
    mine = file_report(db, staff, ReportKind.BLOCKED_ACCESS, app.config["ELEARN"]["DATA_DIR"])
    theirs = file_report(db, other, ReportKind.CYBERBULLYING, app.config["ELEARN"]["DATA_DIR"])
    client.login(staff.username)
    page = client.get("/reports/").get_data(as_text=True)
    assert f"/reports/mine/{mine.id}" in page
    assert f"/reports/mine/{theirs.id}" not in page
    assert client.get(f"/reports/mine/{theirs.id}").status_code == 404


def test_trust_admins_are_told_reports_stay_with_academies(make, client):
    admin = make.user(Role.ADMIN, None)
    client.login(admin.username)
    page = client.get("/reports/").get_data(as_text=True)
    assert "Trust administrators cannot open them." in page
    assert client.get("/reports/inbox").status_code == 403


def test_pupils_get_the_website_form_in_their_own_words(make, client, db, academy):
    client.login(make.user(Role.PUPIL, academy).username)
    page = client.get("/reports/website").get_data(as_text=True)
    assert "Tell us about a website" in page and "Which website was it?" in page
    assert "designated senior leader" not in page
    response = client.post(
        "/reports/website", data={"site_address": "scary.example", "description": "A scary face"}
    )
    assert response.status_code == 302
    assert _reports(db)[0].kind is ReportKind.INAPPROPRIATE_CONTENT
