"""Pupil and parent engagement on the trust overview, in a real browser and on a phone."""

from __future__ import annotations

import pytest

from elearn.auth.roles import Role
from tests.browser.conftest import sign_in
from tests.progress.helpers import history

pytestmark = pytest.mark.browser


def test_engagement_chart_and_table_on_a_phone(browser, live_server, a11y, make, db):
    oakwood = make.academy("Oakwood Primary")
    make.academy("Elmfield Secondary")
    ava = make.user(Role.PUPIL, oakwood, year_group=5)
    make.user(Role.PUPIL, oakwood, year_group=5)
    make.user(Role.PARENT, oakwood)
    history(db, ava, lessons=5, scores=(5.0,), finished=True)
    db.commit()
    admin = make.user(Role.ADMIN)

    context = browser.new_context(
        base_url=live_server, viewport={"width": 375, "height": 740}, is_mobile=True
    )
    phone = context.new_page()
    sign_in(phone, a11y, admin.username)
    a11y.check(phone)
    phone.goto("/compliance/trust")
    a11y.check(phone)
    chart = phone.get_by_role(
        "img", name="Share of pupils and parents who finished each course, by academy"
    )
    assert chart.is_visible()
    table = phone.get_by_role(
        "table", name="Pupils and parents who started and finished each course, by academy"
    )
    row = table.get_by_role("row", name="Oakwood Primary", exact=False)
    assert "1 of 2 finished (50%)" in row.inner_text()
    assert phone.evaluate("() => document.documentElement.scrollWidth") <= 375
    context.close()
