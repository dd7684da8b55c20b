"""Shared fixtures: one database per test run (SQLite or PostgreSQL), emptied after every test.

Set ``ELEARN_TEST_DATABASE_URL`` to a PostgreSQL URL to run the whole suite there; a fresh
database is created on that server for the run and dropped afterwards.
"""

from __future__ import annotations

import os
import re
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from elearn import create_app
from elearn.db import Base, make_engine
from elearn.models import import_models
from tests import factories

REPO_ROOT = Path(__file__).resolve().parent.parent
_TEST_SESSION_LOCK = threading.Lock()
CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


def _server_url() -> str | None:
    return os.environ.get("ELEARN_TEST_DATABASE_URL") or None


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    server = _server_url()
    if server is None:
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite'}"
        return
    name = f"elearn_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(server).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    import_models()
    eng = make_engine(database_url)
    Base.metadata.create_all(eng)
    yield eng
    eng.dispose()


def _empty_all_tables(engine: Engine) -> None:
    tables = list(reversed(Base.metadata.sorted_tables))
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in tables)
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                conn.execute(table.delete())


@pytest.fixture
def app_config(database_url: str, tmp_path: Path) -> dict[str, object]:
    """The mapping each test's app is built from; tests may change it before using ``app``."""
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key-that-is-long-enough-0123456789",
        "DATABASE_URL": database_url,
        "BASE_URL": "http://elearn.test",
        "CONTENT_ROOT": str(REPO_ROOT),
        "DATA_DIR": str(tmp_path / "data"),
    }


@pytest.fixture
def app(engine: Engine, app_config: dict[str, object]) -> Iterator[Flask]:
    application = create_app(app_config)
    application.test_client_class = CsrfClient
    yield application
    application.extensions["elearn.engine"].dispose()
    _empty_all_tables(engine)


@pytest.fixture
def db(app: Flask) -> Iterator[Session]:
    """A session for arranging data and checking results.

    Test clients commit it around every request, so what a test arranged is visible to the
    app and what the app wrote is visible to the test (SQLite keeps a read snapshot until the
    transaction ends).
    """
    # Transactional on every database (the app's readers autocommit on PostgreSQL), so a
    # test can arrange, roll back and see what a service left undone.
    factory = sessionmaker(bind=app.extensions["elearn.engine"], expire_on_commit=False)
    with factory() as session:
        app.extensions["tests.db"] = session
        yield session
        app.extensions.pop("tests.db", None)


@pytest.fixture
def client(app: Flask) -> CsrfClient:
    return app.test_client()  # type: ignore[return-value]


@pytest.fixture
def make(db: Session) -> factories.Factory:
    return factories.Factory(db)


class CsrfClient(FlaskClient):
    """A test client that sends the page's CSRF token with form posts, as a browser would.

    Pass ``csrf=False`` to post without one (a forged request).
    """

    csrf_token: str | None = None
    # The session's CSRF secret when ``csrf_token`` was read: the app makes a new secret at
    # every sign-in and sign-out, and a token from an older one no longer works.
    _token_secret: str | None = None

    def open(self, *args, **kwargs):  # type: ignore[override]
        csrf = kwargs.pop("csrf", True)
        method = (kwargs.get("method") or "GET").upper()
        data = kwargs.get("data")
        if csrf and method == "POST" and isinstance(data, dict) and "csrf_token" not in data:
            kwargs["data"] = {**data, "csrf_token": self._current_token()}
        elif csrf and method == "POST" and data is None and "json" not in kwargs:
            kwargs["data"] = {"csrf_token": self._current_token()}
        self._end_test_transaction()
        response = super().open(*args, **kwargs)
        self._end_test_transaction()
        if response.mimetype == "text/html":
            match = CSRF_META.search(response.get_data(as_text=True))
            if match:
                self.csrf_token = match.group(1)
                self._token_secret = self.csrf_secret()
        return response

    def _current_token(self) -> str:
        if self.csrf_token is None or self._token_secret != self.csrf_secret():
            return self.fetch_csrf_token()
        return self.csrf_token

    def csrf_secret(self) -> str | None:
        """The CSRF secret in this client's session cookie, as the app would read it."""
        app = self.application
        cookie = self.get_cookie(app.config["SESSION_COOKIE_NAME"])
        if cookie is None:
            return None
        serializer = app.session_interface.get_signing_serializer(app)  # type: ignore[attr-defined]
        try:
            return serializer.loads(cookie.value).get("csrf_token")
        except Exception:
            return None

    def _end_test_transaction(self) -> None:
        session = self.application.extensions.get("tests.db")
        if session is not None:
            with _TEST_SESSION_LOCK:  # clients may run in several threads at once
                session.commit()

    def fetch_csrf_token(self) -> str:
        response = super().open("/login")
        if response.status_code == 302:
            response = super().open("/", follow_redirects=True)
        match = CSRF_META.search(response.get_data(as_text=True))
        assert match, "no CSRF token on the page"
        self.csrf_token = match.group(1)
        self._token_secret = self.csrf_secret()
        return self.csrf_token

    def login(self, username: str, password: str = factories.PASSWORD):
        return self.post("/login", data={"username": username, "password": password})

    def logout(self):
        return self.post("/logout")


@pytest.fixture
def smtp(app_config: dict[str, object]):
    """A loopback SMTP server; the app built in this test sends its mail there."""
    from tests.smtp import smtp_server

    with smtp_server() as (inbox, port):
        app_config.update(
            {
                "SMTP_HOST": "127.0.0.1",
                "SMTP_PORT": port,
                "SMTP_FROM": "elearn <noreply@elearn.test>",
            }
        )
        yield inbox


@pytest.fixture
def empty_database(database_url: str, tmp_path: Path) -> Iterator[Engine]:
    """A database with no tables at all, on the same server as the test database."""
    if database_url.startswith("sqlite"):
        engine = make_engine(f"sqlite:///{tmp_path / 'migrated.sqlite'}")
        yield engine
        engine.dispose()
        return
    name = f"elearn_migr_{uuid.uuid4().hex[:10]}"
    admin = create_engine(database_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine = make_engine(make_url(database_url).set(database=name).render_as_string(False))
    yield engine
    engine.dispose()
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()
