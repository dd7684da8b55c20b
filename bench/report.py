"""Writing ``bench/RESULTS.md`` from a run's results."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bench import compare
from bench.results import MEMORY_LIMIT_MB, DatabaseResult, Measured
from bench.scale import Curve, Timing

FINDINGS = Path(__file__).resolve().parent / "findings.md"
DB_TITLES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


@dataclass(frozen=True)
class Machine:
    cores: int
    cpu: str
    date: str
    versions: dict[str, str]
    command: str
    profile: str


def _mark(met: bool | None) -> str:
    return {True: "yes", False: "**no**", None: "—"}[met]


def _ms(value: float) -> str:
    return f"{value:.1f}" if value < 100 else f"{value:.0f}"


def _scenario_rows(result: DatabaseResult) -> list[str]:
    rows = [
        "| scenario | conns | req/s | ratio to hello | p50 ms | p95 ms | p99 ms | SQL | target "
        "| met? |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---|---|",
        f"| Bare Flask `/hello` (baseline) | {result.connections} | "
        f"{result.hello_rps:,.0f} | 100% | "
        f"{_ms(_median([r.p50_ms for r in result.hello]))} | "
        f"{_ms(_median([r.p95_ms for r in result.hello]))} | "
        f"{_ms(_median([r.p99_ms for r in result.hello]))} | 0 | | |",
    ]
    for measured in result.measured:
        rows.append(_scenario_row(result, measured))
    for scenario, reason in result.missing:
        rows.append(f"| {scenario.title} | | — | — | — | — | — | — | not run: {reason} | — |")
    return rows


def _median(values: list[float]) -> float:
    from bench.results import median

    return median(values)


def _scenario_row(result: DatabaseResult, measured: Measured) -> str:
    scenario = measured.scenario
    verdicts = result.verdicts(measured)
    targets = "; ".join(v.target.describe() + f" → {v.shown}" for v in verdicts) or "—"
    met_values = [v.met for v in verdicts if v.met is not None]
    met = None if not met_values else all(met_values)
    title = scenario.title
    if scenario.statements_per_request > 1:
        title += f" ({measured.statements_per_second:,.0f} statements/s)"
    problems = []
    if measured.unexpected:
        problems.append(f"{measured.unexpected} unexpected statuses {measured.statuses}")
    if measured.socket_errors:
        problems.append(f"{measured.socket_errors} socket errors")
    if measured.overrun:
        problems.append(f"pool ran out ({measured.overrun} repeats)")
    if problems:
        title += " ⚠ " + ", ".join(problems)
    conns = result.heavy_connections if scenario.heavy else result.connections
    return (
        f"| {title} | {conns} | {measured.rps:,.1f} | {measured.ratio:.1%} | {_ms(measured.p50)} | "
        f"{_ms(measured.p95)} | {_ms(measured.p99)} | {_sql(result, scenario.key)} | {targets} "
        f"| {_mark(met)} |"
    )


def _sql(result: DatabaseResult, key: str) -> str:
    count = result.sql_counts.get(key)
    return "—" if count is None else str(count)


def _service_rows(services: dict[str, Timing]) -> list[str]:
    if not services:
        return []
    rows = [
        "| request (one at a time, in-process) | size | ms (median) | SQL statements | rows out |",
        "|---|---:|---:|---:|---:|",
    ]
    for timing in services.values():
        rows.append(
            f"| {timing.label} | {timing.size:,} | {_ms(timing.ms)} | {timing.queries} | "
            f"{timing.rows:,} |" + ("" if timing.status in (200,) else f" ⚠ status {timing.status}")
        )
    return rows


def _curve_rows(curve: Curve) -> list[str]:
    rows = [
        f"| {curve.unit} | view | ms (median) | SQL statements |",
        "|---:|---|---:|---:|",
    ]
    for point in curve.points:
        flag = "" if point.status == 200 else f" ⚠ status {point.status}"
        rows.append(f"| {point.size:,} | {point.label}{flag} | {_ms(point.ms)} | {point.queries} |")
    rows.append(
        f"\nTime grows: {curve.shape()}; SQL statements: "
        f"{' → '.join(str(p.queries) for p in curve.points)}."
    )
    return rows


def _statement_curve_rows(curves: tuple[Curve, Curve]) -> list[str]:
    agent, activity = curves
    rows = [
        "| statements stored | GET by agent ms | SQL | GET by activity ms | SQL |",
        "|---:|---:|---:|---:|---:|",
    ]
    for a, b in zip(agent.points, activity.points, strict=True):
        flag = "" if a.status == b.status == 200 else f" ⚠ status {a.status}/{b.status}"
        rows.append(f"| {a.size:,}{flag} | {_ms(a.ms)} | {a.queries} | {_ms(b.ms)} | {b.queries} |")
    rows.append(f"\nBy agent: {agent.shape()}. By activity: {activity.shape()}.")
    return rows


def _database_section(result: DatabaseResult, before: dict | None = None) -> list[str]:
    seed = result.seed
    how = "reused from an earlier run" if result.seed_reused else "seeded for this run"
    lines = [
        f"## {DB_TITLES.get(result.kind, result.kind)}",
        "",
        f"Data: {seed.users:,} people, {seed.cycles:,} training cycles, "
        f"{seed.statements:,} xAPI statements ({how}; seeding took {seed.seconds_total:,.0f} s: "
        f"people {seed.seconds_people:,.0f} s, statements {seed.seconds_statements:,.0f} s). "
        f"Schema: {seed.schema}.",
        "",
        f"Each figure is the median of {result.repeat} run(s) of {result.duration:g} s; "
        "every ratio is to the hello run of the same repeat.",
        "",
        *_scenario_rows(result),
        "",
    ]
    compared = compare.rows(result, before) if before else []
    if compared:
        lines += ["### Before and after", "", *compared, ""]
    if result.services:
        lines += ["### One request at a time", "", *_service_rows(result.services), ""]
    if result.dashboard_curve is not None:
        lines += ["### Scale: compliance dashboard", "", *_curve_rows(result.dashboard_curve), ""]
    if result.statement_curves is not None:
        lines += [
            "### Scale: statement GET (first page of 100, newest first)",
            "",
            *_statement_curve_rows(result.statement_curves),
            "",
        ]
    lines += ["### Forwarder", ""]
    drain = result.drain
    if drain is None:
        lines += ["Not run (left out with `--only`).", ""]
    else:
        once = (
            "every statement arrived exactly once"
            if drain.exactly_once
            else (
                f"**check**: {drain.received:,} PUTs for {drain.distinct:,} distinct statements, "
                f"{drain.left_pending:,} left pending"
            )
        )
        lines += [
            f"Drained {drain.statements:,} pending statements to a fake LRS on loopback in "
            f"{drain.seconds:,.1f} s: {drain.rate:,.0f} statements/s overall, "
            f"{drain.median_rate:,.0f}/s median of three equal parts "
            f"({', '.join(f'{r:,.0f}' for r in drain.part_rates)}); batch {drain.batch}; {once}."
            + (f" Note: {drain.note}." if drain.note else ""),
            "",
        ]
    lines += ["### Memory", ""]
    if result.app_memory:
        peaks = ", ".join(f"{m.peak_mb:.0f}" for m in result.app_memory)
        ok = result.peak_worker_mb < MEMORY_LIMIT_MB
        lines.append(
            f"Peak resident memory per elearn worker after the scenarios: {peaks} MB "
            f"(target < {MEMORY_LIMIT_MB:.0f} MB: {_mark(ok)}). Hello workers: "
            + ", ".join(f"{m.peak_mb:.0f}" for m in result.hello_memory)
            + " MB."
        )
    lines.append("")
    if result.load:
        lines += ["Machine load (1/5/15-minute averages): " + "; ".join(result.load) + ".", ""]
    if result.probes:
        lines += [
            "### Stale-session probe",
            "",
            "One request each from a pupil whose session was last used two minutes ago (the app "
            "then records the activity in a second transaction). Both should answer at once "
            "(HTTP 200 and 302):",
            "",
            *[f"- {probe}" for probe in result.probes],
            "",
        ]
    if result.notes:
        lines += ["### Notes", "", *[f"- {note}" for note in result.notes], ""]
    return lines


def _summary(results: Sequence[DatabaseResult]) -> list[str]:
    kinds = [r.kind for r in results]
    header = "| target | " + " | ".join(DB_TITLES.get(k, k) for k in kinds) + " |"
    lines = [header, "|---|" + "---|" * len(kinds)]
    rows: dict[str, dict[str, str]] = {}
    for result in results:
        for measured in result.measured:
            for verdict in result.verdicts(measured):
                label = f"{measured.scenario.title}: {verdict.target.describe()}"
                rows.setdefault(label, {})[result.kind] = (
                    f"{verdict.shown} ({_mark(verdict.met)})" if verdict.met is not None else "—"
                )
        label = f"Peak memory per worker < {MEMORY_LIMIT_MB:.0f} MB"
        rows.setdefault(label, {})[result.kind] = (
            f"{result.peak_worker_mb:.0f} MB ({_mark(result.peak_worker_mb < MEMORY_LIMIT_MB)})"
            if result.app_memory
            else "—"
        )
    for label, cells in rows.items():
        lines.append(f"| {label} | " + " | ".join(cells.get(k, "—") for k in kinds) + " |")
    return lines


def write_report(
    path: Path,
    machine: Machine,
    results: Sequence[DatabaseResult],
    before: dict | None = None,
) -> str:
    versions = ", ".join(f"{k} {v}" for k, v in machine.versions.items())
    lines = [
        "# Benchmark results",
        "",
        f"Produced by `{machine.command}` on {machine.date}.",
        "",
        f"Machine: {machine.cores} cores (`os.cpu_count()`), {machine.cpu}. {versions}.",
        "",
        "Method: gunicorn with 4 sync workers on 127.0.0.1 serves elearn and, from the same "
        "configuration, a bare Flask app answering `/hello`; wrk drives each scenario with its "
        "Lua script (see `bench/README.md`). Page scenarios use the stated connections; reports "
        "(dashboards, CSV) use a few, and their targets are judged on one request at a time.",
        "",
        f"Profile: {machine.profile}.",
        "",
        "## Targets",
        "",
        *_summary(results),
        "",
    ]
    for result in results:
        lines += _database_section(result, before)
    if FINDINGS.exists():
        lines += [FINDINGS.read_text(encoding="utf-8").strip(), ""]
    text = "\n".join(lines).rstrip() + "\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return text
