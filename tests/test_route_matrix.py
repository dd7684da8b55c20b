"""Walk every route in the URL map as every role and check each gets what it should.

A new route fails this test until its expected access is written down here: access is
denied by default and every exception is deliberate.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from elearn.auth.roles import Role

ROLES = ("anonymous", "pupil", "parent", "staff", "dsl", "head", "admin")
LOGIN = "login"  # a redirect to the sign-in page

EVERYONE_SIGNED_IN = {"anonymous": LOGIN, **{r: 200 for r in ROLES[1:]}}


def only(*allowed: str, other: int = 403) -> dict[str, int | str]:
    return {
        role: (LOGIN if role == "anonymous" else 200 if role in allowed else other)
        for role in ROLES
    }


# endpoint -> (method, expected outcome per role)
EXPECTED: dict[str, tuple[str, dict[str, int | str]]] = {
    "static": ("GET", {r: 200 for r in ROLES}),
    "core.health": ("GET", {r: 200 for r in ROLES}),
    "core.home": ("GET", EVERYONE_SIGNED_IN),
    "auth.login": ("GET", {"anonymous": 200, **{r: 302 for r in ROLES[1:]}}),
    "auth.logout": ("POST", {"anonymous": LOGIN, **{r: 302 for r in ROLES[1:]}}),
}


@dataclass
class World:
    """One academy with a person in every role, plus the objects routes need."""

    users: dict[str, object]
    params: dict[str, object]


@pytest.fixture
def world(make) -> World:
    academy = make.academy("Matrix Academy")
    users = {role.value: make.user(role, None if role is Role.ADMIN else academy) for role in Role}
    make.link(users["parent"], users["pupil"])
    params = {"filename": "elearn.css"}
    return World(users=users, params=params)


def _url(app, rule, params) -> str:
    values = {}
    for name in rule.arguments:
        assert name in params, f"route {rule.rule} needs a sample value for <{name}> in World"
        values[name] = params[name]
    with app.test_request_context():
        from flask import url_for

        return url_for(rule.endpoint, **values)


def test_every_route_has_a_declared_expectation(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    missing = sorted(endpoints - set(EXPECTED))
    assert not missing, f"add these endpoints to EXPECTED: {missing}"


@pytest.mark.parametrize("role", ROLES)
def test_route_matrix(app, world, role):
    failures = []
    for rule in app.url_map.iter_rules():
        method, expected_by_role = EXPECTED[rule.endpoint]
        expected = expected_by_role[role]
        client = app.test_client()
        if role != "anonymous":
            assert client.login(world.users[role].username).status_code == 302
        url = _url(app, rule, world.params)
        response = client.open(url, method=method)
        if expected == LOGIN:
            ok = response.status_code in (302, 401) and (
                response.status_code == 401 or "/login" in response.headers.get("Location", "")
            )
        else:
            ok = response.status_code == expected
        if not ok:
            failures.append(f"{method} {url}: expected {expected}, got {response.status_code}")
    assert not failures, "\n".join(failures)


def test_views_without_an_access_declaration_are_closed(app, client):
    @app.get("/undeclared")
    def undeclared():
        return "should never be served"

    assert client.get("/undeclared").status_code == 404
