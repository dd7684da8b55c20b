"""Sign-in, sign-out and the server-side session records. Plain functions over a Session."""

from __future__ import annotations

import hashlib
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from functools import cache

from sqlalchemy import Select, bindparam, select, update
from sqlalchemy.orm import Session

from elearn.audit.services import record_about_person
from elearn.auth.models import LoginAttempt, LoginSession, User, new_session_token
from elearn.auth.passwords import hash_password, needs_rehash, password_problem, verify_password
from elearn.auth.throttle import LoginPolicy, wait_before_attempt


class LoginOutcome(StrEnum):
    OK = "ok"
    BAD_CREDENTIALS = "bad_credentials"
    THROTTLED = "throttled"


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

    Unknown usernames and wrong passwords give the same outcome; see ``elearn.auth.throttle``
    for who waits after failures.
    """
    policy = policy or LoginPolicy()
    key = normalise_username(username)[:80]
    wait = wait_before_attempt(session, key, ip, now=now, policy=policy)
    if wait is not None:
        return LoginResult(LoginOutcome.THROTTLED, retry_after=wait)

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
    row = session.execute(_session_user_query(), {"token_hash": _token_hash(token)}).first()
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


@cache
def _session_user_query() -> Select[tuple[LoginSession, User]]:
    # Every signed-in request asks this: built once, with the token hash as a parameter.
    return (
        select(LoginSession, User)
        .join(User, User.id == LoginSession.user_id)
        .where(LoginSession.token_hash == bindparam("token_hash"))
    )


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


def new_password_problem(user: User, password: str) -> str | None:
    """Why ``password`` will not do as this person's own new password, or None."""
    problem = password_problem(password)
    if problem:
        return problem
    if verify_password(user.password_hash, password):
        return "Choose a new password, not the one you were given."
    return None


def choose_password(
    session: Session, user: User, password: str, *, keep_token: str | None, now: datetime
) -> None:
    """The person sets their own password: the one someone else gave them stops working.

    Every other sign-in (one opened with the old password on a shared screen, say) ends; the
    browser they chose it in stays signed in.
    """
    user.password_hash = hash_password(password)
    user.must_change_password = False
    others = update(LoginSession).where(
        LoginSession.user_id == user.id, LoginSession.revoked_at.is_(None)
    )
    if keep_token:
        others = others.where(LoginSession.token_hash != _token_hash(keep_token))
    session.execute(others.values(revoked_at=now))
    record_about_person(
        session, actor_id=user.id, action="person.password_chosen", person=user, at=now
    )
