"""The stale-session probe: what a learner meets after a minute on the same page.

A session last used more than a minute ago makes the app record the activity as it loads the
user. The probe sends one lesson page and one quiz answer with a session last used two
minutes ago, on an app configured exactly as the served one, and reports the status and the
time each took. Both should answer at once; the load scenarios use fresh sessions, so this
is where a fault on that path shows.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import timedelta

from flask import Flask
from werkzeug.test import TestResponse

from bench import pools
from bench.loadtest import LoadTest
from elearn.db import utcnow


def _timed(label: str, send: Callable[[], TestResponse]) -> str:
    began = time.perf_counter()
    try:
        outcome = f"HTTP {send().status_code}"
    except Exception as error:  # the app raised: a browser would get a 500
        outcome = f"error {type(error).__name__}: {str(error).splitlines()[0][:120]}"
    return f"{label}: {outcome} after {time.perf_counter() - began:.2f} s"


def stale_session_probe(app: Flask, test: LoadTest) -> list[str]:
    engine = app.extensions["elearn.engine"]
    two_minutes_ago = utcnow() - timedelta(minutes=2)
    pupil = test.pool_maker.new_pupils(1, year_group=5, now=utcnow())
    reader = test.minter.sign_in(engine, pupil, now=two_minutes_ago)[0]
    answerer = test.minter.sign_in(engine, pupil, now=two_minutes_ago)[0]
    plan = test.plans["quiz_answer"]
    made = test.pool_maker.attempts(plan, [answerer], 1, answered=len(plan.forms) - 1, now=utcnow())
    _, answer_path, body = pools.last_answer_lines(plan, made)[0].split("\t")
    client = app.test_client(use_cookies=False)
    form = {"Cookie": answerer.cookie, "Content-Type": "application/x-www-form-urlencoded"}
    return [
        _timed(
            "lesson page",
            lambda: client.get(test.lesson_path, headers={"Cookie": reader.cookie}),
        ),
        _timed("quiz answer", lambda: client.post(answer_path, data=body, headers=form)),
    ]
