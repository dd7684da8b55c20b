"""The benchmark data generator: a whole trust with years of training and xAPI history.

    python -m bench.seed --url sqlite:///bench/out/trust.sqlite            # the full trust
    python -m bench.seed --url ... --staff 500 --pupils 2000 --statements 50000

Rows go in with SQLAlchemy Core ``insert()`` executemany, in chunks of a few thousand, one
transaction per chunk. Everyone shares one precomputed argon2 hash (hashing 90,000 passwords
would take longer than everything else). The schema comes from the Alembic migrations on a
fresh database; while the migrations lag behind the models, the tables are created from the
models instead and the report says so.
"""

from __future__ import annotations

import argparse
import hashlib
import random
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, fields
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, Table, insert, inspect, text

from bench.people import TrustBuilder
from bench.profiles import FULL, SeedSpec
from bench.statement_rows import StatementFactory
from elearn.auth.passwords import hash_password
from elearn.catalog.loader import load_catalog
from elearn.catalog.model import Catalog
from elearn.compliance.rules import uk_date
from elearn.db import Base, make_engine
from elearn.models import import_models

REPO_ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "bench-password-1"
CHUNK = 5_000

Log = Callable[[str], None]


def _quiet(_message: str) -> None:
    return None


# --- schema -------------------------------------------------------------------------------------


def schema_fingerprint() -> str:
    """A hash of every model table and column: a seeded database is reused only if it matches."""
    import_models()
    parts = []
    for table in sorted(Base.metadata.tables.values(), key=lambda t: t.name):
        columns = ",".join(sorted(f"{c.name}:{c.type}" for c in table.columns))
        indexes = ",".join(sorted(i.name or "" for i in table.indexes))
        parts.append(f"{table.name}({columns})[{indexes}]")
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:16]


def _missing(engine: Engine) -> list[str]:
    inspector = inspect(engine)
    present = set(inspector.get_table_names())
    missing = []
    for table in Base.metadata.sorted_tables:
        if table.name not in present:
            missing.append(table.name)
            continue
        columns = {c["name"] for c in inspector.get_columns(table.name)}
        missing.extend(f"{table.name}.{c.name}" for c in table.columns if c.name not in columns)
    return missing


def ensure_schema(engine: Engine) -> str:
    """Create the schema on an empty database; returns how it was made, for the report."""
    from elearn.migrate import upgrade

    import_models()
    upgrade(engine)
    missing = _missing(engine)
    if not missing:
        return "Alembic migrations"
    # The migrations do not yet cover every model: start again from the models themselves.
    with engine.begin() as conn:
        Base.metadata.drop_all(conn)
        conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
    Base.metadata.create_all(engine)
    shown = ", ".join(missing[:6]) + (" …" if len(missing) > 6 else "")
    return f"create_all from the models (the migrations lack {len(missing)} items: {shown})"


# --- inserting ----------------------------------------------------------------------------------


def _table(name: str) -> Table:
    return Base.metadata.tables[name]


