"""The people list in a real browser: search, pages that keep the search, and a phone."""

from __future__ import annotations

import pytest

from elearn.auth.models import User
from elearn.auth.roles import Role
from tests.browser.conftest import sign_in
from tests.factories import _PASSWORD_HASH

pytestmark = pytest.mark.browser


@pytest.fixture
def crowd(make, db):
    academy = make.academy("Oakwood Primary")
    db.add_all(
        User(
            username=f"oak-{n:03d}",
            display_name=f"Oak Pupil {n:03d}",
            role=Role.PUPIL,
            academy_id=academy.id,
            year_group=4,
            password_hash=_PASSWORD_HASH,
        )
        for n in range(70)
    )
    db.commit()
    make.user(Role.PUPIL, academy, display_name="Ava Jones")
    return make.user(Role.ADMIN, display_name="Alex Admin")


def test_an_admin_searches_and_pages_through_people(page, a11y, crowd):
    sign_in(page, a11y, crowd.username)
    a11y.check(page)
    page.goto("/admin/people")
    a11y.check(page)
    page.get_by_label("Name, username, e-mail or roster id").fill("OAK PUPIL")
    page.get_by_role("button", name="Show").click()
    page.wait_for_load_state("load")
    a11y.check(page)
    assert page.get_by_text("Showing 1 to 50 of 70 people.").is_visible()

    page.get_by_role("navigation", name="Pages of people").get_by_role("link", name="Next").click()
    page.wait_for_load_state("load")
    a11y.check(page)
    assert page.get_by_text("Showing 51 to 70 of 70 people.").is_visible()
    assert page.get_by_label("Name, username, e-mail or roster id").input_value() == "OAK PUPIL"
    assert page.get_by_role("link", name="Ava Jones").count() == 0


def test_the_people_list_fits_a_phone(browser, live_server, a11y, crowd):
    context = browser.new_context(
        base_url=live_server, viewport={"width": 375, "height": 740}, is_mobile=True
    )
    phone = context.new_page()
    sign_in(phone, a11y, crowd.username)
    a11y.check(phone)
    phone.goto("/admin/people")
    a11y.check(phone)
    assert phone.evaluate("() => document.documentElement.scrollWidth") <= 375
    context.close()
