"""A DSL checks who is overdue in the demo trust, filters, exports; an admin compares academies."""

import csv
import io

import pytest

from elearn.compliance.rules import uk_date
from elearn.db import utcnow
from elearn.demo import DEMO_PASSWORD, seed_demo
from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
def demo(db):
    seed_demo(db, today=uk_date(utcnow()))
    db.commit()


def table_names(page) -> list[str]:
    return page.locator("table.matrix tbody th[scope=row]").all_inner_texts()


def test_dsl_finds_overdue_staff_filters_and_exports(page, a11y, demo):
    sign_in(page, a11y, "dsl.riverside", DEMO_PASSWORD)
    a11y.check(page)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Dashboard").click()
    page.wait_for_load_state("load")
    a11y.check(page)
    assert "Riverside Primary Academy" in page.get_by_role("heading", level=1).inner_text()

    everyone = table_names(page)
    overdue_rows = page.locator(
        "table.matrix tbody tr", has=page.locator(".tag-bad", has_text="Overdue")
    )
    overdue_names = overdue_rows.locator("th[scope=row]").all_inner_texts()
    assert overdue_names, "the demo data has overdue staff"
    assert len(overdue_names) < len(everyone)

    page.get_by_label("Status", exact=True).select_option(label="Overdue")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_load_state("load")
    a11y.check(page)
    assert "status=overdue" in page.url
    assert sorted(table_names(page)) == sorted(overdue_names)

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download CSV").click()
    download = download_info.value
    assert download.suggested_filename.startswith("training-riverside-")
    with open(download.path(), encoding="utf-8-sig") as handle:
        text = handle.read()
    rows = list(csv.DictReader(io.StringIO(text)))
    assert sorted(row["Name"] for row in rows) == sorted(overdue_names)
    for row in rows:
        statuses = [value for key, value in row.items() if key.endswith(": status")]
        assert "Overdue" in statuses


def test_dsl_opens_a_record_and_records_offline_training(page, a11y, demo):
    sign_in(page, a11y, "dsl.riverside", DEMO_PASSWORD)
    a11y.check(page)
    page.goto("/compliance/?status=overdue")
    a11y.check(page)
    name = table_names(page)[0]
    page.get_by_role("link", name=name, exact=True).click()
    page.wait_for_load_state("load")
    a11y.check(page)
    assert page.get_by_role("heading", level=1).inner_text() == f"Training record: {name}"

    page.get_by_role("link", name="Record training done elsewhere").click()
    page.wait_for_load_state("load")
    a11y.check(page)
    page.get_by_role("button", name="Record training").click()
    page.wait_for_load_state("load")
    a11y.check(page)
    assert "There is a problem" in page.get_by_role("alert").inner_text()

    page.get_by_label("Course", exact=True).select_option(index=1)
    page.get_by_label("Date the training was done").fill(uk_date(utcnow()).isoformat())
    page.get_by_label("Evidence", exact=True).fill("INSET day; signed register in the staff office")
    page.get_by_role("button", name="Record training").click()
    page.wait_for_load_state("load")
    a11y.check(page)
    assert "Recorded" in page.get_by_role("status").inner_text()
    assert page.get_by_text("Evidence: INSET day; signed register in the staff office").is_visible()


def test_admin_compares_academies_and_drills_down(page, a11y, demo):
    sign_in(page, a11y, "admin", DEMO_PASSWORD)
    a11y.check(page)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Trust overview").click()
    page.wait_for_load_state("load")
    a11y.check(page)
    chart = page.get_by_role("img", name="Completion rate by academy")
    assert chart.is_visible()
    flag = page.get_by_role("region", name="Action needed Academies without an in-date DSL")
    assert "Northfield Secondary Academy" in flag.inner_text()

    academies = page.get_by_role("table", name="Academies side by side", exact=False)
    academies.get_by_role("link", name="Northfield Secondary Academy").click()
    page.wait_for_load_state("load")
    a11y.check(page)
    assert "No DSL with in-date DSL training" in page.content()

    page.get_by_role("link", name="Printable view").click()
    page.wait_for_load_state("load")
    a11y.check(page)
    assert "Staff training report: Northfield Secondary Academy" in page.content()


def test_dashboard_fits_a_phone(browser, live_server, a11y, demo):
    context = browser.new_context(
        base_url=live_server, viewport={"width": 375, "height": 740}, is_mobile=True
    )
    phone = context.new_page()
    sign_in(phone, a11y, "head.riverside", DEMO_PASSWORD)
    a11y.check(phone)
    phone.goto("/compliance/")
    a11y.check(phone)
    width = phone.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 375, "the page scrolls sideways on a phone (only the table may scroll)"
    context.close()