def _fit(table: Table, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Drop keys the table does not have (a column renamed elsewhere must not stop a seed)."""
    names = set(table.columns.keys())
    if rows and set(rows[0]) <= names:
        return rows
    return [{k: v for k, v in row.items() if k in names} for row in rows]


def insert_rows(engine: Engine, table_name: str, rows: Iterable[dict[str, Any]]) -> int:
    """Insert rows in chunks, one transaction per chunk; returns how many went in."""
    table = _table(table_name)
    total = 0
    batch: list[dict[str, Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= CHUNK:
            total += _flush(engine, table, batch)
            batch = []
    if batch:
        total += _flush(engine, table, batch)
    return total


def _flush(engine: Engine, table: Table, batch: list[dict[str, Any]]) -> int:
    with engine.begin() as conn:
        conn.execute(insert(table), _fit(table, batch))
    return len(batch)


def fix_sequences(engine: Engine) -> None:
    """PostgreSQL: move each id sequence past the ids the seed assigned itself."""
    if engine.dialect.name != "postgresql":
        return
    with engine.begin() as conn:
        for table in Base.metadata.sorted_tables:
            keys = list(table.primary_key.columns)
            if len(keys) != 1 or keys[0].type.python_type is not int:
                continue
            column = keys[0].name
            sequence = conn.execute(
                text("SELECT pg_get_serial_sequence(:t, :c)"), {"t": table.name, "c": column}
            ).scalar()
            if sequence:
                highest = f'SELECT COALESCE(MAX("{column}"), 0) + 1 FROM "{table.name}"'
                conn.execute(text(f"SELECT setval(:s, ({highest}), false)"), {"s": sequence})


def analyse(engine: Engine) -> None:
    """PostgreSQL: what autovacuum would do after a bulk load (statistics, visibility map)."""
    if engine.dialect.name != "postgresql":
        return
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE"))


# --- the whole seed -----------------------------------------------------------------------------


@dataclass(frozen=True)
class SeedReport:
    spec_key: str
    schema: str
    fingerprint: str
    users: int
    cycles: int
    statements: int
    seconds_people: float
    seconds_statements: float
    seconds_total: float
    today: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SeedReport:
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in names})


def seed(
    engine: Engine,
    spec: SeedSpec,
    *,
    content_root: Path = REPO_ROOT,
    now: datetime | None = None,
    log: Log = _quiet,
) -> SeedReport:
    """Create the schema on an empty database and fill it as ``spec`` says."""
    began = time.perf_counter()
    now = now or datetime.now(UTC)
    today = uk_date(now)
    schema = ensure_schema(engine)
    catalog = load_catalog(content_root)
    people_rows = build_people(spec, catalog, today=today, now=now)
    log(f"  people: {len(people_rows.users):,} users, {len(people_rows.cycles):,} cycles")
    for name, rows in (
        ("academies", people_rows.academies),
        ("users", people_rows.users),
        ("parent_links", people_rows.links),
        ("course_cycles", people_rows.cycles),
        ("policy_sign_offs", people_rows.sign_offs),
        ("compliance_policy_releases", people_rows.releases),
    ):
        insert_rows(engine, name, rows)
    people_done = time.perf_counter()
    log(f"  people inserted in {people_done - began:.1f} s")
    statements = seed_statements(engine, spec, catalog, people_rows.people, now=now, log=log)
    statements_done = time.perf_counter()
    fix_sequences(engine)
    analyse(engine)
    return SeedReport(
        spec_key=spec.key(),
        schema=schema,
        fingerprint=schema_fingerprint(),
        users=len(people_rows.users),
        cycles=len(people_rows.cycles),
        statements=statements,
        seconds_people=round(people_done - began, 1),
        seconds_statements=round(statements_done - people_done, 1),
        seconds_total=round(time.perf_counter() - began, 1),
        today=today.isoformat(),
    )


def build_people(spec: SeedSpec, catalog: Catalog, *, today: date, now: datetime):
    return TrustBuilder(
        spec, catalog, today=today, password_hash=hash_password(PASSWORD), now=now
    ).build()


def seed_statements(
    engine: Engine,
    spec: SeedSpec,
    catalog: Catalog,
    people: list,
    *,
    now: datetime,
    log: Log = _quiet,
) -> int:
    factory = StatementFactory(catalog, spec.base_url, random.Random(spec.seed + 1))
    start = now - timedelta(days=365 * spec.years)
    end = now - timedelta(hours=1)
    statements, activities, agents = (
        _table("xapi_statements"),
        _table("xapi_statement_activities"),
        _table("xapi_statement_agents"),
    )
    done = 0
    began = time.perf_counter()
    for chunk in factory.chunks(
        people, spec.statements, start=start, end=end, pending=spec.pending
    ):
        with engine.begin() as conn:
            conn.execute(insert(statements), _fit(statements, chunk.statements))
            conn.execute(insert(activities), _fit(activities, chunk.activities))
            conn.execute(insert(agents), _fit(agents, chunk.agents))
        done += len(chunk.statements)
        if done % 100_000 < CHUNK:
            rate = done / max(time.perf_counter() - began, 1e-6)
            log(f"  statements: {done:,} of {spec.statements:,} ({rate:,.0f}/s)")
    return done


def checkpoint(engine: Engine) -> None:
    """SQLite: fold the write-ahead log into the main file, so the file can be copied alone."""
    if engine.dialect.name == "sqlite":
        with engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")


# --- command line -------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.seed", description=__doc__.split("\n")[0]
    )
    parser.add_argument(
        "--url", required=True, help="an empty database (SQLite file or PostgreSQL)"
    )
    for field in ("academies", "staff", "pupils", "parents", "statements", "pending"):
        parser.add_argument(f"--{field}", type=int, default=getattr(FULL, field))
    args = parser.parse_args(argv)
    spec = SeedSpec(
        academies=args.academies,
        staff=args.staff,
        pupils=args.pupils,
        parents=args.parents,
        statements=args.statements,
        pending=min(args.pending, args.statements),
        large_academy_staff=min(FULL.large_academy_staff, args.staff // 3),
        small_academy_staff=min(FULL.small_academy_staff, args.staff // 10),
    )
    if args.url.startswith("sqlite:///"):
        Path(args.url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    engine = make_engine(args.url)
    try:
        report = seed(engine, spec, log=print)
        checkpoint(engine)
    finally:
        engine.dispose()
    print(
        f"Seeded {report.users:,} users, {report.cycles:,} training cycles and "
        f"{report.statements:,} statements in {report.seconds_total:.0f} s ({report.schema})."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
