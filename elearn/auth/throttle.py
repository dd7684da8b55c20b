"""Sign-in throttling, decided from the ``login_attempts`` table so every app server agrees.

Three counts, each over the last ``window``:

* **one account from one address** (``max_failures``): the guesser waits, with delays that
  double after each further failure. The account's owner signing in from anywhere else is
  not slowed, so nobody can lock a pupil out by typing their username wrongly on purpose.
* **one account from every address together** (``max_failures_per_account``): a much higher
  ceiling, also with doubling delays, against guessing spread over many addresses. Only a
  deliberate attack reaches it, and then the account waits everywhere.
* **distinct accounts failing from one address** (``max_failed_accounts_per_ip``): a school
  puts hundreds of pupils behind one public address, so a cap on that address's failures
  would lock out a whole school. Instead, once that many *different* accounts have failed
  from the address (someone trying one password against every username), each account that
  has failed there waits from its first failure. Accounts that have not failed from that
  address are never slowed, however busy it is.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import distinct, func, select
from sqlalchemy.orm import Session

from elearn.auth.models import LoginAttempt


@dataclass(frozen=True)
class LoginPolicy:
    max_failures: int = 5
    max_failures_per_account: int = 50
    max_failed_accounts_per_ip: int = 30
    window: timedelta = timedelta(minutes=15)
    first_delay: timedelta = timedelta(minutes=1)

    def delay_after(self, failures: int, allowed: int) -> timedelta | None:
        """How long after the latest failure the next try waits: doubling, at most the window."""
        if failures < allowed:
            return None
        return min(self.first_delay * 2 ** min(failures - allowed, 30), self.window)


@dataclass(frozen=True)
class _Failures:
    count: int
    latest: datetime | None


def _failures(session: Session, since: datetime, *conditions: object) -> _Failures:
    count, latest = session.execute(
        select(func.count(), func.max(LoginAttempt.attempted_at)).where(
            LoginAttempt.succeeded.is_(False),
            LoginAttempt.attempted_at >= since,
            *conditions,  # type: ignore[arg-type]
        )
    ).one()
    return _Failures(int(count), latest)


def wait_before_attempt(
    session: Session, username: str, ip: str, *, now: datetime, policy: LoginPolicy
) -> timedelta | None:
    """How long this (username, address) must wait before trying again, or None to go ahead."""
    since = now - policy.window
    # Signing in correctly from an address wipes that address's slate for the account.
    last_success = session.scalar(
        select(func.max(LoginAttempt.attempted_at)).where(
            LoginAttempt.username == username,
            LoginAttempt.ip == ip,
            LoginAttempt.succeeded.is_(True),
        )
    )
    pair_since = max(since, last_success) if last_success is not None else since
    pair = _failures(session, pair_since, LoginAttempt.username == username, LoginAttempt.ip == ip)
    account = _failures(session, since, LoginAttempt.username == username)
    failed_accounts = session.scalar(
        select(func.count(distinct(LoginAttempt.username))).where(
            LoginAttempt.ip == ip,
            LoginAttempt.succeeded.is_(False),
            LoginAttempt.attempted_at >= since,
        )
    )
    pair_allowed = (
        1 if (failed_accounts or 0) >= policy.max_failed_accounts_per_ip else policy.max_failures
    )
    waits = []
    for failures, allowed in (
        (pair, pair_allowed),
        (account, policy.max_failures_per_account),
    ):
        delay = policy.delay_after(failures.count, allowed)
        if delay is not None and failures.latest is not None:
            until = failures.latest + delay
            if until > now:
                waits.append(until - now)
    return max(waits) if waits else None
