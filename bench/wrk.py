"""Running wrk against a loopback server and reading its figures back.

wrk runs with ``--latency`` and one of the Lua scripts under ``bench/lua``; the script's
``done()`` prints a ``BENCH_RESULT`` JSON line with the exact percentiles (wrk's own
``--latency`` table has no 95th), the statuses seen and whether a pool ran out. The
``Requests/sec`` line of wrk's text output is parsed as well and must agree.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

LUA_DIR = Path(__file__).resolve().parent / "lua"
WRK = "/usr/bin/wrk"
INSTALL_HINT = (
    "wrk is not installed. Install Debian's package: sudo apt-get install wrk "
    "(as root: apt-get install -y wrk)"
)
_RESULT = re.compile(r"^BENCH_RESULT (\{.*\})\s*$", re.MULTILINE)
_RPS = re.compile(r"^Requests/sec:\s+([0-9.]+)", re.MULTILINE)


class WrkMissing(RuntimeError):
    pass


def wrk_path() -> str:
    """The wrk binary, or a clear error saying how to install it."""
    found = WRK if os.access(WRK, os.X_OK) else shutil.which("wrk")
    if not found:
        raise WrkMissing(INSTALL_HINT)
    return found


def wrk_version() -> str:
    try:
        done = subprocess.run(
            [wrk_path(), "--version"], capture_output=True, text=True, timeout=10, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"
    text = (done.stdout + done.stderr).strip().splitlines()
    return text[0] if text else "unknown"


@dataclass(frozen=True)
class WrkResult:
    requests: int
    seconds: float
    rps: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    mean_ms: float
    max_ms: float
    statuses: dict[str, int]
    unexpected: int
    errors: dict[str, int]
    overrun: int
    pool: int
    sent: int
    text_rps: float | None = None
    raw: str = field(default="", repr=False, compare=False)

    @property
    def socket_errors(self) -> int:
        return sum(self.errors.get(k, 0) for k in ("connect", "read", "write", "timeout"))

    @property
    def clean(self) -> bool:
        """Every response had the expected status and no connection failed."""
        return self.unexpected == 0 and self.socket_errors == 0 and self.requests > 0


def parse(output: str) -> WrkResult:
    match = _RESULT.search(output)
    if match is None:
        raise ValueError("wrk printed no BENCH_RESULT line:\n" + output[-2000:])
    data = json.loads(match.group(1))
    seconds = data["duration_us"] / 1e6
    text = _RPS.search(output)
    return WrkResult(
        requests=int(data["requests"]),
        seconds=round(seconds, 3),
        rps=round(data["requests"] / seconds, 1) if seconds else 0.0,
        p50_ms=data["p50_us"] / 1000,
        p95_ms=data["p95_us"] / 1000,
        p99_ms=data["p99_us"] / 1000,
        mean_ms=round(data["mean_us"] / 1000, 3),
        max_ms=data["max_us"] / 1000,
        statuses={str(k): int(v) for k, v in data["statuses"].items()},
        unexpected=int(data["unexpected"]),
        errors={str(k): int(v) for k, v in data["errors"].items()},
        overrun=int(data["overrun"]),
        pool=int(data["pool"]),
        sent=int(data["sent"]),
        text_rps=float(text.group(1)) if text else None,
        raw=output,
    )


def run_wrk(
    url: str,
    script: str,
    requests_file: Path,
    *,
    duration: float,
    connections: int,
    threads: int,
    expected_status: int = 200,
    env: Mapping[str, str] | None = None,
    timeout_s: float = 30.0,
) -> WrkResult:
    """One wrk run, bounded in time (and killed if it overstays by more than a minute)."""
    if not url.startswith("http://127.0.0.1:"):
        raise ValueError("the benchmark only sends traffic to 127.0.0.1")
    threads = max(1, min(threads, connections))
    argv = [
        wrk_path(),
        f"-t{threads}",
        f"-c{connections}",
        f"-d{max(1, round(duration))}s",
        f"--timeout={max(1, round(timeout_s))}s",
        "--latency",
        "-s",
        str(LUA_DIR / script),
        url,
        "--",
        str(requests_file),
        str(threads),
        str(expected_status),
    ]
    done = subprocess.run(
        argv,
        capture_output=True,
        text=True,
        timeout=duration + timeout_s + 60,
        env={**os.environ, **(env or {}), "BENCH_LUA_DIR": str(LUA_DIR) + "/"},
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"wrk failed ({done.returncode}): {done.stderr.strip()[-2000:]}")
    return parse(done.stdout)


def write_requests(path: Path, lines: list[str]) -> Path:
    """A request file for the Lua scripts: one request per line, tab-separated fields."""
    if not lines:
        raise ValueError(f"no requests for {path.name}")
    for line in lines:
        if "\n" in line:
            raise ValueError("a request line must not contain a newline")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
