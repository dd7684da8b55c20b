"""The load part of a run: servers up, request files and pools made, wrk repeated, medians.

One ``LoadTest`` covers one database. It serves elearn and the hello app from the same
gunicorn configuration, warms both up, then for each repeat measures hello first and every
scenario after it, so each ratio compares runs made minutes apart on the same machine.
"""

from __future__ import annotations

import math
import os
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import text

from bench import pools, scenarios, servers, sql_counts, wrk
from bench.results import DatabaseResult, Measured
from bench.scenarios import SCENARIOS, Scenario
from bench.sessions import LrsKey, SessionMinter
from elearn.db import utcnow

Log = Callable[[str], None]
YEAR_GROUP = 200
# What a pool is sized for before anything has been measured (requests per second).
FIRST_GUESS_RATE = 400.0
POOL_HEADROOM = 1.6


@dataclass
class LoadTest:
    app: Flask
    env: dict[str, str]
    work_dir: Path
    result: DatabaseResult
    log: Log
    lrs_key: LrsKey | None = None
    only: set[str] | None = None
    warm_up: bool = True
    threads: int = field(default_factory=lambda: max(1, min(4, os.cpu_count() or 1)))
    _files: dict[str, Path] = field(default_factory=dict)
    _guess: dict[str, float] = field(default_factory=dict)
    _signed_in: dict[str, tuple[list[int], str]] = field(default_factory=dict)
    # Made by prepare():
    minter: SessionMinter = field(init=False)
    people: scenarios.People = field(init=False)
    pool_maker: pools.PoolMaker = field(init=False)
    plans: dict[str, pools.QuizPlan] = field(init=False)
    staff: list[int] = field(init=False)

    # --- preparation --------------------------------------------------------------------------

    @property
    def engine(self):
        return self.app.extensions["elearn.engine"]

    def available(self, scenario: Scenario) -> str | None:
        """Why a scenario cannot run against this checkout, or None when it can."""
        if scenario.needs:
            rules = {rule.rule for rule in self.app.url_map.iter_rules()}
            if scenario.needs not in rules:
                return f"`{scenario.needs}` is not in this checkout yet"
        if scenario.script == "xapi.lua" and self.lrs_key is None:
            return "no LRS credential could be issued"
        return None

    def chosen(self) -> list[Scenario]:
        return [s for s in SCENARIOS if self.only is None or s.key in self.only]

    def prepare(self, minter: SessionMinter) -> None:
        """The request files of the read scenarios (the same every repeat)."""
        self.minter = minter
        catalog = self.app.extensions["elearn.catalog"].get()
        base = str(self.app.config["ELEARN"]["BASE_URL"]).rstrip("/")
        people = scenarios.sign_in_people(self.engine, minter, year_group_size=YEAR_GROUP)
        self.people = people
        course = catalog.course("smart-ks2")
        lesson = course.lessons[0]
        rng = random.Random(5)
        actors = scenarios.actor_ids(self.engine, 500, rng)
        now = utcnow()
        first_lesson = scenarios.busy_activity_iris(catalog, base)[0]
        state_get = next(s for s in SCENARIOS if s.key == "xapi_state_get")
        if self.available(state_get) is None:
            scenarios.store_resume_states(self.engine, base, actors, first_lesson, now=now)
        static = {
            "hello": ["/hello"],
            "lesson": scenarios.get_lines(people.pupils, f"/learn/{course.id}/{lesson.id}"),
            "course": scenarios.get_lines(people.pupils, f"/learn/{course.id}"),
            "dashboard": scenarios.get_lines([people.dsl], "/compliance/"),
            "trust": scenarios.get_lines([people.admin], "/compliance/trust"),
            "csv": scenarios.get_lines([people.admin], "/compliance/export.csv"),
            "xapi_get_agent": scenarios.agent_lines(base, actors),
            "xapi_get_activity": scenarios.activity_lines(scenarios.activity_iris(catalog, base)),
            "xapi_post_1": scenarios.post_lines(
                catalog, base, actors, batch=1, variants=50, now=now
            ),
            "xapi_post_50": scenarios.post_lines(
                catalog, base, actors, batch=50, variants=8, now=now
            ),
            "xapi_state_put": scenarios.state_put_lines(base, actors, first_lesson),
            "xapi_state_get": scenarios.state_get_lines(base, actors, first_lesson),
        }
        for key, lines in static.items():
            self._files[key] = wrk.write_requests(self.work_dir / f"{key}.tsv", lines)
        # Signed-in GETs: who asks for what; their sessions are renewed before every run.
        self._signed_in = {
            "lesson": ([p.user_id for p in people.pupils], f"/learn/{course.id}/{lesson.id}"),
            "course": ([p.user_id for p in people.pupils], f"/learn/{course.id}"),
            "dashboard": ([people.dsl.user_id], "/compliance/"),
            "trust": ([people.admin.user_id], "/compliance/trust"),
            "csv": ([people.admin.user_id], "/compliance/export.csv"),
        }
        self.pool_maker = pools.PoolMaker(self.engine, minter)
        self.plans = {
            "quiz_answer": pools.plan_quiz(course),
            "quiz_submit": pools.plan_quiz(catalog.course("safeguarding-refresher")),
        }
        self.staff = scenarios.staff_ids(self.engine, limit=5_000)

    def _fresh(self, key: str) -> Path:
        """The request file for ``key``, with new sessions for signed-in scenarios.

        A session last used more than a minute ago makes the app record the activity in a
        second transaction; on SQLite that deadlocks against a request that already holds
        the write lock (see the stale-session probe in the results). Fresh sessions keep that
        fault out of the throughput figures; the probe reports it separately.
        """
        if key in self._signed_in:
            user_ids, path = self._signed_in[key]
            sessions = self.minter.sign_in(self.engine, user_ids)
            self._files[key] = wrk.write_requests(
                self.work_dir / f"{key}.tsv", scenarios.get_lines(sessions, path)
            )
        return self._files[key]

    @property
    def lesson_path(self) -> str:
        return self._signed_in["lesson"][1]

    def request_lines(self, key: str) -> list[str]:
        """The lines of a request file made by prepare() (empty if there is none)."""
        path = self._files.get(key)
        return path.read_text(encoding="utf-8").splitlines() if path else []

    def _pool(self, scenario: Scenario, size: int, now: datetime) -> Path:
        maker = self.pool_maker
        if scenario.key == "quiz_start":
            pupils = maker.new_pupils(size, year_group=5, now=now)
            lines = pools.start_lines(
                "smart-ks2", self.minter.sign_in(self.engine, pupils, now=now)
            )
        elif scenario.key == "quiz_answer":
            plan = self.plans["quiz_answer"]
            pupils = maker.new_pupils(min(size, 2_000), year_group=5, now=now)
            people = self.minter.sign_in(self.engine, pupils, now=now)
            made = maker.attempts(plan, people, size, answered=len(plan.forms) - 1, now=now)
            lines = pools.last_answer_lines(plan, made)
        elif scenario.key == "quiz_submit":
            plan = self.plans["quiz_submit"]
            people = self.minter.sign_in(
                self.engine, self.staff[: min(size, len(self.staff))], now=now
            )
            made = maker.attempts(plan, people, size, answered=0, now=now)
            lines = pools.submit_lines(plan, made)
        else:
            raise ValueError(f"no pool for {scenario.key}")
        return wrk.write_requests(self.work_dir / f"{scenario.key}.tsv", lines)

    # --- running ------------------------------------------------------------------------------

    def _wrk(self, server: servers.Process, *args: Any, **kwargs: Any) -> wrk.WrkResult:
        result = self._wrk_once(server, *args, **kwargs)
        if server.ready_url:
            servers.wait_idle(server.ready_url, server.pid)
        return result

    def _wrk_once(
        self,
        server: servers.Process,
        scenario: Scenario | None,
        path: Path,
        *,
        duration: float,
        connections: int,
    ) -> wrk.WrkResult:
        env = {}
        if scenario is not None and scenario.script == "xapi.lua" and self.lrs_key is not None:
            env["BENCH_XAPI_AUTH"] = self.lrs_key.authorization
        return wrk.run_wrk(
            servers.base_url(server),
            scenario.script if scenario else "hello.lua",
            path,
            duration=duration,
            connections=connections,
            threads=self.threads,
            expected_status=scenario.expected_status if scenario else 200,
            env=env,
            timeout_s=60 if scenario is not None and scenario.heavy else 10,
        )

    def connections(self, scenario: Scenario | None) -> int:
        if scenario is not None and scenario.heavy:
            return self.result.heavy_connections
        return self.result.connections

    def run(self, hello: servers.Process, app: servers.Process) -> None:
        result = self.result
        chosen = []
        for scenario in self.chosen():
            reason = self.available(scenario)
            if reason is None:
                chosen.append(scenario)
            else:
                result.missing.append((scenario, reason))
        measured = {s.key: Measured(s) for s in chosen}
        # Each worker loads the catalogue and compiles templates on first use; a short run
        # reaches every worker. Quick runs warm up the pupil pages only.
        self.log("  warming up")
        self._wrk(hello, None, self._files["hello"], duration=1, connections=8)
        for scenario in chosen:
            if not scenario.pool and (self.warm_up or scenario.key in ("lesson", "course")):
                self._wrk(
                    app,
                    scenario,
                    self._fresh(scenario.key),
                    duration=1,
                    connections=min(8, self.connections(scenario)),
                )
        self.log("  counting SQL statements per request")
        for scenario in chosen:
            result.sql_counts[scenario.key] = self._count_sql(scenario)
        for repeat in range(result.repeat):
            base = self._wrk(
                hello,
                None,
                self._files["hello"],
                duration=result.duration,
                connections=result.connections,
            )
            result.hello.append(base)
            self.log(f"  repeat {repeat + 1}: hello {base.rps:,.0f} req/s")
            for scenario in chosen:
                run = self._measure(app, scenario)
                measured[scenario.key].runs.append(run)
                measured[scenario.key].ratios.append(run.rps / base.rps if base.rps else 0.0)
                self.log(
                    f"    {scenario.key}: {run.rps:,.1f} req/s, p95 {run.p95_ms:.1f} ms"
                    + (f", {run.unexpected} unexpected {run.statuses}" if run.unexpected else "")
                )
        result.measured = list(measured.values())
        result.app_memory = servers.worker_memory(app.pid)
        result.hello_memory = servers.worker_memory(hello.pid)

    def _count_sql(self, scenario: Scenario) -> int | None:
        """One request of the scenario, replayed in-process, its SQL statements counted."""
        path = self._pool(scenario, 1, utcnow()) if scenario.pool else self._fresh(scenario.key)
        lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line]
        if not lines:
            return None
        auth = self.lrs_key.authorization if self.lrs_key is not None else None
        return sql_counts.count_one(self.app, scenario, lines[0], auth)

    def _settle(self) -> None:
        """Leave the database as a running server would between scenarios.

        The log of the scenario before is written out, so that no scenario pays for writing
        back the pages of the one before it. On PostgreSQL the statistics are refreshed too,
        as autovacuum would: the pools fill tables the seed leaves empty (lesson reads, quiz
        attempts), and on a server with autovacuum off the plans made for empty tables, seq
        scans, stay, and the page scenarios of later repeats read 27,000 rows a request.
        """
        engine = self.engine
        if engine.dialect.name == "postgresql":
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text("CHECKPOINT"))
                conn.execute(text("ANALYZE"))
            return
        raw = engine.raw_connection()  # outside any transaction, which would hold the log back
        try:
            raw.cursor().execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            raw.close()

    def _measure(self, app: servers.Process, scenario: Scenario) -> wrk.WrkResult:
        self._settle()
        duration = self.result.duration
        if not scenario.pool:
            return self._wrk(
                app,
                scenario,
                self._fresh(scenario.key),
                duration=duration,
                connections=self.connections(scenario),
            )
        rate = self._guess.get(scenario.key, FIRST_GUESS_RATE)
        size = math.ceil(rate * duration * POOL_HEADROOM) + 20
        for _ in range(3):
            path = self._pool(scenario, size, utcnow())
            run = self._wrk(
                app, scenario, path, duration=duration, connections=self.connections(scenario)
            )
            self._guess[scenario.key] = max(run.rps, 1.0)
            if run.overrun == 0:
                return run
            self.log(f"    {scenario.key}: pool of {size} ran out, again with a bigger one")
            size = math.ceil(run.sent * POOL_HEADROOM) + 20
        return run
