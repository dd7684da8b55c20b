"""Sign-in, sign-out and the server-side session records. Plain functions over a Session."""

from __future__ import annotations

import hashlib
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from elearn.auth.models import LoginAttempt, LoginSession, User, new_session_token
from elearn.auth.passwords import hash_password, needs_rehash, verify_password


class LoginOutcome(StrEnum):
    OK = "ok"
    BAD_CREDENTIALS = "bad_credentials"
    THROTTLED = "throttled"


@dataclass(frozen=True)
class LoginPolicy:
    max_failures: int = 5
    window: timedelta = timedelta(minutes=15)
    max_failures_per_ip: int = 200


@dataclass(frozen=True)
class LoginResult:
    outcome: LoginOutcome
    user: User | None = None
    token: str | None = None
    retry_after: timedelta | None = None


def normalise_username(username: str) -> str:
    # One Unicode form, so "zoë" typed as one character or as e + accent is the same name.
    return unicodedata.normalize("NFC", username.strip()).lower()


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _recent_failures(
    session: Session, column: object, value: str, since: datetime
) -> tuple[int, datetime | None]:
    row = session.execute(
        select(func.count(), func.min(LoginAttempt.attempted_at)).where(
            column == value,  # type: ignore[operator]
            LoginAttempt.succeeded.is_(False),
            LoginAttempt.attempted_at >= since,
        )
    ).one()
    return int(row[0]), row[1]


def attempt_login(
    session: Session,
    username: str,
    password: str,
    *,
    ip: str,
    now: datetime,
    policy: LoginPolicy | None = None,
) -> LoginResult:
    """Check credentials under the throttle and, on success, open a server-side session.

    The throttle counts failures per typed username (so one account cannot be brute-forced)
    and, far more loosely, per address (a whole class behind one school IP keeps working).
    Unknown usernames and wrong passwords give the same outcome.
    """
    policy = policy or LoginPolicy()
    key = normalise_username(username)[:80]
    since = now - policy.window
    failures, oldest = _recent_failures(session, LoginAttempt.username, key, since)
    ip_failures, ip_oldest = _recent_failures(session, LoginAttempt.ip, ip, since)
    if failures >= policy.max_failures or ip_failures >= policy.max_failures_per_ip:
        first = oldest if failures >= policy.max_failures else ip_oldest
        wait = (first + policy.window - now) if first else policy.window
        return LoginResult(LoginOutcome.THROTTLED, retry_after=max(wait, timedelta(minutes=1)))

    user = session.scalar(select(User).where(User.username == key))
    ok = verify_password(user.password_hash if user else None, password)
    if not (ok and user is not None and user.active):
        session.add(LoginAttempt(username=key, ip=ip, succeeded=False, attempted_at=now))
        return LoginResult(LoginOutcome.BAD_CREDENTIALS)

    session.add(LoginAttempt(username=key, ip=ip, succeeded=True, attempted_at=now))
    if user.password_hash and needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    token = open_session(session, user, now=now)
    return LoginResult(LoginOutcome.OK, user=user, token=token)


def open_session(session: Session, user: User, *, now: datetime) -> str:
    token = new_session_token()
    session.add(
        LoginSession(token_hash=_token_hash(token), user=user, created_at=now, last_seen_at=now)
    )
    user.session_token = token
    return token


@dataclass(frozen=True)
class LiveSession:
    user: User
    last_seen_at: datetime

    def stale(self, now: datetime) -> bool:
        """Whether the last-seen time is worth writing again (at most once a minute)."""
        return now - self.last_seen_at >= timedelta(minutes=1)


def load_session_user(
    session: Session,
    token: str,
    *,
    now: datetime,
    idle: timedelta,
    max_age: timedelta,
) -> LiveSession | None:
    """The user behind a live session token; revoked, idle or expired sessions give None."""
    row = session.execute(
        select(LoginSession, User)
        .join(User, User.id == LoginSession.user_id)
        .where(LoginSession.token_hash == _token_hash(token))
    ).first()
    if row is None:
        return None
    login, user = row
    if (
        login.revoked_at is not None
        or not user.active
        or now - login.last_seen_at > idle
        or now - login.created_at > max_age
    ):
        return None
    user.session_token = token
    return LiveSession(user=user, last_seen_at=login.last_seen_at)


def touch_session(session: Session, token: str, *, now: datetime) -> None:
    """Record activity on a session (the idle timeout counts from here)."""
    session.execute(
        update(LoginSession)
        .where(LoginSession.token_hash == _token_hash(token))
        .values(last_seen_at=now)
    )


def revoke_session(session: Session, token: str, *, now: datetime) -> None:
    session.execute(
        update(LoginSession)
        .where(LoginSession.token_hash == _token_hash(token), LoginSession.revoked_at.is_(None))
        .values(revoked_at=now)
    )


def revoke_all_sessions(session: Session, user_id: int, *, now: datetime) -> None:
    """Sign someone out everywhere (password reset, deactivation)."""
    session.execute(
        update(LoginSession)
        .where(LoginSession.user_id == user_id, LoginSession.revoked_at.is_(None))
        .values(revoked_at=now)
    )
