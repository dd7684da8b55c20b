"""The main navigation each role sees."""

from __future__ import annotations

import re

import pytest

from elearn.auth.roles import Role


def _nav_links(html: str) -> dict[str, str]:
    nav = html.split('aria-label="Main"', 1)[1].split("</nav>", 1)[0]
    return {label: href for href, label in re.findall(r'<a href="([^"]+)"[^>]*>([^<]+)</a>', nav)}


@pytest.mark.parametrize("role", [Role.STAFF, Role.DSL, Role.HEAD])
def test_every_adult_in_school_can_report_a_concern_from_the_navigation(client, make, role):
    person = make.user(role, make.academy())
    client.login(person.username)
    for page in ("/", "/lessons"):
        links = _nav_links(client.get(page).get_data(as_text=True))
        assert links.get("Report a concern") == "/reports/"
    start = client.get("/reports/")
    assert start.status_code == 200
    assert "<h1>Report a concern</h1>" in start.get_data(as_text=True)


@pytest.mark.parametrize("role", [Role.PUPIL, Role.PARENT, Role.ADMIN])
def test_others_do_not_get_the_staff_report_link(client, make, role):
    person = make.user(role, None if role is Role.ADMIN else make.academy())
    client.login(person.username)
    assert "Report a concern" not in _nav_links(client.get("/").get_data(as_text=True))
