"""A DSL sends reminders from the dashboard: to everyone overdue, then to one person."""

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


def test_dsl_reminds_everyone_overdue_then_nobody_twice(smtp, page, a11y, demo):
    sign_in(page, a11y, "dsl.riverside", DEMO_PASSWORD)
    a11y.check(page)
    page.goto("/compliance/?status=overdue")
    a11y.check(page)
    page.get_by_role("link", name="Send a reminder to everyone overdue in this view").click()
    page.wait_for_load_state("load")
    a11y.check(page)
    assert (
        page.get_by_role("heading", level=1)
        .inner_text()
        .startswith("Send a reminder to everyone overdue")
    )
    recipients = page.locator(".reminder-list > li > strong").all_inner_texts()
    assert recipients, "the demo data has overdue staff with e-mail addresses"
    assert smtp.messages == []

    page.get_by_role("button", name=f"Send {len(recipients)} reminder").click()
    page.wait_for_load_state("load")
    a11y.check(page)
    assert "status=overdue" in page.url
    confirmation = page.get_by_role("status").inner_text()
    assert f"Reminder sent to {len(recipients)}" in confirmation
    assert len(smtp.messages) == len(recipients)

    page.get_by_role("link", name="Send a reminder to everyone overdue in this view").click()
    page.wait_for_load_state("load")
    a11y.check(page)
    assert page.get_by_role("heading", name="Already reminded today").is_visible()
    assert page.get_by_role("button", name="Send").count() == 0
    page.get_by_role("link", name="Back", exact=True).click()
    page.wait_for_load_state("load")
    a11y.check(page)
    assert len(smtp.messages) == len(recipients)


PHONE = {"width": 390, "height": 844}


def _fits_the_screen(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.parametrize("viewport", [None, PHONE], ids=["desktop", "phone"])
def test_dsl_reminds_one_person_from_their_record(smtp, page, a11y, demo, viewport):
    if viewport:
        page.set_viewport_size(viewport)
    sign_in(page, a11y, "dsl.riverside", DEMO_PASSWORD)
    a11y.check(page)
    page.goto("/compliance/?status=window_open")
    a11y.check(page)
    name = page.locator("table.matrix tbody th[scope=row]").first.inner_text()
    page.get_by_role("link", name=name, exact=True).click()
    page.wait_for_load_state("load")
    a11y.check(page)
    page.get_by_role("link", name="Send a reminder").click()
    page.wait_for_load_state("load")
    a11y.check(page)
    assert page.get_by_role("heading", level=1).inner_text() == f"Send a reminder to {name}"
    assert _fits_the_screen(page)
    page.get_by_role("button", name="Send 1 reminder").click()
    page.wait_for_load_state("load")
    a11y.check(page)
    assert page.get_by_role("heading", level=1).inner_text() == f"Training record: {name}"
    assert f"Reminder sent to 1 person: {name}." in page.get_by_role("status").inner_text()
    assert len(smtp.messages) == 1
