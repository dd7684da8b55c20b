"""On a phone, a DSL picks up a new report from their home page and works the case: risk,
category, a LADO referral and a follow-up date, each one in the chronology."""

from __future__ import annotations

import re

import pytest

from elearn.auth.roles import Role
from elearn.compliance.rules import uk_date
from elearn.db import utcnow
from elearn.safeguarding.models import ReportKind
from tests.browser.conftest import sign_in
from tests.safeguarding.helpers import file_report

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
REFERENCE = "LADO-2026-114"


def _fits_the_screen(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def _chronology(page) -> str:
    return page.locator("ol.sg-chronology").inner_text()


def test_dsl_works_a_case_from_the_home_page_on_a_phone(page, a11y, make, db, app_config):
    academy = make.academy("Oakwood Academy")
    pupil = make.user(Role.PUPIL, academy, display_name="Ruby Shah", year_group=9)
    mum = make.user(Role.PARENT, academy, display_name="Mina Shah", email="mina@home.example")
    make.link(mum, pupil)
    dsl = make.user(Role.DSL, academy, display_name="Dee Lead")
    report = file_report(db, pupil, ReportKind.TELL, app_config["DATA_DIR"])
    today = uk_date(utcnow())

    page.set_viewport_size(PHONE)
    sign_in(page, a11y, dsl.username)
    a11y.check(page)
    watch = page.get_by_role("region", name=re.compile("^Safeguarding at Oakwood Academy"))
    assert re.search(r"1\s+new report, the oldest waiting", watch.inner_text())
    assert "No follow-ups are due." in watch.inner_text()
    assert _fits_the_screen(page)

    watch.get_by_role("link", name=f"Pupil told a trusted adult #{report.id}").click()
    page.wait_for_url(f"**/reports/inbox/{report.id}")
    a11y.check(page)
    assert _fits_the_screen(page)
    case = page.get_by_role("region", name="The case")
    assert "Ruby Shah" in case.inner_text() and "mina@home.example" in case.inner_text()

    page.get_by_label("High", exact=True).check()
    page.get_by_role("button", name="Save risk level").click()
    page.wait_for_load_state("load")
    a11y.check(page)
    assert page.get_by_text("The risk level is saved.").is_visible()

    page.get_by_label("Category").select_option(label="Staff conduct")
    page.get_by_role("button", name="Save category").click()
    page.wait_for_load_state("load")
    a11y.check(page)
    assert page.get_by_text("The category is saved.").is_visible()

    page.get_by_label("LADO (local authority designated officer)").check()
    page.get_by_label("Date of the referral").fill(today.isoformat())
    page.get_by_label("Reference", exact=True).fill(REFERENCE)
    page.get_by_role("button", name="Record the referral").click()
    page.wait_for_load_state("load")
    a11y.check(page)
    assert page.get_by_text("The referral is recorded.").is_visible()
    referrals = page.get_by_role("table", name="Referrals to other agencies")
    assert REFERENCE in referrals.inner_text() and "LADO" in referrals.inner_text()
    assert _fits_the_screen(page)

    page.get_by_label("Follow-up date").fill(today.isoformat())
    page.get_by_label("What to follow up (optional)").fill("Check the LADO's advice")
    page.get_by_role("button", name="Save follow-up").click()
    page.wait_for_load_state("load")
    a11y.check(page)
    assert page.get_by_text("The follow-up date is saved.").is_visible()

    chronology = _chronology(page)
    for heading, detail in (
        ("Risk level", "High"),
        ("Category", "Staff conduct"),
        ("Referral recorded", REFERENCE),
        ("Follow-up date", "Check the LADO's advice"),
    ):
        assert heading in chronology and detail in chronology, heading
    assert chronology.index("Risk level") < chronology.index("Follow-up date")
    log = page.get_by_role("table", name="Access log").inner_text()
    assert "Set the risk level" in log and "Recorded a referral" in log

    page.goto("/")
    a11y.check(page)
    watch = page.get_by_role("region", name=re.compile("^Safeguarding at Oakwood Academy"))
    follow_ups = watch.get_by_role("list").nth(1)
    assert f"#{report.id}" in follow_ups.inner_text() and "Due" in follow_ups.inner_text()
    assert re.search(r"1\s+follow-up due", watch.inner_text())
    assert re.search(r"1\s+open case", watch.inner_text())
    assert _fits_the_screen(page)
