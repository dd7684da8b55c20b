"""Batches are stored with a fixed number of SQL statements, and filtered pages stay exact
when many statements match (each filter branch is its own ordered, limited scan)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event, select

from elearn.xapi.lrs.store import record_statements
from elearn.xapi.models import StatementAgent, StoredStatement
from tests.xapi.test_resource import (
    ACTIVITY,
    ANNA,
    BEN,
    OTHER_ACTIVITY,
    SITE,
    VOIDED,
    Lrs,
    issue,
    stmt,
)


@pytest.fixture
def lrs(client, db) -> Lrs:
    issued = issue(db)
    return Lrs(client, issued.key, issued.secret)


@contextmanager
def counting_sql(engine: Any) -> Iterator[list[str]]:
    """Every SQL statement sent to the database while the block runs."""
    sent: list[str] = []

    def count(_conn, _cursor, statement, _params, _context, _executemany) -> None:
        sent.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield sent
    finally:
        event.remove(engine, "before_cursor_execute", count)


def varied_batch(size: int) -> list[dict]:
    """``size`` statements of every shape ingest indexes differently, in turn."""
    batch: list[dict] = []
    for i in range(size):
        shape = i % 5
        if shape == 0:
            batch.append(stmt(actor={"account": {"homePage": SITE, "name": f"x{i}"}}))
        elif shape == 1:
            batch.append(
                stmt(
                    context={
                        "registration": str(uuid.uuid4()).upper(),
                        "contextActivities": {"parent": [{"id": OTHER_ACTIVITY}]},
                        "instructor": BEN,
                    }
                )
            )
        elif shape == 2:
            batch.append(stmt(object={"objectType": "Agent", **BEN}))
        elif shape == 3:
            batch.append(stmt(id=str(uuid.uuid4()), actor=BEN))
        else:
            # A StatementRef to the statement just before it in the batch.
            target = batch[-1]["id"]
            batch.append(stmt(object={"objectType": "StatementRef", "id": target}))
    return batch


def test_a_batch_takes_the_same_number_of_sql_statements_whatever_its_size(app, lrs):
    lrs.post(stmt())  # a first request warms caches that are not part of the cost
    engine = app.extensions["elearn.engine"]
    counts = {}
    for size in (5, 50):
        batch = varied_batch(size)
        with counting_sql(engine) as sent:
            response = lrs.post(batch)
        assert response.status_code == 200, response.get_json()
        assert len(response.get_json()) == size
        counts[size] = len(sent)
    assert counts[5] == counts[50], counts
    assert counts[50] <= 12


def test_record_statements_keeps_the_order_and_indexes_each_statement(db):
    statements = [stmt(id=str(uuid.uuid4()), actor=ANNA if i % 2 else BEN) for i in range(30)]
    rows = record_statements(db, statements, forward=False)
    db.commit()
    assert [row.statement_id for row in rows] == [s["id"] for s in statements]
    assert [row.seq for row in rows] == sorted(row.seq for row in rows)
    agents = db.execute(select(StatementAgent.seq, StatementAgent.agent_key)).all()
    expected = {
        (row.seq, "mbox|" + s["actor"]["mbox"]) for row, s in zip(rows, statements, strict=True)
    }
    assert set(agents) == expected


def test_a_voiding_statement_before_its_target_in_one_batch_voids_it(lrs, db):
    target = str(uuid.uuid4())
    voiding = stmt(verb=VOIDED, object={"objectType": "StatementRef", "id": target})
    lrs.post([voiding, stmt(id=target)])
    db.commit()
    assert db.scalar(select(StoredStatement.voided).where(StoredStatement.statement_id == target))
    assert target not in lrs.ids()


def pages(lrs: Lrs, **params: Any) -> list[list[str]]:
    """Every page of a query, following ``more``."""
    found = []
    response = lrs.get_params(**params)
    while True:
        assert response.status_code == 200, response.get_json()
        body = response.get_json()
        found.append([s["id"] for s in body["statements"]])
        if not body["more"]:
            return found
        response = lrs.client.get(body["more"], headers=lrs.headers())


def test_a_filter_with_many_matches_pages_newest_first_with_referring_statements(lrs):
    # 300 statements: every other one about ACTIVITY (by Anna), the rest not (by Ben).
    stored = lrs.post(
        [
            stmt(actor=ANNA) if i % 2 == 0 else stmt(actor=BEN, activity=OTHER_ACTIVITY)
            for i in range(300)
        ]
    ).get_json()
    about, other = stored[0::2], stored[1::2]
    # Late references: to an old match (matches), to it in turn (matches), to a non-match.
    [refers] = lrs.post(
        stmt(actor=BEN, object={"objectType": "StatementRef", "id": about[3]})
    ).get_json()
    [refers_on] = lrs.post(
        stmt(actor=BEN, object={"objectType": "StatementRef", "id": refers}),
    ).get_json()
    lrs.post(stmt(actor=BEN, object={"objectType": "StatementRef", "id": other[5]}))
    lrs.post([stmt(actor=BEN, activity=OTHER_ACTIVITY) for _ in range(3)])

    newest_first = [refers_on, refers, *reversed(about)]
    by_activity = pages(lrs, activity=ACTIVITY)
    assert [len(page) for page in by_activity] == [100, 52]
    assert by_activity[0] == newest_first[:100]
    assert [i for page in by_activity for i in page] == newest_first

    ascending = pages(lrs, activity=ACTIVITY, ascending="true", limit=120)
    assert [i for page in ascending for i in page] == list(reversed(newest_first))

    by_agent = pages(lrs, agent=json.dumps(ANNA), limit=50)
    assert [i for page in by_agent for i in page] == newest_first

    related = pages(lrs, activity=ACTIVITY, related_activities="true")
    assert [i for page in related for i in page] == newest_first
