"""Whoever signs in as the sender sees that a report arrived and how far it has got, never
what it says: a shared or school-reset password means the "same person" cannot be known."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from elearn.auth.roles import Role
from elearn.safeguarding.models import Report, ReportKind
from tests.safeguarding.helpers import file_report, png_bytes

WORDS = "My uncle sends me photos and says keep it secret"
WHERE = "Snapgram messages"
FILE_NAME = "uncle-photo.png"


@pytest.fixture
def academy(make):
    return make.academy("Oakwood Primary")


def _tell(client) -> Report:
    response = client.post(
        "/reports/tell",
        data={
            "what_happened": WORDS,
            "where": WHERE,
            "when": "yesterday",
            "screenshot": (io.BytesIO(png_bytes()), FILE_NAME),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    return response


def _assert_no_content(page: str) -> None:
    assert WORDS not in page
    assert WHERE not in page
    assert FILE_NAME not in page
    assert "/reports/files/" not in page
    assert "Yesterday" not in page


def test_a_member_of_staff_with_the_pupils_password_cannot_read_the_report(make, app, db, academy):
    pupil = make.user(Role.PUPIL, academy, password="shared-class-password")
    teacher = make.user(Role.STAFF, academy)
    pupil_browser = app.test_client()
    pupil_browser.login(pupil.username, "shared-class-password")
    sent = _tell(pupil_browser)
    # Even the browser that sent it is not shown the words again.
    _assert_no_content(pupil_browser.get(sent.headers["Location"]).get_data(as_text=True))
    db.rollback()
    report = db.scalar(select(Report))

    staff_browser = app.test_client()
    staff_browser.login(teacher.username)
    staff_browser.logout()
    assert staff_browser.login(pupil.username, "shared-class-password").status_code == 302
    for path in (f"/reports/mine/{report.id}", "/reports/", "/", "/my-data"):
        response = staff_browser.get(path)
        assert response.status_code == 200, path
        _assert_no_content(response.get_data(as_text=True))
    page = staff_browser.get(f"/reports/mine/{report.id}").get_data(as_text=True)
    assert "We got your message" in page
    assert staff_browser.get(f"/reports/files/{report.attachments[0].id}").status_code == 403


@pytest.mark.parametrize(
    "kind", [k for k in ReportKind if k is not ReportKind.TELL], ids=lambda kind: kind.value
)
def test_an_adults_own_view_shows_kind_date_and_status_only(make, client, db, academy, app, kind):
    reporter = make.user(Role.PARENT if kind is ReportKind.PARENT_CONCERN else Role.STAFF, academy)
    report = file_report(
        db, reporter, kind, app.config["ELEARN"]["DATA_DIR"], with_file=png_bytes()
    )
    client.login(reporter.username)
    page = client.get(f"/reports/mine/{report.id}").get_data(as_text=True)
    assert report.kind.label in page
    assert "New" in page
    for value in (
        report.description,
        report.where_online,
        report.site_address,
        report.device_location,
        report.other_party,
        report.person_affected,
        report.attachments[0].original_name,
    ):
        if value:
            assert value not in page
    assert "never what it says" in page


def test_the_sent_flash_and_the_page_title_carry_no_content(make, client, db, academy):
    client.login(make.user(Role.PUPIL, academy).username)
    response = client.post("/reports/tell", data={"what_happened": WORDS}, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "Thank you for telling us." in page
    assert WORDS not in page
