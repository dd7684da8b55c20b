"""A parent or carer raises a concern about their child: it reaches the DSL's inbox like any
report, and the parent's home page points to help outside school with plain links."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from elearn.auth.roles import Role
from elearn.safeguarding.models import Report, ReportKind, ReportStatus
from elearn.safeguarding.notify import NEW_REPORT_SUBJECT
from tests.smtp import html_text, plain_text

WORRY = "A man on a game keeps asking my son for photos of himself"


@pytest.fixture
def school(make):
    academy = make.academy("Oak Academy")
    son = make.user(Role.PUPIL, academy, display_name="Leo Marsh", year_group=6)
    parent = make.user(Role.PARENT, academy, display_name="Ann Marsh")
    make.link(parent, son)
    return {
        "son": son,
        "other_child": make.user(Role.PUPIL, academy, display_name="Zac Other", year_group=6),
        "parent": parent,
        "dsl": make.user(Role.DSL, academy, email="dsl@oak.example"),
        "staff": make.user(Role.STAFF, academy, email="teacher@oak.example"),
    }


def test_a_parent_raises_a_concern_that_reaches_the_dsl_with_the_same_handling(
    smtp, client, db, school
):
    client.login(school["parent"].username)
    form = client.get("/reports/concern").get_data(as_text=True)
    assert "Leo Marsh (Year 6)" in form
    assert "Zac Other" not in form  # only their own children, never the rest of the roll
    response = client.post(
        "/reports/concern",
        data={
            "person_affected_id": str(school["son"].id),
            "description": WORRY,
            "where_online": "an online game",
        },
    )
    assert response.status_code == 302
    report = db.scalars(select(Report)).one()
    assert report.kind is ReportKind.PARENT_CONCERN
    assert report.person_affected_id == school["son"].id
    assert report.status is ReportStatus.NEW
    # The DSL is told without the content; the teacher is not told at all.
    assert [m["X-Envelope-To"] for m in smtp.messages] == ["dsl@oak.example"]
    message = smtp.messages[0]
    assert message["Subject"] == NEW_REPORT_SUBJECT
    assert "photos" not in plain_text(message) + html_text(message)
    # The parent sees that it arrived, not what they wrote.
    mine = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Concern from a parent or carer" in mine and WORRY not in mine
    client.logout()
    client.login(school["dsl"].username)
    assert f"/reports/inbox/{report.id}" in client.get("/reports/inbox").get_data(as_text=True)
    case = client.get(f"/reports/inbox/{report.id}").get_data(as_text=True)
    assert WORRY in case and "Ann Marsh" in case


def test_a_parent_cannot_name_someone_elses_child(client, db, school):
    client.login(school["parent"].username)
    response = client.post(
        "/reports/concern",
        data={"person_affected_id": str(school["other_child"].id), "description": WORRY},
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Choose someone from the list" in page and WORRY in page
    assert db.scalars(select(Report)).all() == []


@pytest.mark.parametrize("role", [Role.PUPIL, Role.STAFF, Role.DSL])
def test_only_parents_have_the_concern_form(client, make, role):
    client.login(make.user(role, make.academy()).username)
    assert client.get("/reports/concern").status_code == 403


def test_parent_home_links_to_help_outside_school_in_a_new_tab_without_scripts(client, school):
    client.login(school["parent"].username)
    page = client.get("/").get_data(as_text=True)
    assert 'href="/reports/concern"' in page
    help_links = page[page.index('id="help-links-heading"') :]
    help_links = help_links[: help_links.index("</section>")]
    for site in (
        "https://www.ceop.police.uk/",
        "https://www.nspcc.org.uk/",
        "https://www.internetmatters.org/",
        "https://saferinternet.org.uk/",
    ):
        (anchor,) = re.findall(rf'<a href="{re.escape(site)}[^"]*"[^>]*>', help_links)
        assert 'target="_blank"' in anchor and 'rel="noopener noreferrer"' in anchor
    assert help_links.count("(opens in a new tab)") >= 4
    scripts = re.findall(r"<script[^>]*src=\"([^\"]+)\"", page)
    assert all(src.startswith("/") for src in scripts), scripts
