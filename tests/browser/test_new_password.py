import pytest

from elearn.auth.roles import Role
from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser


def test_a_pupil_given_a_new_password_chooses_their_own_first(page, a11y, make):
    academy = make.academy("Oakwood Primary")
    pupil = make.user(
        Role.PUPIL, academy, display_name="Ruby Shah", year_group=4, must_change_password=True
    )
    sign_in(page, a11y, pupil.username)
    page.wait_for_url("**/password/new")
    assert page.get_by_role("heading", level=1).inner_text() == "Choose your own password"
    a11y.check(page)

    page.get_by_label("Your new password").fill("ruby likes otters")
    page.get_by_label("Type it again").fill("ruby likes otter")
    page.get_by_role("button", name="Save my new password").click()
    assert "not the same" in page.get_by_role("alert").inner_text()
    a11y.check(page)

    page.get_by_label("Your new password").fill("ruby likes otters")
    page.get_by_label("Type it again").fill("ruby likes otters")
    page.get_by_role("button", name="Save my new password").click()
    page.wait_for_url("**/")
    assert page.get_by_role("heading", level=1).inner_text() == "Hello, Ruby!"
    assert page.get_by_text("Your new password is saved").is_visible()
    a11y.check(page)
