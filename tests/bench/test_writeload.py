"""The write load runner works end to end: a two-second run on a tiny trust passes.

No figure is asserted (they depend on the machine); what is checked is that writers and
quiz answerers were all answered as designed (no errors), that the stored statements were
counted exactly, and that the log's size was sampled.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]


def test_a_short_write_load_has_no_errors_and_loses_no_statement(tmp_path: Path) -> None:
    server = os.environ.get("ELEARN_TEST_DATABASE_URL")
    argv = [
        sys.executable, "-m", "bench.writeload", "--quick",
        "--duration", "2", "--writers", "2", "--batch", "20", "--quiz-threads", "2",
        "--db", "postgresql" if server else "sqlite",
        "--out-dir", str(tmp_path / "work"),
        "--output", str(tmp_path / "writeload.md"),
    ]  # fmt: skip
    if server:
        argv += ["--pg-url", server]
    done = subprocess.run(
        argv, cwd=REPO_ROOT, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    report = (tmp_path / "writeload.md").read_text(encoding="utf-8")
    assert "| Errors | 0 |" in report
    assert "× 20 ✓" in report  # the run's statements grew by exactly the batches stored
    assert "WAL" in report
    answered = [line for line in report.splitlines() if line.startswith("| quiz last answer")]
    assert answered, report
    requests = answered[0].split("|")[2].strip().replace(",", "")
    assert int(requests) > 0, answered[0]
