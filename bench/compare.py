"""Before and after: a run's figures saved as JSON, and set beside a later run's in the report.

``python -m bench.run --save-figures before.json`` on one checkout, then
``python -m bench.run --before before.json`` on the next: the report gains, per database, a
table of each scenario's throughput (and its ratio to hello), p95 and SQL statements per
request, before and after. Ratios to hello are what compare across runs: the machine's own
speed moves between them, and hello moves with it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from bench.results import DatabaseResult

Figures = dict[str, dict[str, Any]]


def figures(result: DatabaseResult) -> Figures:
    """Each scenario's medians and SQL count, keyed by scenario key (and ``hello``)."""
    found: Figures = {"hello": {"title": "hello", "rps": result.hello_rps, "ratio": 1.0}}
    for measured in result.measured:
        scenario = measured.scenario
        found[scenario.key] = {
            "title": scenario.title,
            "rps": measured.rps,
            "ratio": measured.ratio,
            "p95": measured.p95,
            "sql": result.sql_counts.get(scenario.key),
            "statements_per_second": (
                measured.statements_per_second if scenario.statements_per_request > 1 else None
            ),
        }
    for key, timing in result.services.items():
        found[f"service:{key}"] = {"title": timing.label, "ms": timing.ms, "sql": timing.queries}
    return found


def save(path: Path, results: list[DatabaseResult], label: str) -> None:
    payload = {"label": label, "databases": {r.kind: figures(r) for r in results}}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(payload, indent=2), encoding="utf-8")


def load(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def _rate(entry: dict[str, Any] | None) -> str:
    if not entry:
        return "—"
    if entry.get("statements_per_second"):
        return f"{entry['statements_per_second']:,.0f} st/s ({entry['ratio']:.1%})"
    return f"{entry['rps']:,.1f} ({entry['ratio']:.1%})"


def _number(entry: dict[str, Any] | None, key: str, unit: str = "") -> str:
    if not entry or entry.get(key) is None:
        return "—"
    value = entry[key]
    shown = f"{value:.1f}" if isinstance(value, float) and value < 100 else f"{value:,.0f}"
    return shown + unit


def rows(result: DatabaseResult, before: dict[str, Any]) -> list[str]:
    """The before-and-after table for one database (empty if ``before`` has none for it)."""
    old = before.get("databases", {}).get(result.kind)
    if not old:
        return []
    new = figures(result)
    lines = [
        f"Before: {before.get('label', 'the earlier run')}. After: this run.",
        "",
        "| scenario | before req/s (of hello) | after req/s (of hello) | before p95 ms | "
        "after p95 ms | before SQL | after SQL |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for key, entry in new.items():
        if key == "hello" or key.startswith("service:"):
            continue
        was = old.get(key)
        lines.append(
            f"| {entry['title']} | {_rate(was)} | {_rate(entry)} | {_number(was, 'p95')} | "
            f"{_number(entry, 'p95')} | {_number(was, 'sql')} | {_number(entry, 'sql')} |"
        )
    services = [k for k in new if k.startswith("service:")]
    if services:
        lines += [
            "",
            "| one request at a time | before ms | after ms | before SQL | after SQL |",
            "|---|---:|---:|---:|---:|",
        ]
        for key in services:
            entry, was = new[key], old.get(key)
            lines.append(
                f"| {entry['title']} | {_number(was, 'ms')} | {_number(entry, 'ms')} | "
                f"{_number(was, 'sql')} | {_number(entry, 'sql')} |"
            )
    hello_was = old.get("hello", {}).get("rps")
    if hello_was:
        lines += ["", f"Hello: {hello_was:,.0f} req/s before, {result.hello_rps:,.0f} after."]
    return lines
