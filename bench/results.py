"""What a run found, per database: repeated wrk runs reduced to medians, and the judgements."""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field

from bench.forward import DrainResult
from bench.scale import Curve, Timing
from bench.scenarios import Scenario, Target
from bench.seed import SeedReport
from bench.servers import Memory
from bench.wrk import WrkResult

MEMORY_LIMIT_MB = 150.0


def median(values: list[float]) -> float:
    return statistics.median(values) if values else 0.0


@dataclass
class Measured:
    """One scenario's runs; each run's ratio is to the hello run of the same repeat."""

    scenario: Scenario
    runs: list[WrkResult] = field(default_factory=list)
    ratios: list[float] = field(default_factory=list)
    retried_pools: int = 0

    @property
    def rps(self) -> float:
        return median([r.rps for r in self.runs])

    @property
    def ratio(self) -> float:
        return median(self.ratios)

    @property
    def p50(self) -> float:
        return median([r.p50_ms for r in self.runs])

    @property
    def p95(self) -> float:
        return median([r.p95_ms for r in self.runs])

    @property
    def p99(self) -> float:
        return median([r.p99_ms for r in self.runs])

    @property
    def statements_per_second(self) -> float:
        return self.rps * self.scenario.statements_per_request

    @property
    def unexpected(self) -> int:
        return sum(r.unexpected for r in self.runs)

    @property
    def socket_errors(self) -> int:
        return sum(r.socket_errors for r in self.runs)

    @property
    def overrun(self) -> int:
        return sum(r.overrun for r in self.runs) if self.scenario.pool else 0

    @property
    def statuses(self) -> dict[str, int]:
        merged: dict[str, int] = {}
        for run in self.runs:
            for key, value in run.statuses.items():
                merged[key] = merged.get(key, 0) + value
        return merged


@dataclass(frozen=True)
class Verdict:
    target: Target
    met: bool | None  # None: not measured here
    shown: str


@dataclass
class DatabaseResult:
    kind: str
    seed: SeedReport
    seed_reused: bool
    connections: int
    heavy_connections: int
    duration: float
    repeat: int
    hello: list[WrkResult] = field(default_factory=list)
    measured: list[Measured] = field(default_factory=list)
    missing: list[tuple[Scenario, str]] = field(default_factory=list)
    app_memory: list[Memory] = field(default_factory=list)
    hello_memory: list[Memory] = field(default_factory=list)
    drain: DrainResult | None = None
    dashboard_curve: Curve | None = None
    statement_curves: tuple[Curve, Curve] | None = None
    services: dict[str, Timing] = field(default_factory=dict)
    # SQL statements one request of each scenario sends (None: it did not answer as expected).
    sql_counts: dict[str, int | None] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    probes: list[str] = field(default_factory=list)
    load: list[str] = field(default_factory=list)

    @property
    def hello_rps(self) -> float:
        return median([r.rps for r in self.hello])

    @property
    def peak_worker_mb(self) -> float:
        return max((m.peak_mb for m in self.app_memory), default=0.0)

    def verdicts(self, measured: Measured) -> list[Verdict]:
        found = []
        completed = sum(run.requests for run in measured.runs)
        for target in measured.scenario.targets:
            if target.only_on and target.only_on != self.kind:
                found.append(Verdict(target, None, "n/a here"))
                continue
            if not completed and target.kind != "service":
                found.append(Verdict(target, False, "no request completed"))
                continue
            if target.kind == "ratio":
                found.append(
                    Verdict(target, measured.ratio >= target.value, f"{measured.ratio:.0%}")
                )
            elif target.kind == "p95":
                found.append(Verdict(target, measured.p95 < target.value, f"{measured.p95:.1f} ms"))
            elif target.kind == "ingest":
                rate = measured.statements_per_second
                found.append(Verdict(target, rate >= target.value, f"{rate:,.0f}/s"))
            elif target.kind == "service":
                timing = self.services.get(measured.scenario.service_key or "")
                if timing is None:
                    found.append(Verdict(target, None, "not measured"))
                else:
                    found.append(Verdict(target, timing.ms < target.value, f"{timing.ms:.1f} ms"))
        return found
