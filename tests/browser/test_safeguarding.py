"""A pupil tells a trusted adult with a screenshot; the DSL reads it, adds a note, closes it."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest

from elearn.auth.roles import Role
from elearn.safeguarding.models import ReportKind
from tests.browser.conftest import sign_in
from tests.safeguarding.helpers import EXE_BYTES, file_report, png_bytes

pytestmark = pytest.mark.browser

STORY = "A boy in my game keeps asking for my address"


def test_a_tell_report_reaches_the_dsl_who_notes_and_closes_it(page, a11y, make):
    academy = make.academy("Oakwood Primary")
    pupil = make.user(Role.PUPIL, academy, display_name="Ruby Shah", year_group=4)
    dsl = make.user(Role.DSL, academy, display_name="Dee Lead")

    sign_in(page, a11y, pupil.username)
    a11y.check(page)
    page.get_by_role("link", name="Tell a trusted adult").click()
    page.wait_for_url("**/reports/tell")
    a11y.check(page)
    assert page.get_by_role("heading", name="Who will read this?").is_visible()

    page.get_by_label("What happened?").fill(STORY)
    page.get_by_label("Where did it happen online?").fill("a building game")
    page.get_by_label("Yesterday").check()
    page.get_by_label("Add a picture of what you saw").set_input_files(
        files=[{"name": "screenshot.png", "mimeType": "image/png", "buffer": png_bytes(40, 30)}]
    )
    page.get_by_role("button", name="Send to a trusted adult").click()
    page.wait_for_url(re.compile(r"/reports/mine/\d+$"))
    a11y.check(page)
    assert page.get_by_role("heading", level=1).inner_text() == "We got your message"
    assert page.get_by_text("You did the right thing.").is_visible()

    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/login")
    a11y.check(page)

    sign_in(page, a11y, dsl.username)
    a11y.check(page)
    page.get_by_role("link", name="Reports", exact=True).click()
    page.wait_for_url("**/reports/inbox")
    a11y.check(page)
    row = page.get_by_role("row", name=re.compile("Ruby Shah"))
    assert "New" in row.inner_text()
    row.get_by_role("link").click()
    page.wait_for_url(re.compile(r"/reports/inbox/\d+$"))
    a11y.check(page)
    assert page.get_by_text(STORY).is_visible()
    assert page.get_by_role("cell", name="screenshot.png", exact=True).is_visible()
    assert page.locator("img").count() == 0

    page.get_by_label("Details", exact=True).fill("Spoke to Ruby; her mum is coming in.")
    page.get_by_role("button", name="Add to the record").click()
    page.wait_for_load_state("load")
    a11y.check(page)
    assert page.get_by_text("Spoke to Ruby; her mum is coming in.").is_visible()

    page.get_by_label("Outcome").fill("Game account reported and blocked at home.")
    page.get_by_role("button", name="Close the report").click()
    page.wait_for_load_state("load")
    a11y.check(page)
    assert page.get_by_text("The report is closed.").is_visible()
    assert page.locator("p.lead .tag").inner_text() == "Closed"


def test_a_refused_file_is_explained_and_the_words_stay(page, a11y, make):
    pupil = make.user(Role.PUPIL, make.academy())
    sign_in(page, a11y, pupil.username)
    a11y.check(page)
    page.goto("/reports/tell")
    a11y.check(page)
    page.get_by_label("What happened?").fill(STORY)
    page.get_by_label("Add a picture of what you saw").set_input_files(
        files=[{"name": "game.png", "mimeType": "image/png", "buffer": EXE_BYTES}]
    )
    page.get_by_role("button", name="Send to a trusted adult").click()
    page.wait_for_load_state("load")
    a11y.check(page)
    assert "is not a picture" in page.get_by_role("alert").inner_text()
    assert page.get_by_label("What happened?").input_value() == STORY


def test_the_tell_form_fits_a_phone(browser, live_server, a11y, make):
    pupil = make.user(Role.PUPIL, make.academy())
    context = browser.new_context(
        base_url=live_server, viewport={"width": 375, "height": 740}, is_mobile=True
    )
    phone = context.new_page()
    sign_in(phone, a11y, pupil.username)
    a11y.check(phone)
    phone.goto("/reports/tell")
    a11y.check(phone)
    assert phone.evaluate("() => document.documentElement.scrollWidth") <= 375
    assert phone.get_by_role("link", name="Tell a trusted adult").is_visible()
    context.close()


def test_evidence_is_fetched_only_when_the_dsl_chooses_to_open_it(page, a11y, make, db, app):
    academy = make.academy("Oakwood Primary")
    pupil = make.user(Role.PUPIL, academy, display_name="Ruby Shah")
    dsl = make.user(Role.DSL, academy, display_name="Dee Lead")
    report = file_report(
        db,
        pupil,
        ReportKind.TELL,
        app.config["ELEARN"]["DATA_DIR"],
        with_file=png_bytes(40, 30),
        file_name="what-he-sent.png",
    )
    file_path = f"/reports/files/{report.attachments[0].id}"
    requested: list[str] = []
    page.on("request", lambda request: requested.append(urlsplit(request.url).path))

    sign_in(page, a11y, dsl.username)
    a11y.check(page)
    page.goto(f"/reports/inbox/{report.id}")
    a11y.check(page)
    page.wait_for_load_state("networkidle")
    assert file_path not in requested
    assert page.get_by_text("it may be an indecent image of a child").is_visible()
    assert page.get_by_role("cell", name="what-he-sent.png", exact=True).is_visible()
    assert page.locator("img").count() == 0

    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile(r"^Open file 1\s*: what-he-sent.png$")).click()
    assert download.value.suggested_filename == "what-he-sent.png"
    assert requested.count(file_path) == 1

    page.reload()
    a11y.check(page)
    newest = page.locator("table.sg-access-log tbody tr").nth(1)
    assert newest.locator("td").all_inner_texts()[1:] == [
        "Dee Lead",
        "Designated safeguarding lead",
        "Opened a file: what-he-sent.png",
    ]
