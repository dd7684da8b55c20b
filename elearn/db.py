"""The data layer: declarative base, engine set-up for SQLite and PostgreSQL, request sessions."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar, TypeVar

from flask import Flask, g, has_request_context, request
from sqlalchemy import DateTime, Engine, MetaData, create_engine, event, text
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

F = TypeVar("F", bound=Callable[..., Any])

# Stable constraint names so Alembic migrations are the same on SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC timestamp on every database.

    SQLite has no time zones and hands back naive values; this type stores UTC and always
    returns aware datetimes, and refuses naive ones so local times never sneak in.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given where an aware UTC time is required")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UTCDateTime()}


def utcnow() -> datetime:
    return datetime.now(UTC)


def database_url(config: dict[str, Any], instance_path: str) -> str:
    url = str(config.get("DATABASE_URL") or "")
    if url:
        return url
    Path(instance_path).mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{Path(instance_path) / 'elearn.sqlite'}"


WAL_SIZE_LIMIT_BYTES = 64 * 1024 * 1024


def make_engine(url: str, *, echo: bool = False, busy_timeout_ms: int = 5000) -> Engine:
    """Create an engine; SQLite gets WAL, a busy timeout, foreign keys and explicit BEGIN."""
    if url.startswith("sqlite"):
        engine = create_engine(url, echo=echo, connect_args={"check_same_thread": False})
        _configure_sqlite(engine, busy_timeout_ms)
        return engine
    return create_engine(url, echo=echo, pool_pre_ping=True, pool_size=5, max_overflow=10)


def _configure_sqlite(engine: Engine, busy_timeout_ms: int) -> None:
    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        # pysqlite's own transaction handling is switched off so that SQLAlchemy emits BEGIN
        # itself (the SQLite dialect's documented recipe); otherwise SAVEPOINTs and
        # transaction boundaries misbehave.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
        cursor.execute("PRAGMA foreign_keys = ON")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = NORMAL")
            # After a checkpoint the write-ahead log is cut back to this size instead of
            # keeping the largest it ever grew to.
            cursor.execute(f"PRAGMA journal_size_limit = {WAL_SIZE_LIMIT_BYTES}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection: Any) -> None:
        # A write that reads first must take the write lock up front: with a deferred BEGIN
        # two writers both read, then one fails with "database is locked" on upgrade.
        immediate = connection.get_execution_options().get("sqlite_immediate", False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def writer_bind(engine: Engine) -> Engine:
    """The engine to use for a unit of work that writes (BEGIN IMMEDIATE on SQLite)."""
    if engine.dialect.name == "sqlite":
        return engine.execution_options(sqlite_immediate=True)
    return engine


def hold_job_lock(session: Session, job: str) -> bool:
    """Take the lock that lets one process at a time run ``job``, until the transaction ends.

    False when another process holds it. On PostgreSQL this is a transaction-level advisory
    lock, which the server also releases when the holder's connection dies, so a killed run
    never leaves the job locked. On SQLite a writer's ``BEGIN IMMEDIATE`` already holds the
    database's only write lock, so a second run waits for the first to finish (then finds
    nothing left to do) and this has nothing to add. The session must be a writer.
    """
    bind = session.get_bind()
    if bind.dialect.name != "postgresql":
        session.execute(text("SELECT 1"))  # starts the transaction, and so takes the lock
        return True
    key = int.from_bytes(hashlib.sha256(job.encode()).digest()[:8], "big", signed=True)
    return bool(session.scalar(text("SELECT pg_try_advisory_xact_lock(:key)"), {"key": key}))


def reader_bind(engine: Engine) -> Engine:
    """The engine for a unit of work that only reads.

    On PostgreSQL each statement of a READ COMMITTED transaction already sees its own
    snapshot, so reading outside a transaction (autocommit) shows exactly the same data and
    saves the BEGIN and ROLLBACK round trips, a sixth of a page's time. A reader must not
    write: its statements would each commit at once (see ``writes`` and ``reads_first``).
    """
    if engine.dialect.name == "sqlite":
        return engine
    return engine.execution_options(isolation_level="AUTOCOMMIT")


def init_app(app: Flask, engine: Engine) -> None:
    writer = writer_bind(engine)
    app.extensions["elearn.engine"] = engine
    app.extensions["elearn.writer_engine"] = writer
    app.extensions["elearn.sessionmaker"] = sessionmaker(
        bind=reader_bind(engine), expire_on_commit=False
    )
    app.extensions["elearn.writer_sessionmaker"] = sessionmaker(bind=writer, expire_on_commit=False)

    @app.teardown_appcontext
    def close_session(_exc: BaseException | None) -> None:
        session = g.pop("db", None)
        if session is not None:
            session.close()


def writes(view: F) -> F:
    """Mark a GET view that writes (e.g. opening a lesson records it as read).

    Its request session takes SQLite's write lock at BEGIN, as POSTs do, so a read followed
    by a write can never fail on a snapshot another writer has moved past.
    """
    view._elearn_writes = True  # type: ignore[attr-defined]
    return view


def reads_first(view: F) -> F:
    """Mark a POST view that does its reading and its work before it writes.

    Its request session starts as a reader; the view calls :func:`begin_writing` before its
    first write. On SQLite the write lock is then held only for the writes, not for loading
    the person, checking the form and grading, which lets other requests write meanwhile.
    What the view read may have changed by then: its writes must check again what matters
    (an UPDATE ... WHERE on the state it expects, a unique constraint).
    """
    view._elearn_reads_first = True  # type: ignore[attr-defined]
    return view


def request_writes() -> bool:
    """Whether this request's session is a writer (a POST, or a GET marked ``writes``)."""
    from flask import current_app

    if not has_request_context():
        return False
    if g.get("elearn_writing"):
        return True
    view = current_app.view_functions.get(request.endpoint or "")
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        return not getattr(view, "_elearn_reads_first", False)
    return bool(getattr(view, "_elearn_writes", False))


def begin_writing() -> Session:
    """In a ``reads_first`` view: make the request's session a writer, and return it.

    Objects already loaded stay loaded (sessions do not expire them on commit), but on SQLite
    they were read before the write lock was taken.
    """
    from flask import current_app

    db = get_db()
    if db.new or db.dirty or db.deleted:
        raise RuntimeError("begin_writing() must come before the first change")
    if not g.get("elearn_writing"):
        g.elearn_writing = True
        writer = current_app.extensions["elearn.writer_engine"]
        if writer is not db.bind:
            db.commit()  # ends the read transaction (and its snapshot); nothing was written
            db.bind = writer
    return db


def get_db() -> Session:
    """The request's one session; requests that can write take SQLite's write lock up front."""
    from flask import current_app

    if "db" not in g:
        key = "elearn.writer_sessionmaker" if request_writes() else "elearn.sessionmaker"
        g.db = current_app.extensions[key]()
    return g.db
