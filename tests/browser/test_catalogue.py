import pytest

from elearn.auth.roles import Role
from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser

EXPECTED = {
    Role.PUPIL: ["Be SMART online"],
    Role.PARENT: ["a guide for parents and carers"],
    Role.STAFF: ["staff induction", "annual safeguarding refresher", "read and sign"],
}


def _titles(page) -> list[str]:
    return [t.strip() for t in page.locator(".cards .card-title").all_inner_texts()]


@pytest.mark.parametrize("role", [Role.PUPIL, Role.PARENT, Role.STAFF])
def test_each_role_sees_exactly_its_own_catalogue(page, a11y, make, app, role):
    catalog = app.extensions["elearn.catalog"].get()
    person = make.user(role, make.academy(), year_group=5 if role is Role.PUPIL else None)
    sign_in(page, a11y, person.username)
    a11y.check(page)
    page.get_by_role("link", name="Lessons").click()
    a11y.check(page)
    shown = _titles(page)
    expected = [
        c.title
        for c in catalog.courses
        if c.audience.includes(role, year_group=person.year_group, staff_kind=person.staff_kind)
    ]
    assert shown == expected and shown
    everyone_else = {c.title for c in catalog.courses} - set(expected)
    assert not everyone_else & set(shown)
    for fragment in EXPECTED[role]:
        assert any(fragment.lower() in title.lower() for title in shown), (fragment, shown)
