"""Delivering elearn's own statements to the external LRS: the outbox's other half.

Learning events only ever write to the local store (see :mod:`elearn.xapi.lrs.store`); nothing a
learner does waits for the external LRS. This forwarder, run by ``elearn xapi forward`` (once
from cron, or as a loop), sends the ``pending`` statements in arrival order with
``PUT statements?statementId=…``:

* 2xx, or 409 (the LRS already holds that id): delivered.
* 429, 5xx, timeouts, refused or reset connections: retried later with exponential back-off
  and jitter, never sooner than the LRS's Retry-After. The pass stops at the first such failure
  so that statements keep their order.
* 401 and 403 mean the LRS refuses elearn's credentials, which no single statement can be
  blamed for: they are retried like a 503 (with the error shown to admins) instead of putting
  every statement on the dead-letter list.
* Any other 4xx: the LRS refuses that statement. It goes on the dead-letter list with the
  LRS's reason; an admin can send it again after fixing the cause, and the rest carry on.

A pass claims its statements in a short transaction by giving them a lease (their
``next_attempt_at`` moves a short time ahead, with the pass's own ``lease_token``), sends them
with no transaction open, renewing the lease in a short transaction whenever less than one
request's worth of it is left, then records the outcomes in a second short transaction. Two
forwarders never send the same statements at once: the one that finds the head of the queue
leased leaves the whole queue alone, so statements still go in arrival order (and so in order
per actor). A forwarder killed mid-batch stops renewing, and the next one takes over once the
short lease runs out; ``PUT`` with the same id is idempotent, so the LRS still keeps one copy
of anything sent twice.
"""

from __future__ import annotations

import json
import logging
import random
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from elearn.audit import services as audit
from elearn.db import utcnow
from elearn.xapi.formats import format_timestamp
from elearn.xapi.forwarding.client import Delivery, LrsClient, Outcome, backoff_delay
from elearn.xapi.models import ForwardState, StoredStatement

log = logging.getLogger(__name__)

SessionFactory = Callable[[], Session]
DEFAULT_BATCH = 100
# Refusals of elearn's credentials, not of a statement: retry, never dead-letter.
LRS_WIDE_STATUSES = frozenset({401, 403})
# How long a pass holds its statements unless configured otherwise (ELEARN_LRS_LEASE_SECONDS).
DEFAULT_LEASE = 30.0
# The health check calls delivery stalled when statements have waited this long with nothing
# delivered (ELEARN_LRS_STALL_MINUTES): a few cron minutes, a lease and the longest back-off.
STALL_AFTER = timedelta(minutes=15)


@dataclass(frozen=True)
class ForwardReport:
    """What one pass did."""

    sent: int = 0
    delivered: int = 0
    dead: int = 0
    # Set when the pass stopped on a failure worth retrying: when the next try is due.
    retry_at: datetime | None = None
    # Set when nothing was due: when the oldest pending statement may be tried again.
    waiting_until: datetime | None = None
    last_error: str | None = None
    # The whole batch went through, so more may be waiting now.
    full: bool = False


def client_from_settings(settings: Mapping[str, Any]) -> LrsClient | None:
    """The client for the configured external LRS, or None when none is configured."""
    endpoint = str(settings.get("LRS_ENDPOINT") or "").strip()
    if not endpoint:
        return None
    return LrsClient(
        endpoint,
        str(settings.get("LRS_USERNAME") or ""),
        str(settings.get("LRS_PASSWORD") or ""),
        timeout=float(settings.get("LRS_TIMEOUT") or 10.0),
    )


def lease_seconds(lease: float, timeout: float) -> float:
    """How long a claim lasts: never less than three timeouts, so one PUT (a connect and a
    read) always fits in what is left when the lease is renewed."""
    return max(lease, 3.0 * timeout)


def lease_from_settings(settings: Mapping[str, Any]) -> float:
    """The configured lease, in seconds."""
    return float(settings.get("LRS_LEASE_SECONDS") or DEFAULT_LEASE)


def stall_from_settings(settings: Mapping[str, Any]) -> timedelta:
    """How long delivery may be quiet, while statements wait, before it counts as stalled."""
    minutes = settings.get("LRS_STALL_MINUTES")
    return timedelta(minutes=float(minutes)) if minutes else STALL_AFTER


