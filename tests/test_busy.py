"""A write that waits too long for the database is answered 503 with Retry-After, never 500,
and nothing of it is stored."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from elearn.auth.roles import Role
from elearn.learning.models import LessonRead
from elearn.web.busy import is_busy
from elearn.xapi.models import StoredStatement
from tests.content_fixtures import write_content
from tests.xapi.test_resource import Lrs, issue, stmt

pytestmark = pytest.mark.usefixtures("content_root")


@pytest.fixture
def content_root(tmp_path, app_config):
    root = write_content(tmp_path / "content-root")
    app_config["CONTENT_ROOT"] = str(root)
    # Short, so that the test waits a moment rather than the default five seconds.
    app_config["SQLITE_BUSY_TIMEOUT_MS"] = 100
    return root


@contextmanager
def another_writer(database_url: str) -> Iterator[None]:
    """Another process's transaction holding SQLite's write lock."""
    connection = sqlite3.connect(database_url.removeprefix("sqlite:///"), isolation_level=None)
    connection.execute("BEGIN IMMEDIATE")
    try:
        yield
    finally:
        connection.execute("ROLLBACK")
        connection.close()


@pytest.fixture
def sqlite_only(database_url):
    if not database_url.startswith("sqlite"):
        pytest.skip("SQLite's single writer lock; PostgreSQL's lock_timeout is checked below")


def test_a_statement_post_that_cannot_get_the_lock_is_told_to_retry(
    sqlite_only, database_url, client, db
):
    issued = issue(db)
    lrs = Lrs(client, issued.key, issued.secret)

    with another_writer(database_url):
        busy = lrs.post(stmt())
    after = lrs.post(stmt())

    assert busy.status_code == 503
    assert busy.headers["Retry-After"] == "2"
    assert "send it again" in busy.get_json()["message"]
    assert after.status_code == 200
    db.commit()
    assert db.scalar(select(func.count()).select_from(StoredStatement)) == 1


def test_a_page_that_cannot_save_says_so_kindly(sqlite_only, database_url, client, make, db):
    pupil = make.user(Role.PUPIL, make.academy(), year_group=5)
    client.login(pupil.username)

    with another_writer(database_url):
        busy = client.get("/learn/test-pupil/01-only")

    assert busy.status_code == 503
    assert busy.headers["Retry-After"]
    assert "Nothing is lost" in busy.get_data(as_text=True)
    db.commit()
    assert db.scalar(select(func.count()).select_from(LessonRead)) == 0


class _PostgresLockTimeout(Exception):
    sqlstate = "55P03"


def test_only_lock_waits_count_as_busy():
    assert is_busy(OperationalError("UPDATE", {}, sqlite3.OperationalError("database is locked")))
    assert is_busy(OperationalError("UPDATE", {}, _PostgresLockTimeout("lock timeout")))
    assert not is_busy(OperationalError("SELECT", {}, sqlite3.OperationalError("no such table")))
