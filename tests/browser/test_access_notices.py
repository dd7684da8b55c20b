import pytest

from elearn.admin import access_grants
from elearn.auth.roles import Role
from elearn.db import utcnow
from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser


def test_a_lead_sees_who_was_given_safeguarding_access_and_dismisses_it(page, a11y, make):
    academy = make.academy("Oakwood Primary")
    dsl = make.user(Role.DSL, academy, display_name="Dee Lead")
    admin = make.user(Role.ADMIN, display_name="Ada Admin")
    newcomer = make.user(Role.DSL, academy, display_name="Nina New")
    access_grants.note_safeguarding_access(
        make.session, admin, newcomer, access_grants.GRANTED, now=utcnow()
    )
    make.session.commit()

    sign_in(page, a11y, dsl.username)
    notices = page.get_by_role("region", name="Changes to who can read safeguarding reports")
    assert "Ada Admin (trust administrator) made Nina New" in notices.inner_text()
    a11y.check(page)

    notices.get_by_role("button", name="Dismiss").click()
    page.wait_for_load_state("load")
    assert page.get_by_role("heading", level=1).inner_text() == "Welcome, Dee"
    assert page.get_by_text("made Nina New").count() == 0
    a11y.check(page)