def run_once(
    session_factory: SessionFactory,
    client: LrsClient,
    now: datetime,
    *,
    batch: int = DEFAULT_BATCH,
    lease: float = DEFAULT_LEASE,
    rng: random.Random | None = None,
    monotonic: Callable[[], float] = time.monotonic,
) -> ForwardReport:
    """Send up to ``batch`` due statements, oldest first, and record what happened.

    ``now`` is when the pass starts; later moments of the pass (lease renewals) are ``now``
    plus the time elapsed on ``monotonic``.
    """
    rng = rng or random.Random()
    s = StoredStatement
    hold = timedelta(seconds=lease_seconds(lease, client.timeout))
    started = monotonic()

    def current() -> datetime:
        return now + timedelta(seconds=monotonic() - started)

    token = uuid.uuid4().hex
    with session_factory() as session:
        rows = session.execute(
            select(s.seq, s.statement_id, s.payload, s.next_attempt_at, s.forward_attempts)
            .where(s.forward_state == ForwardState.PENDING)
            .order_by(s.seq)
            .limit(batch)
            .with_for_update()
        ).all()
        claimed = []
        for row in rows:
            # Only a prefix of the queue is sent, so a statement waiting to be retried (or
            # leased to another pass) holds back the ones after it and order is kept.
            if row.next_attempt_at is not None and row.next_attempt_at > now:
                break
            claimed.append(row)
        if not claimed:
            session.rollback()
            return ForwardReport(waiting_until=rows[0].next_attempt_at if rows else None)
        lease_until = now + hold
        session.execute(
            update(s)
            .where(s.seq.in_([row.seq for row in claimed]))
            .values(next_attempt_at=lease_until, lease_token=token)
        )
        session.commit()

    outcomes: list[tuple[Any, Delivery]] = []
    for row in claimed:
        # Renew while a whole request (a connect and a read) no longer fits in the lease;
        # the statements sent already stay held too, until their outcome is recorded.
        if lease_until - current() < timedelta(seconds=2.0 * client.timeout):
            renewed = _renew_lease(session_factory, claimed, token, current() + hold)
            if renewed is None:
                log.warning("LRS delivery: the lease ran out and another pass took over")
                break
            lease_until = renewed
        delivery = client.put_statement(row.statement_id, json.loads(row.payload))
        outcomes.append((row, delivery))
        if _is_retry(delivery):
            break

    report = ForwardReport(sent=len(outcomes))
    with session_factory() as session:
        delivered = [row.seq for row, d in outcomes if d.outcome is Outcome.DELIVERED]
        if delivered:
            # Recorded whoever holds the lease now: the LRS has the statement either way.
            session.execute(
                update(s)
                .where(s.seq.in_(delivered), s.forward_state == ForwardState.PENDING)
                .values(
                    forward_state=ForwardState.DELIVERED,
                    delivered_at=now,
                    next_attempt_at=None,
                    lease_token=None,
                    forward_attempts=s.forward_attempts + 1,
                )
            )
        ours = (s.forward_state == ForwardState.PENDING, s.lease_token == token)
        dead = 0
        retry_at = None
        last_error = None
        for row, delivery in outcomes:
            if delivery.outcome is Outcome.DELIVERED:
                continue
            last_error = describe(delivery)
            attempts = row.forward_attempts + 1
            values: dict[str, Any] = {
                "forward_attempts": attempts,
                "last_error": last_error,
                "last_error_at": now,
                "lease_token": None,
            }
            if _is_retry(delivery):
                delay = backoff_delay(attempts, delivery.retry_after, rng)
                retry_at = now + timedelta(seconds=delay)
                values["next_attempt_at"] = retry_at
            else:
                dead += 1
                values.update(forward_state=ForwardState.DEAD, next_attempt_at=None)
            session.execute(update(s).where(s.seq == row.seq, *ours).values(**values))
        # Statements claimed but not sent (the pass stopped early) are free again at once.
        for row in claimed[len(outcomes) :]:
            session.execute(
                update(s)
                .where(s.seq == row.seq, *ours)
                .values(next_attempt_at=row.next_attempt_at, lease_token=None)
            )
        session.commit()
    if last_error:
        log.warning("LRS delivery: %s", last_error)
    return ForwardReport(
        sent=report.sent,
        delivered=len(delivered),
        dead=dead,
        retry_at=retry_at,
        last_error=last_error,
        full=len(delivered) + dead == batch,
    )


def _renew_lease(
    session_factory: SessionFactory, rows: list[Any], token: str, until: datetime
) -> datetime | None:
    """Extend this pass's lease on all it claimed; None if another pass has taken it over."""
    s = StoredStatement
    with session_factory() as session:
        result = session.execute(
            update(s)
            .where(
                s.seq.in_([row.seq for row in rows]),
                s.forward_state == ForwardState.PENDING,
                s.lease_token == token,
            )
            .values(next_attempt_at=until)
        )
        if int(getattr(result, "rowcount", 0) or 0) != len(rows):
            session.rollback()
            return None
        session.commit()
    return until


