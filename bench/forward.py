"""The forwarder scenario: drain the outbox's pending statements to a fake LRS on loopback.

The fake LRS (:mod:`bench.fake_lrs`) runs as its own process so it does not share this
process's interpreter lock with the forwarder. The forwarder is elearn's own ``run_once``,
called in passes of the configured batch size, exactly as ``elearn xapi forward`` does.
The drain is timed in three equal parts; the median part's rate is reported (with the
whole drain's), so the one long drain also gives three comparable measurements.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from flask import Flask
from sqlalchemy import func, select

from bench.servers import LOOPBACK, Process, free_port
from elearn.db import utcnow
from elearn.xapi.forwarding.client import LrsClient
from elearn.xapi.forwarding.forwarder import run_once
from elearn.xapi.models import ForwardState, StoredStatement


@dataclass(frozen=True)
class DrainResult:
    statements: int
    seconds: float
    rate: float
    part_rates: tuple[float, ...]
    batch: int
    received: int
    distinct: int
    left_pending: int
    note: str = ""

    @property
    def median_rate(self) -> float:
        return statistics.median(self.part_rates) if self.part_rates else self.rate

    @property
    def exactly_once(self) -> bool:
        return self.received == self.distinct == self.statements and self.left_pending == 0


def _pending(app: Flask) -> int:
    with app.extensions["elearn.sessionmaker"]() as session:
        return int(
            session.scalar(
                select(func.count())
                .select_from(StoredStatement)
                .where(StoredStatement.forward_state == ForwardState.PENDING)
            )
            or 0
        )


def _count(port: int) -> dict[str, int]:
    with urllib.request.urlopen(f"http://{LOOPBACK}:{port}/count", timeout=10) as response:
        return json.loads(response.read())


def drain(app: Flask, *, log_dir: Path, time_limit: float) -> DrainResult:
    """Send every pending statement."""
    settings = app.config["ELEARN"]
    batch = int(settings.get("LRS_BATCH") or 100)
    total = _pending(app)
    if total == 0:
        return DrainResult(0, 0.0, 0.0, (), batch, 0, 0, 0, "nothing was pending")
    port = free_port()
    lrs = Process(
        "fake LRS",
        [sys.executable, "-m", "bench.fake_lrs", "--port", str(port)],
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)},
        log_path=log_dir / "fake-lrs.log",
        ready_url=f"http://{LOOPBACK}:{port}/count",
    )
    client = LrsClient(f"http://{LOOPBACK}:{port}/xapi/", "bench", "bench", timeout=10.0)
    factory = app.extensions["elearn.writer_sessionmaker"]
    marks = [total * (n + 1) // 3 for n in range(3)]
    part_rates: list[float] = []
    delivered, note = 0, ""
    with lrs:
        began = last = time.perf_counter()
        last_count = 0
        while delivered < total:
            if time.perf_counter() - began > time_limit:
                note = f"stopped after {time_limit:.0f} s"
                break
            report = run_once(factory, client, utcnow(), batch=batch)
            delivered += report.delivered
            if report.sent == 0 or report.last_error:
                note = report.last_error or "a pass sent nothing"
                break
            while marks and delivered >= marks[0]:
                now = time.perf_counter()
                part_rates.append((delivered - last_count) / max(now - last, 1e-9))
                last, last_count = now, delivered
                marks.pop(0)
        seconds = time.perf_counter() - began
        counts = _count(port)
    return DrainResult(
        statements=delivered,
        seconds=round(seconds, 2),
        rate=round(delivered / seconds, 1) if seconds else 0.0,
        part_rates=tuple(round(r, 1) for r in part_rates),
        batch=batch,
        received=int(counts["puts"]),
        distinct=int(counts["distinct"]),
        left_pending=_pending(app),
        note=note,
    )
