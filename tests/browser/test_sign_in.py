import pytest

from elearn.auth.roles import Role
from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser


def test_pupil_signs_in_and_sees_the_pupil_home_page(page, a11y, make):
    academy = make.academy("Oakwood Primary")
    pupil = make.user(Role.PUPIL, academy, display_name="Ruby Shah", year_group=4)
    sign_in(page, a11y, pupil.username)
    assert page.get_by_role("heading", level=1).inner_text() == "Hello, Ruby!"
    a11y.check(page)

    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/login")
    a11y.check(page)
    assert page.get_by_text("You have signed out.").is_visible()


def test_wrong_password_shows_an_error_summary(page, a11y, make):
    staff = make.user(Role.STAFF, make.academy())
    sign_in(page, a11y, staff.username, "not it")
    alert = page.get_by_role("alert")
    assert "do not match" in alert.inner_text()
    a11y.check(page)


def test_home_page_fits_a_phone_screen(browser, live_server, a11y, make):
    parent = make.user(Role.PARENT, make.academy(), display_name="Dana Reid")
    context = browser.new_context(
        base_url=live_server, viewport={"width": 375, "height": 740}, is_mobile=True
    )
    phone = context.new_page()
    sign_in(phone, a11y, parent.username)
    assert "Welcome, Dana" in phone.get_by_role("heading", level=1).inner_text()
    width = phone.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 375, "the page scrolls sideways on a phone"
    a11y.check(phone)
    context.close()


def test_the_accessibility_check_catches_a_real_violation(page, a11y):
    page.goto("/login")
    a11y.check(page)
    page.evaluate(
        "() => { const i = document.createElement('input'); i.type = 'text';"
        " document.querySelector('main').appendChild(i); }"
    )
    with pytest.raises(AssertionError, match="label"):
        a11y.check(page)