def run_loop(
    session_factory: SessionFactory,
    client: LrsClient,
    *,
    interval: float = 30.0,
    batch: int = DEFAULT_BATCH,
    lease: float = DEFAULT_LEASE,
    clock: Callable[[], datetime] = utcnow,
    sleep: Callable[[float], None] = time.sleep,
    passes: int | None = None,
    on_pass: Callable[[ForwardReport], None] | None = None,
) -> int:
    """Run passes until stopped (or ``passes`` have run); return how many ran.

    After a full batch the next pass starts at once; otherwise it waits ``interval`` seconds,
    or less when a retry falls due sooner.
    """
    done = 0
    while passes is None or done < passes:
        result: ForwardReport | None
        try:
            result = run_once(session_factory, client, clock(), batch=batch, lease=lease)
        except Exception:
            # A database hiccup must not end a forwarder that runs for weeks; the statements
            # are still pending and the next pass picks them up.
            log.exception("LRS forwarding pass failed")
            result = None
        done += 1
        if result is not None and on_pass is not None:
            on_pass(result)
        if passes is not None and done >= passes:
            break
        if result is not None and result.full:
            continue
        client.close()  # an idle connection would only be closed by the LRS meanwhile
        sleep(_pause(result, interval, clock()))
    return done


def _pause(result: ForwardReport | None, interval: float, now: datetime) -> float:
    wake = None if result is None else (result.retry_at or result.waiting_until)
    if wake is None:
        return interval
    return min(interval, max(1.0, (wake - now).total_seconds()))


def _is_retry(delivery: Delivery) -> bool:
    return delivery.outcome is Outcome.RETRY or delivery.status in LRS_WIDE_STATUSES


def describe(delivery: Delivery) -> str:
    """The error to show an admin for a failed delivery."""
    if delivery.status is None or delivery.reason.startswith("HTTP "):
        text = delivery.reason
    else:
        text = f"HTTP {delivery.status}: {delivery.reason}"
    if delivery.status in LRS_WIDE_STATUSES:
        text += (
            " (the LRS refused elearn's credentials: check ELEARN_LRS_USERNAME and "
            "ELEARN_LRS_PASSWORD)"
        )
    return text


# --- status and dead letters ------------------------------------------------------------------


class Health(StrEnum):
    """The one-word state of delivery, for monitoring."""

    HEALTHY = "healthy"
    # No external LRS is configured: statements are only kept in elearn's own store.
    NOT_CONFIGURED = "not_configured"
    # Statements wait and nothing has been delivered for longer than expected.
    STALLED = "stalled"
    # The LRS refused statements (dead letters) that an admin should look at.
    REFUSED = "refused"


@dataclass(frozen=True)
class LrsStatus:
    """The state of delivery, for the admin page and the health check."""

    backlog: int
    dead: int
    oldest_undelivered_at: datetime | None
    oldest_undelivered_age: timedelta | None
    last_error: str | None
    last_error_at: datetime | None
    # When the oldest pending statement is next tried (None: at the next pass).
    next_attempt_at: datetime | None
    last_delivered_at: datetime | None = None
    configured: bool = True
    # Statements are waiting and nothing has been delivered for this long (None: not stalled).
    stalled_for: timedelta | None = None
    # Why delivery is stalled, in words an admin can act on.
    stalled_reason: str | None = None

    @property
    def health(self) -> Health:
        if not self.configured:
            return Health.NOT_CONFIGURED
        if self.stalled_for is not None:
            return Health.STALLED
        if self.dead:
            return Health.REFUSED
        return Health.HEALTHY

    @property
    def healthy(self) -> bool:
        """Nothing refused, nothing stalled; or no LRS configured, so nothing to deliver."""
        return self.health in (Health.HEALTHY, Health.NOT_CONFIGURED)


