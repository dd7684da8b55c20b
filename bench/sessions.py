"""Signed-in sessions and LRS credentials for the load generator, made without the login form.

Signing in through ``/login`` costs an argon2 verification per person (on purpose), which
would make preparing 10,000 sessions the slowest part of a run. Instead the runner writes
the same server-side ``LoginSession`` row the login service writes and signs the same
cookie Flask would send back, with the app's own session serializer and secret. The CSRF
token in a form body is made the way Flask-WTF makes it, from a raw token kept in that
cookie. The smoke test proves these are accepted: every scenario checks its statuses.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from flask import Flask
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import Engine, insert
from sqlalchemy.orm import sessionmaker

from elearn.auth.models import LoginSession
from elearn.db import utcnow
from elearn.web.security import CSRF_OWNER_KEY, CSRF_SECRET_KEY, csrf_owner


@dataclass(frozen=True)
class BrowserSession:
    """One signed-in person as wrk presents them: a Cookie header and a form CSRF token."""

    user_id: int
    cookie: str
    csrf: str


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class SessionMinter:
    """Signs session cookies exactly as the app under test would (same secret and settings)."""

    def __init__(self, app: Flask) -> None:
        self.cookie_name = str(app.config["SESSION_COOKIE_NAME"])
        serializer = app.session_interface.get_signing_serializer(app)  # type: ignore[attr-defined]
        if serializer is None:
            raise RuntimeError("the app has no secret key to sign sessions with")
        self._serializer = serializer
        self._csrf = URLSafeTimedSerializer(str(app.config["SECRET_KEY"]), salt="wtf-csrf-token")

    def sign_in(
        self, engine: Engine, user_ids: Sequence[int], *, now: datetime | None = None
    ) -> list[BrowserSession]:
        """Open a server-side session for each person and return their browser-side halves."""
        now = now or utcnow()
        made: list[BrowserSession] = []
        rows = []
        for user_id in user_ids:
            token = secrets.token_urlsafe(32)
            raw_csrf = hashlib.sha1(secrets.token_bytes(64)).hexdigest()
            rows.append(
                {
                    "token_hash": _token_hash(token),
                    "user_id": user_id,
                    "created_at": now,
                    "last_seen_at": now,
                    "revoked_at": None,
                }
            )
            value = self._serializer.dumps(
                {
                    "_user_id": token,
                    "_fresh": True,
                    CSRF_SECRET_KEY: raw_csrf,
                    CSRF_OWNER_KEY: csrf_owner(token),
                }
            )
            made.append(
                BrowserSession(user_id, f"{self.cookie_name}={value}", self._csrf.dumps(raw_csrf))
            )
        for start in range(0, len(rows), 5_000):
            with engine.begin() as conn:
                conn.execute(insert(LoginSession), rows[start : start + 5_000])
        return made


@dataclass(frozen=True)
class LrsKey:
    key: str
    secret: str

    @property
    def authorization(self) -> str:
        token = base64.b64encode(f"{self.key}:{self.secret}".encode()).decode("ascii")
        return f"Basic {token}"


def issue_lrs_key(engine: Engine, now: datetime | None = None) -> LrsKey:
    """A read-and-write credential for the built-in LRS, issued by the credentials service."""
    from elearn.xapi.credentials import issue_credential

    factory = sessionmaker(bind=engine)
    with factory() as session:
        issued = issue_credential(
            session, "Load test", can_read=True, can_write=True, now=now or utcnow()
        )
        session.commit()
    return LrsKey(issued.key, issued.secret)
