"""The request profiler works end to end: a few requests of each scenario, profiled."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]


def test_three_requests_of_each_scenario_give_profiles_and_a_summary(tmp_path: Path) -> None:
    pytest.importorskip("pyinstrument", reason="pip install -e '.[bench]'")
    argv = [
        sys.executable, "-m", "bench.profile_requests", "--quick",
        "--lessons", "3", "--submits", "3", "--warm", "1", "--label", "smoke",
        "--out-dir", str(tmp_path),
    ]  # fmt: skip
    done = subprocess.run(
        argv, cwd=REPO_ROOT, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    profiles = tmp_path / "profiles"
    for scenario in ("lesson", "quiz_submit"):
        for suffix in (".txt", ".html", ".summary.txt"):
            assert (profiles / f"{scenario}-smoke{suffix}").stat().st_size > 0
        assert "Profile at" in (profiles / f"{scenario}-smoke.txt").read_text(encoding="utf-8")
    assert "3 requests" in done.stdout
    assert "ms per request" in done.stdout
    assert "Flask dispatch" in done.stdout
