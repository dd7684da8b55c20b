"""Parents and carers in a real browser, on a phone: contacts, a child's record and lessons."""

from __future__ import annotations

import pytest

from elearn.auth.roles import Role
from tests.browser.conftest import sign_in
from tests.progress.helpers import history

pytestmark = pytest.mark.browser


def test_head_sets_contacts_and_a_parent_on_a_phone_reads_their_childs_lesson(
    browser, live_server, page, a11y, make, db
):
    academy = make.academy("Oakwood Primary")
    head = make.user(Role.HEAD, academy, display_name="Hana Head")
    make.user(Role.DSL, academy, display_name="Dee Lead")
    ava = make.user(Role.PUPIL, academy, display_name="Ava Jones", year_group=5)
    parent = make.user(Role.PARENT, academy, display_name="Cara Jones")
    make.link(parent, ava)
    history(db, ava, lessons=1, scores=(5.0,))
    db.commit()

    sign_in(page, a11y, head.username)
    a11y.check(page)
    page.get_by_role("link", name="People").click()
    page.wait_for_load_state("load")
    a11y.check(page)
    page.get_by_role("link", name="Contact details for parents").click()
    page.wait_for_load_state("load")
    a11y.check(page)
    page.get_by_label("Designated safeguarding lead parents should contact").select_option(
        label="Dee Lead (Designated safeguarding lead)"
    )
    page.get_by_label("Office phone number").fill("not a number")
    page.get_by_label("Office e-mail address").fill("office@oakwood.example")
    page.get_by_role("button", name="Save contact details").click()
    page.wait_for_load_state("load")
    a11y.check(page)
    assert page.get_by_text("Enter a phone number, for example 01642 123456.").first.is_visible()
    assert page.get_by_label("Office e-mail address").input_value() == "office@oakwood.example"
    page.get_by_label("Office phone number").fill("01642 123456")
    page.get_by_role("button", name="Save contact details").click()
    page.wait_for_load_state("load")
    a11y.check(page)
    assert page.get_by_text("Contact details saved.").is_visible()

    context = browser.new_context(
        base_url=live_server, viewport={"width": 375, "height": 740}, is_mobile=True
    )
    phone = context.new_page()
    sign_in(phone, a11y, parent.username)
    a11y.check(phone)
    contact = phone.get_by_role("complementary", name="Worried about something? Talk to the school")
    assert "Dee Lead" in contact.inner_text()
    assert (
        contact.get_by_role("link", name="01642 123456").get_attribute("href") == "tel:01642123456"
    )
    assert phone.evaluate("() => document.documentElement.scrollWidth") <= 375

    phone.get_by_role("link", name="Ava Jones").click()
    phone.wait_for_load_state("load")
    a11y.check(phone)
    assert phone.get_by_text("best score 100%").is_visible()
    phone.get_by_role("link", name="M is for Meeting").click()
    phone.wait_for_load_state("load")
    a11y.check(phone)
    assert phone.get_by_role("note").inner_text().startswith("You are reading Ava's lesson")
    assert phone.evaluate("() => document.documentElement.scrollWidth") <= 375
    context.close()
