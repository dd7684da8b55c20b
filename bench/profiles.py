"""The sizes the benchmarks seed and measure: the full trust, and a tiny one for smoke runs."""

from __future__ import annotations

from dataclasses import dataclass, replace


@dataclass(frozen=True)
class SeedSpec:
    """How much data to generate.

    ``staff`` counts every member of staff with a training record (heads, DSLs, teachers,
    support staff, volunteers). Academy 1 gets ``large_academy_staff`` of them (the 1,000-staff
    dashboard), academy 2 ``small_academy_staff``, and the rest are shared out over the other
    academies. ``pending`` of the newest statements are left undelivered for the forwarder.
    """

    academies: int = 10
    staff: int = 10_000
    pupils: int = 50_000
    parents: int = 30_000
    statements: int = 1_000_000
    pending: int = 100_000
    large_academy_staff: int = 1_000
    small_academy_staff: int = 100
    trust_staff: int = 10
    years: int = 3
    seed: int = 2026
    base_url: str = "http://127.0.0.1"

    def __post_init__(self) -> None:
        if self.academies < 3:
            raise ValueError("at least three academies are needed (a large, a small, the rest)")
        fixed = self.large_academy_staff + self.small_academy_staff + self.trust_staff
        if self.staff < fixed + 3 * (self.academies - 2):
            raise ValueError("too few staff for the academies asked for")
        if self.pending > self.statements:
            raise ValueError("more pending statements than statements")

    def key(self) -> str:
        """A short stable name for this spec, used to reuse a seeded database."""
        fields = [
            self.academies,
            self.staff,
            self.pupils,
            self.parents,
            self.statements,
            self.pending,
            self.large_academy_staff,
            self.small_academy_staff,
            self.trust_staff,
            self.years,
            self.seed,
        ]
        return "-".join(str(value) for value in fields)


FULL = SeedSpec()

QUICK = SeedSpec(
    academies=3,
    staff=44,
    pupils=90,
    parents=30,
    statements=600,
    pending=300,
    large_academy_staff=20,
    small_academy_staff=10,
    trust_staff=2,
)


@dataclass(frozen=True)
class Profile:
    """A whole benchmark configuration: the main seed and the scale-curve sizes."""

    name: str
    spec: SeedSpec
    # Dashboard scale curve: staff counts, each matched to a view of the main database.
    dashboard_sizes: tuple[int, ...]
    # Statement GET scale curve: total statements in a database seeded for each size.
    statement_sizes: tuple[int, ...]
    duration: float
    repeat: int
    connections: int = 64
    heavy_connections: int = 2

    def with_overrides(self, *, duration: float | None, repeat: int | None) -> Profile:
        return replace(
            self,
            duration=duration if duration is not None else self.duration,
            repeat=repeat if repeat is not None else self.repeat,
        )


def statement_curve_spec(base: SeedSpec, statements: int) -> SeedSpec:
    """A database for one point of the statement GET curve.

    People grow with the statements so each person keeps about as many statements as in the
    full trust: the curve then shows what the table's size alone costs.
    """
    per_person = max(1, base.statements // max(1, base.staff + base.pupils))
    people = max(60, statements // per_person)
    staff = max(30, people // 6)
    return replace(
        base,
        academies=3,
        staff=staff,
        pupils=max(10, people - staff),
        parents=0,
        statements=statements,
        pending=0,
        large_academy_staff=staff // 3,
        small_academy_staff=staff // 6,
        trust_staff=2,
    )


PROFILES: dict[str, Profile] = {
    "full": Profile(
        name="full",
        spec=FULL,
        dashboard_sizes=(100, 1_000, 10_000),
        statement_sizes=(10_000, 100_000, 1_000_000),
        duration=10.0,
        repeat=3,
    ),
    "quick": Profile(
        name="quick",
        spec=QUICK,
        dashboard_sizes=(10, 20, 44),
        statement_sizes=(200, 400, 600),
        duration=2.0,
        repeat=1,
        connections=16,
    ),
}
