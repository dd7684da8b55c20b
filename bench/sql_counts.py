"""SQL statements per request, counted in-process for each scenario beside its timing.

A count is deterministic where a time is not, so two checkouts (or two machines) compare
exactly. One request of a scenario's own request file is replayed through the Flask test
client of the app the runner built (same database, same configuration as the served one),
and the statements sent on its engine are counted, leaving out those that only open or end
a transaction, as ``tests/test_query_budgets.py`` does.

Pages are asked for twice and the second is counted: wrk asks each pupil for the same page
over and over, so the page it measures is one already read.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask import Flask
from sqlalchemy import event

from bench.scenarios import Scenario

_TRANSACTION_CONTROL = re.compile(r"^\s*(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE)\b", re.I)
XAPI_VERSION = "1.0.3"


@contextmanager
def statements_sent(app: Flask) -> Iterator[list[str]]:
    """The SQL statements (not transaction control) run on the app's engine in the block."""
    seen: list[str] = []
    engine = app.extensions["elearn.engine"]

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if not _TRANSACTION_CONTROL.match(statement):
            seen.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", count)


def _send(app: Flask, scenario: Scenario, line: str, xapi_auth: str | None) -> int:
    fields = line.split("\t")
    client = app.test_client(use_cookies=False)
    if scenario.script == "session_get.lua":
        response = client.get(fields[1], headers={"Cookie": fields[0]})
    elif scenario.script == "form_post.lua":
        response = client.post(
            fields[1],
            headers={"Cookie": fields[0]},
            data=fields[2] if len(fields) > 2 else "",
            content_type="application/x-www-form-urlencoded",
        )
    elif scenario.script == "xapi.lua":
        headers = {"X-Experience-API-Version": XAPI_VERSION}
        if xapi_auth:
            headers["Authorization"] = xapi_auth
        body = fields[2] if len(fields) > 2 and fields[0] in ("POST", "PUT") else None
        response = client.open(
            fields[1],
            method=fields[0],
            headers=headers,
            data=body,
            content_type="application/json" if body is not None else None,
        )
    else:
        raise ValueError(f"no replay for {scenario.script}")
    response.close()
    return response.status_code


def count_one(app: Flask, scenario: Scenario, line: str, xapi_auth: str | None) -> int | None:
    """The SQL statements one request of ``scenario`` sends; None if it was not answered as
    the scenario expects (the count would then be of an error page)."""
    if scenario.script == "session_get.lua":
        _send(app, scenario, line, xapi_auth)
    with statements_sent(app) as seen:
        status = _send(app, scenario, line, xapi_auth)
    if status != scenario.expected_status:
        return None
    return len(seen)
