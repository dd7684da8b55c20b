"""No number anyone can type into an address or a form gives a server error.

Every rule in the URL map is requested as every role with each numeric part of its path
replaced by a number too big for the database and by Unicode digits, and with the same
values in the query parameters and form fields that views read as numbers.
"""

from __future__ import annotations

import re

import pytest
from werkzeug.routing import Rule

from elearn.auth.roles import Role
from elearn.web.numbers import parse_id, parse_whole_number
from tests.test_route_matrix import EXPECTED, ROLES, world  # noqa: F401

AWKWARD_NUMBERS = ("99999999999999999999999", "9223372036854775808", "٣", "²", "0", "-1")
NUMBER_PARAMETERS = (
    "page",
    "year",
    "academy",
    "limit",
    "checked",
    "correct",
    "corrects",
    "position",
    "pupil",
    "parent",
    "staff",
    "as_of",
    "id",
)
_ARGUMENT = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>")


def _path(rule: Rule, params: dict[str, object], numbers: dict[str, str]) -> str:
    def value(match: re.Match[str]) -> str:
        name = match.group(2)
        return numbers.get(name, str(params[name]))

    return _ARGUMENT.sub(value, rule.rule)


def _numeric_arguments(rule: Rule, params: dict[str, object]) -> list[str]:
    return [name for name in rule.arguments if isinstance(params[name], int)]


def test_every_int_rule_uses_the_id_converter(app):
    kinds = {
        type(conv).__name__
        for rule in app.url_map.iter_rules()
        for conv in rule._converters.values()
    }
    assert "IntegerConverter" not in kinds
    assert "IdConverter" in kinds


def test_the_parser_takes_ascii_digits_in_range_only():
    assert parse_id("42") == 42
    assert parse_id(" 7 ") == 7
    assert parse_id(str(2**63 - 1)) == 2**63 - 1
    for bad in ("", None, "0", "-1", "+3", "1.5", "٣", "²", "１２", str(2**63), "9" * 40, "1e3"):
        assert parse_id(bad) is None, bad
    assert parse_whole_number("0") == 0
    assert parse_whole_number("13", maximum=12) is None


def test_huge_and_unicode_ids_in_a_path_are_not_found(app, client, make):
    admin = make.user(Role.ADMIN)
    client.login(admin.username)
    for bad in ("99999999999999999999999", "٣", "²", "0"):
        assert client.get(f"/admin/people/{bad}").status_code == 404, bad
    assert client.get(f"/admin/people/{admin.id}").status_code == 200


@pytest.mark.parametrize("role", ROLES)
def test_no_number_gives_a_server_error(app, world, role):  # noqa: F811
    client = app.test_client()
    if role != "anonymous":
        assert client.login(world.users[role].username).status_code == 302
    failures = []
    rules = [r for r in app.url_map.iter_rules() if r.endpoint not in {"auth.logout", "static"}]
    for rule in rules:
        method = EXPECTED[rule.endpoint][0]
        requests: list[tuple[str, dict[str, str]]] = []
        for name in _numeric_arguments(rule, world.params):
            for bad in AWKWARD_NUMBERS:
                requests.append((_path(rule, world.params, {name: bad}), {}))
        for bad in AWKWARD_NUMBERS[0], AWKWARD_NUMBERS[2], AWKWARD_NUMBERS[3]:
            requests.append((_path(rule, world.params, {}), dict.fromkeys(NUMBER_PARAMETERS, bad)))
        for path, values in requests:
            try:
                if method == "GET":
                    response = client.open(path, method=method, query_string=values)
                else:
                    response = client.open(path, method=method, query_string=values, data=values)
            except Exception as error:
                failures.append(f"{method} {path} {values}: raised {error!r}")
                continue
            if response.status_code >= 500:
                failures.append(f"{method} {path} {values}: {response.status_code}")
    assert not failures, "\n".join(failures[:40])
