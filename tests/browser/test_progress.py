"""Pupil progress in a real browser: filters, the follow-up list, printing and a phone."""

from __future__ import annotations

import pytest

from elearn.auth.roles import Role
from tests.browser.conftest import sign_in
from tests.progress.helpers import history

pytestmark = pytest.mark.browser


@pytest.fixture
def year5(make, db):
    academy = make.academy("Oakwood Primary", code="oakwood")
    ava = make.user(Role.PUPIL, academy, display_name="Ava Jones", year_group=5)
    ben = make.user(Role.PUPIL, academy, display_name="Ben Ode", year_group=5)
    make.user(Role.PUPIL, academy, display_name="Cal Lee", year_group=4)
    history(db, ava, lessons=5, scores=(5.0,), finished=True)
    history(db, ben, lessons=2, scores=(2.0,))
    db.commit()
    return make.user(Role.STAFF, academy, display_name="Tia Teacher")


def test_a_teacher_finds_who_has_not_finished_in_their_year_group(page, a11y, year5):
    sign_in(page, a11y, year5.username)
    a11y.check(page)
    page.get_by_role("link", name="Pupil progress").click()
    page.wait_for_load_state("load")
    a11y.check(page)
    table = page.get_by_role("table", name="Progress in Be SMART online")
    assert table.get_by_role("rowheader", name="Cal Lee", exact=False).is_visible()

    page.get_by_label("Year group").select_option(label="Year 5")
    page.get_by_label("Only pupils who have not finished").check()
    page.get_by_role("button", name="Show").click()
    page.wait_for_load_state("load")
    a11y.check(page)
    assert "1 pupil have not finished this course." in page.content()
    table = page.get_by_role("table", name="Progress in Be SMART online, Year 5")
    row = table.get_by_role("row", name="Ben Ode", exact=False)
    assert "Best score 40%" in row.inner_text()
    assert table.get_by_role("rowheader", name="Ava Jones", exact=False).count() == 0

    with page.expect_download() as download:
        page.get_by_role("link", name="Download as a spreadsheet (CSV)").click()
    assert download.value.suggested_filename.startswith("progress-oakwood-smart-ks2-year5-")

    page.emulate_media(media="print")
    assert not page.get_by_role("button", name="Show").is_visible()
    assert table.is_visible()


def test_the_progress_page_fits_a_phone(browser, live_server, a11y, year5):
    context = browser.new_context(
        base_url=live_server, viewport={"width": 375, "height": 740}, is_mobile=True
    )
    phone = context.new_page()
    sign_in(phone, a11y, year5.username)
    a11y.check(phone)
    phone.goto("/progress?year=5")
    a11y.check(phone)
    width = phone.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 375, "the page scrolls sideways on a phone (only the table may scroll)"
    context.close()
