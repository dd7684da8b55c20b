from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from elearn.auth.models import Academy, User
from elearn.auth.roles import Role
from elearn.db import make_engine


def test_sqlite_connections_use_wal_busy_timeout_and_foreign_keys(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'x.sqlite'}", busy_timeout_ms=4321)
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 4321
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        # The write-ahead log is cut back after checkpoints, not kept at its largest size.
        assert conn.exec_driver_sql("PRAGMA journal_size_limit").scalar() == 64 * 1024 * 1024
    engine.dispose()


def test_foreign_keys_are_enforced(db):
    db.add(User(username="orphan", display_name="O", role=Role.STAFF, academy_id=999_999))
    with pytest.raises(IntegrityError):
        db.commit()
    db.rollback()


def test_timestamps_come_back_timezone_aware_utc(db, make):
    london = timezone(timedelta(hours=1))
    academy = make.academy("Aware Academy")
    academy.created_at = datetime(2026, 6, 1, 9, 30, tzinfo=london)
    db.commit()
    db.expire_all()
    loaded = db.scalar(select(Academy).where(Academy.name == "Aware Academy"))
    assert loaded.created_at == datetime(2026, 6, 1, 8, 30, tzinfo=UTC)
    assert loaded.created_at.tzinfo is not None


def test_naive_timestamps_are_refused(db, make):
    academy = make.academy()
    academy.created_at = datetime(2026, 6, 1, 9, 30)
    with pytest.raises(Exception, match="naive"):
        db.commit()
    db.rollback()


def test_request_session_is_closed_after_each_request(app, client):
    seen = []

    @app.get("/_probe")
    def probe():
        from flask import g

        from elearn.db import get_db

        session = get_db()
        session.execute(text("SELECT 1"))
        seen.append(session)
        assert g.db is session
        return "ok"

    probe._elearn_access = "public"
    assert client.get("/_probe").status_code == 200
    assert seen and not seen[0].in_transaction()


def test_a_reads_first_view_takes_the_write_lock_only_when_it_begins_writing(app, client):
    from sqlalchemy.exc import OperationalError

    from elearn.db import begin_writing, get_db, reads_first, request_writes, writer_bind

    url = app.extensions["elearn.engine"].url
    impatient = make_engine(url.render_as_string(hide_password=False), busy_timeout_ms=50)
    sqlite = url.get_backend_name() == "sqlite"
    seen = {}

    def another_writer_can_write() -> bool:
        try:
            with writer_bind(impatient).begin() as other:
                other.execute(text("SELECT 1"))
            return True
        except OperationalError:
            return False

    @app.post("/_reads_first")
    @reads_first
    def probe():
        seen["writer before"] = request_writes()
        get_db().execute(text("SELECT 1"))
        seen["others write while it reads"] = another_writer_can_write()
        db = begin_writing()
        db.execute(text("SELECT 1"))
        seen["writer after"] = request_writes()
        seen["others write while it writes"] = another_writer_can_write()
        db.rollback()
        return "ok"

    probe._elearn_access = "public"
    try:
        assert client.post("/_reads_first").status_code == 200
    finally:
        impatient.dispose()
    assert seen["writer before"] is False and seen["writer after"] is True
    assert seen["others write while it reads"] is True
    # PostgreSQL has no database-wide write lock: other writers are never held up there.
    assert seen["others write while it writes"] is not sqlite


def test_a_page_that_only_reads_opens_no_transaction_on_postgresql(app, client):
    if app.extensions["elearn.engine"].dialect.name != "postgresql":
        pytest.skip("SQLite readers keep a transaction: it is what holds their snapshot")
    from psycopg.pq import TransactionStatus

    from elearn.db import get_db

    seen = []

    @app.get("/_reader")
    def probe():
        session = get_db()
        session.execute(text("SELECT 1"))
        seen.append(session.connection().connection.driver_connection.info.transaction_status)
        return "ok"

    probe._elearn_access = "public"
    assert client.get("/_reader").status_code == 200
    assert seen == [TransactionStatus.IDLE]
