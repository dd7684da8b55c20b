"""Benchmark databases: an SQLite file reused between runs, or a PostgreSQL database per run.

SQLite: the seeded file is kept under ``bench/out/`` (named after the seed spec and the
schema fingerprint, so a changed model means a fresh seed) and each run works on a copy, so
what one run writes never changes the next run's starting point. PostgreSQL: a database is
created on the server, seeded, used and dropped again, even when the run fails.
"""

from __future__ import annotations

import json
import shutil
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url

from bench.profiles import SeedSpec
from bench.seed import SeedReport, checkpoint, schema_fingerprint, seed
from elearn.db import make_engine

Log = Callable[[str], None]
DEFAULT_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


@dataclass(frozen=True)
class Prepared:
    url: str
    seed: SeedReport
    reused: bool


def _seeding_engine(url: str) -> Engine:
    """An engine for bulk loading: on SQLite, a big page cache and no fsync per chunk."""
    engine = make_engine(url)
    if engine.dialect.name == "sqlite":

        @event.listens_for(engine, "connect")
        def _fast(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA synchronous = OFF")
            cursor.execute("PRAGMA cache_size = -262144")
            cursor.execute("PRAGMA temp_store = MEMORY")
            cursor.close()

    return engine


def _remove_sqlite(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


@contextmanager
def sqlite_database(out_dir: Path, name: str, spec: SeedSpec, log: Log) -> Iterator[Prepared]:
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = f"{name}-{spec.key()}-{schema_fingerprint()}"
    pristine = out_dir / f"{stem}.sqlite"
    info_path = out_dir / f"{stem}.json"
    reused = pristine.exists() and info_path.exists()
    if reused:
        report = SeedReport.from_dict(json.loads(info_path.read_text()))
        log(f"  reusing {pristine.name} (seeded in {report.seconds_total:.0f} s)")
    else:
        _remove_sqlite(pristine)
        partial = out_dir / f"{stem}.partial.sqlite"
        _remove_sqlite(partial)
        engine = _seeding_engine(f"sqlite:///{partial}")
        try:
            report = seed(engine, spec, log=log)
            checkpoint(engine)
        finally:
            engine.dispose()
        _remove_sqlite(pristine)
        partial.rename(pristine)
        info_path.write_text(json.dumps(report.to_dict(), indent=2))
    working = out_dir / f"{name}-run.sqlite"
    _remove_sqlite(working)
    shutil.copyfile(pristine, working)
    try:
        yield Prepared(f"sqlite:///{working}", report, reused)
    finally:
        _remove_sqlite(working)


@contextmanager
def postgresql_database(server: str, name: str, spec: SeedSpec, log: Log) -> Iterator[Prepared]:
    database = f"elearn_bench_{name}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{database}"'))
        url = make_url(server).set(database=database).render_as_string(hide_password=False)
        engine = _seeding_engine(url)
        try:
            report = seed(engine, spec, log=log)
        finally:
            engine.dispose()
        yield Prepared(url, report, False)
    finally:
        for _ in range(3):
            try:
                with admin.connect() as conn:
                    conn.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
                break
            except Exception:
                time.sleep(1)
        admin.dispose()


@contextmanager
def database(
    kind: str, *, out_dir: Path, server: str, name: str, spec: SeedSpec, log: Log
) -> Iterator[Prepared]:
    if kind == "sqlite":
        with sqlite_database(out_dir, name, spec, log) as prepared:
            yield prepared
    elif kind == "postgresql":
        with postgresql_database(server, name, spec, log) as prepared:
            yield prepared
    else:
        raise ValueError(f"unknown database kind {kind!r}")