def lrs_status(
    session: Session,
    now: datetime,
    *,
    configured: bool = True,
    stall_after: timedelta = STALL_AFTER,
) -> LrsStatus:
    """Backlog, dead letters, the oldest undelivered statement, the latest error and delivery,
    and whether delivery has stalled (with the reason)."""
    s = StoredStatement
    waiting = (ForwardState.PENDING, ForwardState.DEAD)
    counts = dict(
        session.execute(
            select(s.forward_state, func.count())
            .where(s.forward_state.in_(waiting))
            .group_by(s.forward_state)
        ).all()
    )
    oldest = session.scalar(select(func.min(s.stored_at)).where(s.forward_state.in_(waiting)))
    error = session.execute(
        select(s.last_error, s.last_error_at)
        .where(s.last_error_at.is_not(None))
        .order_by(s.last_error_at.desc(), s.seq.desc())
        .limit(1)
    ).first()
    head = session.execute(
        select(s.stored_at, s.next_attempt_at)
        .where(s.forward_state == ForwardState.PENDING)
        .order_by(s.seq)
        .limit(1)
    ).first()
    last_delivered = session.scalar(select(func.max(s.delivered_at)))
    backlog = counts.get(ForwardState.PENDING, 0)
    base = LrsStatus(
        backlog=backlog,
        dead=counts.get(ForwardState.DEAD, 0),
        oldest_undelivered_at=oldest,
        oldest_undelivered_age=max(timedelta(0), now - oldest) if oldest else None,
        last_error=error.last_error if error else None,
        last_error_at=error.last_error_at if error else None,
        next_attempt_at=head.next_attempt_at if head else None,
        last_delivered_at=last_delivered,
        configured=configured,
    )
    if not configured:
        # Nothing is meant to be delivered, so how long records have "waited" means nothing.
        return replace(base, oldest_undelivered_at=None, oldest_undelivered_age=None)
    if head is None:
        return base
    # Quiet since the later of the last delivery and the arrival of what waits now.
    quiet_since = max(head.stored_at, last_delivered) if last_delivered else head.stored_at
    quiet = now - quiet_since
    if quiet <= stall_after:
        return base
    return replace(base, stalled_for=quiet, stalled_reason=_stall_reason(base, now, quiet_since))


def _stall_reason(status: LrsStatus, now: datetime, quiet_since: datetime) -> str:
    due = status.next_attempt_at
    if status.last_error and status.last_error_at and status.last_error_at >= quiet_since:
        text = f"the LRS has accepted nothing since {format_timestamp(quiet_since)}: "
        text += f"the last attempt failed with {status.last_error}"
        if due is not None and due > now:
            text += f"; the next try is at {format_timestamp(due)}"
        return text
    if due is not None and due > now:
        return (
            f"a forwarder is sending (its claim runs until {format_timestamp(due)}) but "
            f"nothing has been delivered since {format_timestamp(quiet_since)}"
        )
    return (
        f"records are due but nothing has sent them since {format_timestamp(quiet_since)}: "
        "check that `elearn xapi forward` runs (from cron or as a service)"
    )


@dataclass(frozen=True)
class DeadLetter:
    """A statement the external LRS refused, with its reason."""

    statement_id: str
    stored_at: datetime
    verb_id: str
    activity_id: str | None
    attempts: int
    reason: str
    failed_at: datetime | None


def dead_letters(session: Session, limit: int = 200) -> list[DeadLetter]:
    """The refused statements, oldest first."""
    s = StoredStatement
    rows = session.execute(
        select(
            s.statement_id,
            s.stored_at,
            s.verb_id,
            s.activity_id,
            s.forward_attempts,
            s.last_error,
            s.last_error_at,
        )
        .where(s.forward_state == ForwardState.DEAD)
        .order_by(s.seq)
        .limit(limit)
    )
    return [
        DeadLetter(sid, stored, verb, activity, attempts, reason or "", failed)
        for sid, stored, verb, activity, attempts, reason, failed in rows
    ]


def retry_dead_letter(
    session: Session, statement_id: str, *, now: datetime, actor_id: int | None = None
) -> bool:
    """Put one refused statement back in the queue; False if it is not a dead letter."""
    s = StoredStatement
    seq = session.scalar(
        select(s.seq).where(
            s.statement_id == statement_id.lower(), s.forward_state == ForwardState.DEAD
        )
    )
    if seq is None:
        return False
    _requeue(session, s.seq == seq)
    audit.record(
        session,
        actor_id=actor_id,
        action="xapi.dead_letter_retried",
        subject_type="xapi_statement",
        subject_id=seq,
        detail={"statement_id": statement_id.lower()},
        at=now,
    )
    return True


def retry_all_dead_letters(session: Session, *, now: datetime, actor_id: int | None = None) -> int:
    """Put every refused statement back in the queue; return how many."""
    count = _requeue(session, StoredStatement.forward_state == ForwardState.DEAD)
    if count:
        audit.record(
            session,
            actor_id=actor_id,
            action="xapi.dead_letters_retried",
            subject_type="xapi_statement",
            subject_id=None,
            detail={"count": count},
            at=now,
        )
    return count


def _requeue(session: Session, condition: Any) -> int:
    s = StoredStatement
    result = session.execute(
        update(s)
        .where(condition, s.forward_state == ForwardState.DEAD)
        .values(forward_state=ForwardState.PENDING, next_attempt_at=None, forward_attempts=0)
    )
    return int(getattr(result, "rowcount", 0) or 0)
