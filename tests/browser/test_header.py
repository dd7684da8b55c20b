"""The header on a phone: compact, with a menu that opens and works from the keyboard."""

from __future__ import annotations

import pytest

from elearn.auth.roles import Role
from tests.browser.conftest import sign_in

PHONE = {"width": 390, "height": 844}


def _header_height(page) -> float:
    return page.locator("header.site-header").bounding_box()["height"]


@pytest.mark.parametrize("role", [Role.HEAD, Role.PUPIL])
def test_phone_header_is_compact_and_its_menu_works_by_keyboard(page, a11y, make, role):
    person = make.user(role, make.academy(), year_group=5 if role is Role.PUPIL else None)
    page.set_viewport_size(PHONE)
    sign_in(page, a11y, person.username)
    a11y.check(page)
    assert _header_height(page) < 120
    menu = page.get_by_text("Menu", exact=True)
    assert menu.is_visible()
    nav = page.get_by_role("navigation", name="Main")
    assert not nav.is_visible()  # folded away until asked for
    if role is Role.PUPIL:
        assert page.get_by_role("link", name="Tell a trusted adult").is_visible()

    menu.focus()
    page.keyboard.press("Enter")
    assert nav.is_visible()
    a11y.check(page)
    assert page.get_by_role("button", name="Sign out").is_visible()
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent.trim()")
    assert focused == "Home"
    with page.expect_navigation():
        page.keyboard.press("Enter")  # follows the link
    a11y.check(page)
    assert _header_height(page) < 120
    page.keyboard.press("Tab")  # skip link
    page.keyboard.press("Tab")  # brand
    if role is Role.PUPIL:
        page.keyboard.press("Tab")  # tell a trusted adult
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Menu"
    page.keyboard.press("Space")
    assert nav.is_visible()
    page.keyboard.press("Space")
    assert not nav.is_visible()


def test_wide_screen_shows_the_menu_without_a_toggle(page, a11y, make):
    head = make.user(Role.HEAD, make.academy())
    page.set_viewport_size({"width": 1280, "height": 800})
    sign_in(page, a11y, head.username)
    a11y.check(page)
    assert page.get_by_role("navigation", name="Main").is_visible()
    assert page.get_by_role("link", name="Report a concern").is_visible()
    assert not page.get_by_text("Menu", exact=True).is_visible()
