"""The benchmark harness itself still works: a short run on a tiny trust yields a full table.

No timing is asserted (figures depend on the machine); what is checked is that the harness
runs end to end, that every scenario ran and produced numbers, and that every request got the
answer a real user would (sessions, CSRF tokens and LRS credentials were all accepted).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bench.scenarios import SCENARIOS
from bench.wrk import INSTALL_HINT, WRK

REPO_ROOT = Path(__file__).resolve().parents[2]
NUMBER = r"[0-9][0-9,]*(?:\.[0-9]+)?"


def _wrk_installed() -> bool:
    return os.access(WRK, os.X_OK) or shutil.which("wrk") is not None


@pytest.fixture(scope="module")
def quick_results(tmp_path_factory: pytest.TempPathFactory) -> str:
    if not _wrk_installed():
        pytest.fail(f"The benchmark smoke test needs wrk. {INSTALL_HINT}")
    out = tmp_path_factory.mktemp("bench")
    server = os.environ.get("ELEARN_TEST_DATABASE_URL")
    argv = [
        sys.executable, "-m", "bench.run", "--quick",
        "--db", "postgresql" if server else "sqlite",
        "--output", str(out / "RESULTS.md"),
        "--out-dir", str(out / "work"),
    ]  # fmt: skip
    if server:
        argv += ["--pg-url", server]
    done = subprocess.run(
        argv, cwd=REPO_ROOT, capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return (out / "RESULTS.md").read_text(encoding="utf-8")


def _row(text: str, title: str) -> str:
    # Scenario rows, not the summary of targets (whose rows read "| <title>: <target> |").
    for line in text.splitlines():
        if line.startswith(f"| {title}") and not line.startswith(f"| {title}:"):
            return line
    raise AssertionError(f"no row for {title!r} in the results")


def test_every_scenario_has_figures_beside_the_hello_baseline(quick_results: str) -> None:
    hello = _row(quick_results, "Bare Flask `/hello`")
    assert re.search(rf"\| {NUMBER} \| 100% \|", hello), hello
    for scenario in SCENARIOS:
        row = _row(quick_results, scenario.title)
        assert "not run" not in row, row
        cells = [cell.strip() for cell in row.strip("|").split("|")]
        rps, ratio, p50, p95, p99 = cells[2:7]
        for value in (rps, p50, p95, p99):
            assert re.fullmatch(NUMBER, value), row
        assert re.fullmatch(rf"{NUMBER}%", ratio), row


def test_every_request_was_answered_as_a_signed_in_user_would_be(quick_results: str) -> None:
    # A rejected cookie, CSRF token or LRS key shows up as unexpected statuses (⚠) in a row.
    table = [line for line in quick_results.splitlines() if line.startswith("| ")]
    assert not [line for line in table if "⚠" in line]


def test_the_report_covers_memory_scale_and_the_forwarder(quick_results: str) -> None:
    assert "cores (`os.cpu_count()`)" in quick_results
    assert "Peak resident memory per elearn worker" in quick_results
    assert "### Scale: compliance dashboard" in quick_results
    assert "### Scale: statement GET" in quick_results
    assert "every statement arrived exactly once" in quick_results
