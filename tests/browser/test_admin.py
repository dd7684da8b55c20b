"""Administration in a real browser, with an accessibility check on every page."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from elearn.auth.models import User
from elearn.auth.roles import Role
from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser

ROSTER = (
    "academy,role,name,username,email,year,start date,parent of\n"
    "oakwood,pupil,Ava Jones,ava.jones,,4,,\n"
    "oakwood,pupil,Ben Ode,ben.ode,,4,,\n"
    "oakwood,parent,Cara Jones,cara.jones,cara@mail.example,,,ava.jones\n"
    "oakwood,teacher,Dan Smith,d.smith,d.smith@oakwood.example,,2025-09-01,\n"
)


def test_admin_uploads_a_roster_checks_the_dry_run_and_confirms(page, a11y, make, db, tmp_path):
    make.academy("Oakwood Primary", code="oakwood")
    admin = make.user(Role.ADMIN, display_name="Alex Admin")
    csv_file = tmp_path / "oakwood.csv"
    csv_file.write_text(ROSTER)

    sign_in(page, a11y, admin.username)
    a11y.check(page)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="People").click()
    page.wait_for_load_state("load")
    a11y.check(page)
    page.get_by_role("link", name="Import a roster").click()
    page.wait_for_load_state("load")
    a11y.check(page)

    page.get_by_label("Roster files").set_input_files(str(csv_file))
    page.get_by_role("button", name="Check the files").click()
    page.wait_for_load_state("load")
    a11y.check(page)
    assert page.get_by_role("heading", name="Check the import").is_visible()
    assert page.get_by_text("Nothing has been saved yet").is_visible()
    assert page.get_by_role("cell", name="ava.jones").is_visible()
    assert page.get_by_text("Link Cara Jones (cara.jones) to Ava Jones (ava.jones)").is_visible()
    assert db.scalar(select(User).where(User.username == "ava.jones")) is None

    page.get_by_role("button", name="Confirm and apply these changes").click()
    page.wait_for_load_state("load")
    a11y.check(page)
    assert page.get_by_role("heading", name="Import applied").is_visible()
    page.reload()  # the result page has its own address: reloading shows it, applies nothing
    page.wait_for_load_state("load")
    assert page.get_by_role("heading", name="Import applied").is_visible()
    db.rollback()  # the server committed in its own session
    assert db.scalar(select(User).where(User.username == "ava.jones")) is not None


def test_bad_rows_are_shown_with_their_line_numbers(page, a11y, make, tmp_path):
    make.academy("Oakwood Primary", code="oakwood")
    admin = make.user(Role.ADMIN)
    csv_file = tmp_path / "bad.csv"
    csv_file.write_text(ROSTER + "oakwood,pupil,No Year,no.year,,,,\n")
    sign_in(page, a11y, admin.username)
    a11y.check(page)
    page.goto("/admin/import")
    a11y.check(page)
    page.get_by_label("Roster files").set_input_files(str(csv_file))
    page.get_by_role("button", name="Check the files").click()
    page.wait_for_load_state("load")
    a11y.check(page)
    assert "1 row cannot be imported" in page.get_by_role("alert").first.inner_text()
    row = page.get_by_role("row", name="bad.csv 6 a pupil needs a year group")
    assert row.is_visible()
    assert page.get_by_role("button", name="Confirm and apply these changes").count() == 0


def test_a_teacher_prints_sign_in_cards_after_confirming(page, a11y, make, db):
    academy = make.academy("Oakwood Primary")
    teacher = make.user(Role.STAFF, academy, display_name="Tia Teacher")
    ava = make.user(
        Role.PUPIL, academy, display_name="Ava Jones", username="ava.jones", year_group=4
    )
    ava.password_hash = None  # new this term: no password yet
    db.commit()
    make.user(Role.PUPIL, academy, display_name="Ben Ode", username="ben.ode", year_group=4)
    make.user(Role.PUPIL, academy, display_name="Cy Lee", username="cy.lee", year_group=4)
    sign_in(page, a11y, teacher.username)
    a11y.check(page)
    page.get_by_role("link", name="Class sign-in").click()
    page.wait_for_load_state("load")
    a11y.check(page)
    page.get_by_label("Year group").select_option("4")
    page.get_by_role("button", name="Show").click()
    page.wait_for_load_state("load")
    a11y.check(page)
    page.get_by_role("link", name="Print sign-in cards for Year 4").click()
    page.wait_for_load_state("load")
    a11y.check(page)
    assert page.get_by_text("old password stops working straight away").is_visible()
    # Ava, who has no password, is chosen already; Ben has forgotten his.
    assert page.get_by_label("Ava Jones").is_checked()
    assert not page.get_by_label("Ben Ode").is_checked()
    page.get_by_label("Ben Ode").check()
    page.get_by_role(
        "button", name="Give the chosen pupils new passwords and show their cards"
    ).click()
    page.wait_for_load_state("load")
    a11y.check(page)
    card = page.locator(".sign-in-card")
    assert card.count() == 2
    assert "ava.jones" in card.nth(0).inner_text() and "ben.ode" in card.nth(1).inner_text()
    page.emulate_media(media="print")
    assert page.locator(".site-header").is_hidden()
    assert card.first.is_visible()


def test_a_pupil_reads_their_my_data_page(page, a11y, make):
    pupil = make.user(Role.PUPIL, make.academy("Oakwood Primary"), display_name="Ruby Shah")
    sign_in(page, a11y, pupil.username)
    a11y.check(page)
    page.get_by_role("link", name="My data").click()
    page.wait_for_load_state("load")
    a11y.check(page)
    assert page.get_by_role("heading", name="My information").is_visible()


def test_people_pages_pass_the_accessibility_check(page, a11y, make):
    academy = make.academy("Oakwood Primary")
    admin = make.user(Role.ADMIN)
    parent = make.user(Role.PARENT, academy, display_name="Cara Jones")
    pupil = make.user(Role.PUPIL, academy, display_name="Ava Jones", username="ava.jones")
    make.link(parent, pupil)
    sign_in(page, a11y, admin.username)
    a11y.check(page)
    for path in (
        f"/admin/people/{parent.id}",
        f"/admin/people/{pupil.id}/role",
        "/admin/people/new",
        "/admin/academies",
        f"/admin/academies/{academy.id}/edit",
        f"/admin/people/{pupil.id}/erase",
        "/admin/retention",
        "/admin/class",
    ):
        page.goto(path)
        a11y.check(page)

    # A form sent back with problems is still accessible, and keeps what was typed.
    page.goto(f"/admin/people/{pupil.id}/edit")
    a11y.check(page)
    page.get_by_label("Full name").fill("")
    page.get_by_label("E-mail address (optional for pupils and parents)").fill("not an email")
    page.get_by_role("button", name="Save changes").click()
    page.wait_for_load_state("load")
    a11y.check(page)
    assert "Enter the person's name." in page.get_by_role("alert").inner_text()
    assert page.get_by_label("E-mail address (optional for pupils and parents)").input_value() == (
        "not an email"
    )

    # Resetting a parent's password shows it once, on a card.
    page.goto(f"/admin/people/{parent.id}")
    a11y.check(page)
    page.get_by_role("button", name="Reset password").click()
    page.wait_for_load_state("load")
    a11y.check(page)  # the confirmation step
    page.get_by_role("button", name="Reset password").click()
    page.wait_for_load_state("load")
    a11y.check(page)
    assert page.get_by_text("it will not be shown again").is_visible()
