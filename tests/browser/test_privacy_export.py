"""The readable subject access copy in a real browser: reachable, accessible, fits a phone
and prints without its buttons."""

from __future__ import annotations

import pytest

from elearn.auth.roles import Role
from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser


def test_an_administrator_opens_prints_and_reads_the_copy_on_a_phone(page, a11y, make):
    academy = make.academy("Oakwood Primary")
    pupil = make.user(Role.PUPIL, academy, display_name="Ruby Shah", username="ruby.shah")
    admin = make.user(Role.ADMIN, display_name="Alex Admin")

    sign_in(page, a11y, admin.username)
    a11y.check(page)
    page.goto(f"/admin/people/{pupil.id}")
    a11y.check(page)
    page.get_by_role("button", name="Readable copy to print").click()
    page.wait_for_load_state("load")
    a11y.check(page)
    assert page.get_by_role("heading", name="Personal data held about Ruby Shah").is_visible()
    assert page.get_by_role("heading", name="How this data is used, kept and shared").is_visible()
    assert page.get_by_role("heading", name="Your rights").is_visible()
    assert page.get_by_role("heading", name="About you").is_visible()

    page.set_viewport_size({"width": 360, "height": 740})
    a11y.check(page)
    overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0

    page.emulate_media(media="print")
    download = page.get_by_role("button", name="Download the same data (JSON)")
    assert not download.is_visible()
    assert page.get_by_role("heading", name="Your rights").is_visible()
