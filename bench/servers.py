"""Processes the runner starts on loopback: gunicorn (hello and elearn) and the fake LRS.

Every process is started in its own session, remembered by pid, and ended by that pid:
SIGTERM first, SIGKILL if it has not gone within a few seconds.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType

BENCH_DIR = Path(__file__).resolve().parent
REPO_ROOT = BENCH_DIR.parent
GUNICORN_CONF = BENCH_DIR / "gunicorn.conf.py"
LOOPBACK = "127.0.0.1"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOOPBACK, 0))
        return int(sock.getsockname()[1])


@dataclass
class Process:
    """A started child process, ended by its pid when the ``with`` block leaves."""

    name: str
    argv: list[str]
    env: Mapping[str, str]
    log_path: Path
    ready_url: str | None = None
    ready_timeout: float = 60.0
    port: int | None = None
    popen: subprocess.Popen[bytes] | None = field(default=None, init=False)

    @property
    def pid(self) -> int:
        assert self.popen is not None
        return self.popen.pid

    def start(self) -> Process:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        log = self.log_path.open("ab")
        try:
            self.popen = subprocess.Popen(
                self.argv,
                env=dict(self.env),
                cwd=REPO_ROOT,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        finally:
            log.close()
        if self.ready_url:
            self._wait_ready()
        return self

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + self.ready_timeout
        while time.monotonic() < deadline:
            if self.popen is not None and self.popen.poll() is not None:
                raise RuntimeError(f"{self.name} exited early; see {self.log_path}")
            try:
                with urllib.request.urlopen(self.ready_url, timeout=2) as response:
                    if response.status < 500:
                        return
            except urllib.error.HTTPError as error:
                if error.code < 500:
                    return
            except OSError:
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"{self.name} did not answer {self.ready_url}; see {self.log_path}")

    def stop(self, grace: float = 10.0) -> None:
        if self.popen is None or self.popen.poll() is not None:
            return
        try:
            os.kill(self.popen.pid, signal.SIGTERM)
            self.popen.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            os.kill(self.popen.pid, signal.SIGKILL)
            self.popen.wait(timeout=grace)
        except ProcessLookupError:
            pass

    def __enter__(self) -> Process:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def gunicorn(
    name: str,
    app: str,
    *,
    env: Mapping[str, str],
    log_path: Path,
    ready_path: str,
    workers: int = 4,
) -> Process:
    """A gunicorn server for ``app`` on a free loopback port, configured by gunicorn.conf.py."""
    port = free_port()
    full_env = {
        **os.environ,
        **env,
        "BENCH_BIND": f"{LOOPBACK}:{port}",
        "BENCH_WORKERS": str(workers),
        "PYTHONPATH": str(REPO_ROOT),
    }
    argv = [sys.executable, "-m", "gunicorn", "-c", str(GUNICORN_CONF), app]
    return Process(
        name,
        argv,
        full_env,
        log_path,
        ready_url=f"http://{LOOPBACK}:{port}{ready_path}",
        port=port,
    )


def base_url(process: Process) -> str:
    return f"http://{LOOPBACK}:{process.port}"


def cpu_ticks(pids: list[int]) -> int:
    """User plus system CPU time of these processes so far, in clock ticks."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[-1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total


def wait_idle(
    url: str, master_pid: int | None = None, *, quick_ms: float = 50.0, limit_s: float = 120.0
) -> float:
    """Wait until the server is idle again; returns the seconds waited.

    Sync workers finish every request already queued when wrk stops, so without this wait
    the next scenario's first seconds would be spent on the last one's leftovers. Idle means
    every worker has stopped using CPU (a quick answer from one worker is not enough: the
    others may still be working through their queues) and ``url`` answers quickly.
    """
    began = time.monotonic()
    workers = children(master_pid) if master_pid else []
    still = 0
    while workers and time.monotonic() - began < limit_s and still < 2:
        before = cpu_ticks(workers)
        time.sleep(0.25)
        still = still + 1 if cpu_ticks(workers) - before <= 1 else 0
    fast = 0
    while time.monotonic() - began < limit_s and fast < 2:
        started = time.monotonic()
        try:
            with urllib.request.urlopen(url, timeout=limit_s) as response:
                response.read()
        except OSError:
            time.sleep(0.1)
            continue
        fast = fast + 1 if (time.monotonic() - started) * 1000 < quick_ms else 0
    return time.monotonic() - began


# --- memory -------------------------------------------------------------------------------------


def children(pid: int) -> list[int]:
    """The direct children of a process (gunicorn's workers), read from /proc."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # The command name is in parentheses and may hold spaces; the ppid follows it.
        after = stat.rsplit(")", 1)[-1].split()
        if len(after) > 1 and int(after[1]) == pid:
            found.append(int(entry.name))
    return sorted(found)


@dataclass(frozen=True)
class Memory:
    """Resident memory of one process, in MB: now, and the most it has ever held."""

    pid: int
    rss_mb: float
    peak_mb: float


def memory(pid: int) -> Memory | None:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    values = {}
    for line in status.splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            values[key] = int(rest.split()[0]) / 1024
    return Memory(pid, round(values.get("VmRSS", 0.0), 1), round(values.get("VmHWM", 0.0), 1))


def worker_memory(master_pid: int) -> list[Memory]:
    return [m for pid in children(master_pid) if (m := memory(pid)) is not None]
