"""Scale curves and single-request service times, measured in-process.

Each measurement sends one real request through the app (Flask's test client, no network)
and records its wall time and the number of SQL statements it ran (counted with an engine
event). Several runs are made and the median kept. This is the time one request costs with
the machine otherwise idle, which is what the "< 100 ms" style targets mean; the wrk runs
show the same pages under concurrency.
"""

from __future__ import annotations

import math
import statistics
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from flask import Flask
from sqlalchemy import event, func, select

from elearn.auth.models import User
from elearn.compliance.requirements import TRAINED_ROLES
from elearn.xapi.models import StoredStatement


@dataclass(frozen=True)
class Timing:
    """The median of ``runs`` requests to one URL."""

    label: str
    size: int
    ms: float
    queries: int
    status: int
    runs: int
    rows: int = 0  # what the response held, where that is meaningful (statements, CSV rows)


@dataclass(frozen=True)
class Curve:
    name: str
    unit: str
    points: tuple[Timing, ...]

    def exponent(self, attribute: str = "ms") -> float | None:
        """How the measure grows with size: ~0 flat, ~1 linear (a log-log slope, ends only)."""
        points = [p for p in self.points if p.size > 0 and getattr(p, attribute) > 0]
        if len(points) < 2 or points[-1].size == points[0].size:
            return None
        first, last = points[0], points[-1]
        return math.log(getattr(last, attribute) / getattr(first, attribute)) / math.log(
            last.size / first.size
        )

    def shape(self) -> str:
        slope = self.exponent()
        if slope is None:
            return "—"
        if slope < 0.15:
            return f"flat (slope {slope:.2f})"
        if slope < 0.6:
            return f"sub-linear (slope {slope:.2f})"
        return f"linear (slope {slope:.2f})"


@contextmanager
def counting(app: Flask) -> Iterator[list[int]]:
    """Count SQL statements run on the app's engine while the block runs."""
    engine = app.extensions["elearn.engine"]
    box = [0]

    def count(*_args: Any, **_kwargs: Any) -> None:
        box[0] += 1

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield box
    finally:
        event.remove(engine, "before_cursor_execute", count)


def time_get(
    app: Flask,
    label: str,
    size: int,
    paths: Sequence[str],
    headers: dict[str, str],
    *,
    runs: int,
    expected: int = 200,
) -> Timing:
    """GET ``paths`` in turn ``runs`` times (after one warm-up each); the median time."""
    client = app.test_client(use_cookies=False)
    for path in paths[: min(len(paths), 3)]:
        client.get(path, headers=headers)
    times, queries, rows = [], [], []
    status = expected
    for n in range(runs):
        path = paths[n % len(paths)]
        with counting(app) as box:
            began = time.perf_counter()
            response = client.get(path, headers=headers)
            body = response.get_data()
            times.append((time.perf_counter() - began) * 1000)
        queries.append(box[0])
        if response.status_code != expected:
            status = response.status_code
        rows.append(_rows(response.mimetype, body))
    return Timing(
        label=label,
        size=size,
        ms=round(statistics.median(times), 2),
        queries=int(statistics.median(queries)),
        status=status,
        runs=runs,
        rows=int(statistics.median(rows)),
    )


def _rows(mimetype: str, body: bytes) -> int:
    if mimetype == "text/csv":
        return max(0, body.count(b"\n") - 1)
    if mimetype == "application/json":
        return body.count(b'"verb":')
    return 0


def staff_count(app: Flask, academy_id: int | None) -> int:
    with app.extensions["elearn.sessionmaker"]() as session:
        query = (
            select(func.count())
            .select_from(User)
            .where(User.role.in_(TRAINED_ROLES), User.active.is_(True), User.erased_at.is_(None))
        )
        if academy_id is not None:
            query = query.where(User.academy_id == academy_id)
        return int(session.scalar(query) or 0)


def statement_count(app: Flask) -> int:
    with app.extensions["elearn.sessionmaker"]() as session:
        return int(session.scalar(select(func.count()).select_from(StoredStatement)) or 0)


def dashboard_curve(app: Flask, admin_cookie: str, *, runs: int) -> Curve:
    """The dashboard page for the small academy, the large academy and the whole trust."""
    headers = {"Cookie": admin_cookie}
    points = [
        time_get(
            app,
            "small academy",
            staff_count(app, 2),
            ["/compliance/academies/2"],
            headers,
            runs=runs,
        ),
        time_get(
            app,
            "large academy",
            staff_count(app, 1),
            ["/compliance/academies/1"],
            headers,
            runs=runs,
        ),
        time_get(
            app, "whole trust", staff_count(app, None), ["/compliance/?all=1"], headers, runs=runs
        ),
    ]
    return Curve("Compliance dashboard", "staff", tuple(points))


def statement_gets(
    app: Flask,
    authorization: str,
    agent_paths: Sequence[str],
    activity_paths: Sequence[str],
    *,
    runs: int,
) -> tuple[Timing, Timing]:
    headers = {"Authorization": authorization, "X-Experience-API-Version": "1.0.3"}
    size = statement_count(app)
    return (
        time_get(app, "by agent", size, agent_paths, headers, runs=runs),
        time_get(app, "by activity", size, activity_paths, headers, runs=runs),
    )
