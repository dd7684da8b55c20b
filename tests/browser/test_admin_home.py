"""The admin home page and the content page in a real browser, on a desk and on a phone."""

from __future__ import annotations

import pytest

from elearn.auth.roles import Role
from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser


def test_admin_home_leads_to_the_content_page_and_previews(page, a11y, make):
    make.academy("Oakwood Primary")
    admin = make.user(Role.ADMIN, display_name="Alex Admin")
    sign_in(page, a11y, admin.username)
    a11y.check(page)
    assert page.get_by_role("heading", name="The trust today").is_visible()
    assert page.get_by_role("table", name="People by role (active accounts)").is_visible()

    shortcuts = page.get_by_role("navigation", name="Shortcuts")
    shortcuts.get_by_role("link", name="Content").click()
    page.wait_for_load_state("load")
    a11y.check(page)
    assert page.get_by_text("The content check found no problems").is_visible()
    page.get_by_role("link", name="S is for Safe", exact=True).click()
    page.wait_for_load_state("load")
    a11y.check(page)
    assert "records nothing" in page.get_by_role("note").inner_text()
    page.goto("/content/smart-ks2/questions")
    a11y.check(page)
    assert page.get_by_role("group", name="Question 1", exact=True).is_visible()


def test_admin_home_and_content_fit_a_phone(browser, live_server, a11y, make):
    admin = make.user(Role.ADMIN)
    context = browser.new_context(
        base_url=live_server, viewport={"width": 375, "height": 740}, is_mobile=True
    )
    phone = context.new_page()
    sign_in(phone, a11y, admin.username)
    a11y.check(phone)
    assert phone.evaluate("() => document.documentElement.scrollWidth") <= 375
    phone.goto("/content")
    a11y.check(phone)
    assert phone.evaluate("() => document.documentElement.scrollWidth") <= 375
    context.close()
