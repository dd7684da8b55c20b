"""The one command: seed, serve, load, measure, and write ``bench/RESULTS.md``.

    python -m bench.run [--quick] [--db sqlite|postgresql|both] [--duration S] [--repeat N]

For each database: prepare the seeded data (an SQLite file reused between runs, or a fresh
PostgreSQL database dropped afterwards), serve elearn and the bare hello app with gunicorn on
free loopback ports, run every scenario with wrk (hello measured in every repeat), read the
workers' memory, drain the forwarder's backlog to a fake LRS, then measure the scale curves
in-process. ``--quick`` uses a tiny trust and short runs (the smoke test uses it).
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import secrets
import sqlite3
import sys
import time
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy
from flask import Flask
from sqlalchemy import text

from bench import compare, databases, scale, scenarios, servers, wrk
from bench.forward import drain
from bench.loadtest import LoadTest
from bench.probe import stale_session_probe
from bench.profiles import PROFILES, Profile, statement_curve_spec
from bench.report import Machine, write_report
from bench.results import DatabaseResult
from bench.sessions import LrsKey, SessionMinter, issue_lrs_key
from elearn import create_app

BENCH_DIR = Path(__file__).resolve().parent
DEFAULT_OUTPUT = BENCH_DIR / "RESULTS.md"
DEFAULT_OUT_DIR = BENCH_DIR / "out"


def log(message: str) -> None:
    print(message, flush=True)


def app_config(url: str, base_url: str, secret: str) -> dict[str, str]:
    return {
        "SECRET_KEY": secret,
        "DATABASE_URL": url,
        "BASE_URL": base_url,
        "CONTENT_ROOT": str(servers.REPO_ROOT),
    }


# The runner's own connections (pools, timings) wait longer for SQLite's write lock than the
# app does: a pool must never fail because a worker is still finishing a queued write.
RUNNER_SETTINGS = {"SQLITE_BUSY_TIMEOUT_MS": 120_000}


def _load() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "unknown"


def _lrs_key(app: Flask) -> LrsKey | None:
    try:
        return issue_lrs_key(app.extensions["elearn.engine"])
    except ImportError:
        return None


def run_database(kind: str, profile: Profile, args: argparse.Namespace) -> DatabaseResult:
    out_dir = Path(args.out_dir)
    work_dir = out_dir / f"work-{kind}"
    work_dir.mkdir(parents=True, exist_ok=True)
    spec = profile.spec
    log(f"{kind}: preparing the {profile.name} trust")
    with databases.database(
        kind, out_dir=out_dir, server=args.pg_url, name=profile.name, spec=spec, log=log
    ) as prepared:
        result = DatabaseResult(
            kind=kind,
            seed=prepared.seed,
            seed_reused=prepared.reused,
            connections=profile.connections,
            heavy_connections=profile.heavy_connections,
            duration=profile.duration,
            repeat=profile.repeat,
        )
        result.load.append(f"{_load()} at the start")
        secret = secrets.token_hex(32)
        config = app_config(prepared.url, spec.base_url, secret)
        app = create_app({**config, **RUNNER_SETTINGS})
        try:
            test = LoadTest(
                app=app,
                env={f"ELEARN_{k}": v for k, v in config.items()},
                work_dir=work_dir,
                result=result,
                log=log,
                lrs_key=_lrs_key(app),
                only=set(args.only.split(",")) if args.only else None,
                warm_up=not args.quick,
            )
            test.prepare(SessionMinter(app))
            hello = servers.gunicorn(
                "hello",
                "bench.hello:app",
                env={},
                log_path=work_dir / "hello.log",
                ready_path="/hello",
            )
            served = servers.gunicorn(
                "elearn",
                "elearn:create_app()",
                env=test.env,
                log_path=work_dir / "elearn.log",
                ready_path="/healthz",
            )
            with hello, served:
                test.run(hello, served)
            result.load.append(f"{_load()} after the load runs")
            if args.only is None or "forward" in args.only.split(","):
                log(f"{kind}: draining the forwarder's backlog")
                result.drain = drain(app, log_dir=work_dir, time_limit=args.drain_limit)
            # The probe runs on an app configured exactly as the served one (its lock timeout).
            probe_app = create_app(config)
            try:
                result.probes = stale_session_probe(probe_app, test)
            finally:
                probe_app.extensions["elearn.engine"].dispose()
            log(f"{kind}: scale curves and single-request timings")
            measure_in_process(app, test, result, profile)
        finally:
            app.extensions["elearn.engine"].dispose()
        if test.lrs_key is not None and args.only is None:
            result.statement_curves = statement_curves(kind, profile, args, test)
    _explain(result)
    return result


def measure_in_process(
    app: Flask, test: LoadTest, result: DatabaseResult, profile: Profile
) -> None:
    runs = _runs(profile)
    cookie = test.minter.sign_in(app.extensions["elearn.engine"], [test.people.admin.user_id])[0]
    admin = {"Cookie": cookie.cookie}
    result.dashboard_curve = scale.dashboard_curve(app, cookie.cookie, runs=runs)
    result.services["dashboard_large"] = scale.time_get(
        app,
        "Academy dashboard (large academy)",
        scale.staff_count(app, 1),
        ["/compliance/academies/1"],
        admin,
        runs=runs,
    )
    result.services["trust"] = scale.time_get(
        app, "Trust overview", scale.staff_count(app, None), ["/compliance/trust"], admin, runs=runs
    )
    result.services["csv"] = scale.time_get(
        app,
        "CSV export, whole trust",
        scale.staff_count(app, None),
        ["/compliance/export.csv"],
        admin,
        runs=runs,
    )
    if test.lrs_key is not None and test.request_lines("xapi_get_agent"):
        agent_paths, activity_paths = _xapi_paths(test)
        by_agent, by_activity = scale.statement_gets(
            app, test.lrs_key.authorization, agent_paths, activity_paths, runs=runs
        )
        result.services["xapi_get_agent"] = _relabel(by_agent, "Statement GET by agent")
        result.services["xapi_get_activity"] = _relabel(by_activity, "Statement GET by activity")


def _relabel(timing: scale.Timing, label: str) -> scale.Timing:
    return replace(timing, label=label)


def _xapi_paths(test: LoadTest) -> tuple[list[str], list[str]]:
    """25 of the learners the load test asked about, and the busiest activities."""
    agents = _paths(test.request_lines("xapi_get_agent"))[:25]
    catalog = test.app.extensions["elearn.catalog"].get()
    base = str(test.app.config["ELEARN"]["BASE_URL"]).rstrip("/")
    return agents, _paths(scenarios.activity_lines(scenarios.busy_activity_iris(catalog, base)))


def statement_curves(
    kind: str, profile: Profile, args: argparse.Namespace, test: LoadTest
) -> tuple[scale.Curve, scale.Curve] | None:
    """GET by agent and by activity at each size: smaller sizes get databases of their own."""
    agents: list[scale.Timing] = []
    activities: list[scale.Timing] = []
    for size in profile.statement_sizes:
        if size >= profile.spec.statements:
            by_agent = test.result.services.get("xapi_get_agent")
            by_activity = test.result.services.get("xapi_get_activity")
            if by_agent is None or by_activity is None:
                return None
        else:
            log(f"{kind}: statement curve at {size:,} statements")
            by_agent, by_activity = _curve_point(kind, profile, args, size)
        agents.append(by_agent)
        activities.append(by_activity)
    return (
        scale.Curve("Statement GET by agent", "statements", tuple(agents)),
        scale.Curve("Statement GET by activity", "statements", tuple(activities)),
    )


def _curve_point(
    kind: str, profile: Profile, args: argparse.Namespace, size: int
) -> tuple[scale.Timing, scale.Timing]:
    spec = statement_curve_spec(profile.spec, size)
    with databases.database(
        kind,
        out_dir=Path(args.out_dir),
        server=args.pg_url,
        name=f"{profile.name}-curve",
        spec=spec,
        log=log,
    ) as prepared:
        app = create_app(app_config(prepared.url, spec.base_url, secrets.token_hex(32)))
        try:
            engine = app.extensions["elearn.engine"]
            key = issue_lrs_key(engine)
            catalog = app.extensions["elearn.catalog"].get()
            actors = scenarios.actor_ids(engine, 25, random.Random(5))
            agent_paths = _paths(scenarios.agent_lines(spec.base_url, actors))
            activity_paths = _paths(
                scenarios.activity_lines(scenarios.busy_activity_iris(catalog, spec.base_url))
            )
            return scale.statement_gets(
                app, key.authorization, agent_paths, activity_paths, runs=_runs(profile)
            )
        finally:
            engine.dispose()


def _paths(lines: list[str]) -> list[str]:
    """The paths of xapi.lua request lines (METHOD, path, body)."""
    return [line.split("\t")[1] for line in lines if line]


def _runs(profile: Profile) -> int:
    return 3 if profile.name == "quick" else 7


def _explain(result: DatabaseResult) -> None:
    """Notes on anything that grows linearly, and on anything that went wrong."""
    curve = result.dashboard_curve
    if curve is not None and (curve.exponent() or 0) >= 0.6:
        queries = {p.queries for p in curve.points}
        result.notes.append(
            "The dashboard's time grows linearly with staff because the page lists every member "
            "of staff (one table row each, with a cell per requirement): the work is rendering "
            "and classifying N people, not querying — its SQL statement count stays "
            + (
                "constant"
                if len(queries) == 1
                else "near constant (" + ", ".join(str(p.queries) for p in curve.points) + ")"
            )
            + ". Filters and the status counts narrow what a lead reads; "
            "the page itself is O(staff)."
        )
    if result.statement_curves is not None:
        for each in result.statement_curves:
            if (each.exponent() or 0) >= 0.6:
                result.notes.append(
                    f"{each.name} grows linearly with the number of statements stored: see the "
                    "findings for the query plan."
                )
    for measured in result.measured:
        if measured.unexpected or measured.socket_errors:
            result.notes.append(
                f"{measured.scenario.title}: {measured.unexpected} responses with an unexpected "
                f"status ({measured.statuses}) and {measured.socket_errors} socket errors."
            )


def versions(kinds: list[str], pg_url: str) -> dict[str, str]:
    found = {
        "Python": platform.python_version(),
        "Flask": _package_version("flask"),
        "SQLAlchemy": sqlalchemy.__version__,
        "gunicorn": _package_version("gunicorn"),
        "wrk": wrk.wrk_version(),
    }
    if "sqlite" in kinds:
        found["SQLite"] = sqlite3.sqlite_version
    if "postgresql" in kinds:
        try:
            engine = sqlalchemy.create_engine(pg_url)
            with engine.connect() as conn:
                found["PostgreSQL"] = str(conn.execute(text("SHOW server_version")).scalar())
            engine.dispose()
        except Exception:
            found["PostgreSQL"] = "unknown"
    return {k: v for k, v in found.items() if v}


def _package_version(name: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(name)
    except PackageNotFoundError:
        return ""


def _cpu() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="a tiny trust and ~2 s runs")
    parser.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--duration", type=float, help="seconds per wrk run")
    parser.add_argument("--repeat", type=int, help="runs per scenario (medians are reported)")
    parser.add_argument("--output", default=str(DEFAULT_OUTPUT), help="where to write the results")
    parser.add_argument("--out-dir", default=str(DEFAULT_OUT_DIR), help="databases and work files")
    parser.add_argument(
        "--pg-url",
        default=databases.DEFAULT_SERVER,
        help="a PostgreSQL server URL; a database is created there and dropped",
    )
    parser.add_argument("--only", help="comma-separated scenario keys (for investigating)")
    parser.add_argument(
        "--save-figures", help="also write this run's figures as JSON (for a later --before)"
    )
    parser.add_argument("--label", default="", help="what this run measured, for --save-figures")
    parser.add_argument(
        "--before", help="figures saved by an earlier run: the report sets them beside these"
    )
    parser.add_argument(
        "--drain-limit",
        type=float,
        default=900.0,
        help="stop the forwarder drain after this many seconds",
    )
    args = parser.parse_args(argv)
    if args.repeat is not None and args.repeat < 1:
        parser.error("--repeat must be at least 1")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        wrk.wrk_path()
    except wrk.WrkMissing as missing:
        print(missing, file=sys.stderr)
        return 2
    profile = PROFILES["quick" if args.quick else "full"].with_overrides(
        duration=args.duration, repeat=args.repeat
    )
    kinds = ["sqlite", "postgresql"] if args.db == "both" else [args.db]
    began = time.monotonic()
    results = [run_database(kind, profile, args) for kind in kinds]
    command = (
        "python -m bench.run"
        + (" " + " ".join(argv if argv is not None else sys.argv[1:])).rstrip()
    )
    machine = Machine(
        cores=os.cpu_count() or 0,
        cpu=_cpu(),
        date=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        versions=versions(kinds, args.pg_url),
        command=command.strip(),
        profile=(
            f"{profile.name} — {profile.spec.academies} academies, {profile.spec.staff:,} staff, "
            f"{profile.spec.pupils:,} pupils, {profile.spec.parents:,} parents, "
            f"{profile.spec.statements:,} statements ({profile.spec.pending:,} awaiting the "
            f"forwarder); {profile.duration:g} s per run, {profile.repeat} repeat(s), "
            f"{profile.connections} connections for pages, "
            f"{profile.heavy_connections} for reports; "
            f"whole run {time.monotonic() - began:,.0f} s"
        ),
    )
    before = compare.load(Path(args.before)) if args.before else None
    write_report(Path(args.output), machine, results, before)
    if args.save_figures:
        compare.save(Path(args.save_figures), results, args.label or machine.date)
    log(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
