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
``next_attempt_at`` moves past the time the pass can take), sends them with no transaction
open, then records the outcomes in a second short transaction. Two forwarders never send the
same statements at once, and a forwarder killed between sending and recording leaves them to
be sent again when the lease runs out: ``PUT`` with the same id is idempotent, so the LRS
still keeps one copy.
"""

from __future__ import annotations

import json
import logging
import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from elearn.audit import services as audit
from elearn.db import utcnow
from elearn.xapi.forwarding.client import Delivery, LrsClient, Outcome, backoff_delay
from elearn.xapi.models import ForwardState, StoredStatement

log = logging.getLogger(__name__)

SessionFactory = Callable[[], Session]
DEFAULT_BATCH = 100
# Refusals of elearn's credentials, not of a statement: retry, never dead-letter.
LRS_WIDE_STATUSES = frozenset({401, 403})
# The health check calls the backlog stale when something has waited longer than this.
STALE_AFTER = timedelta(hours=1)


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


def lease_seconds(count: int, timeout: float) -> float:
    """How long a pass may hold its statements: each PUT can take a connect and a read."""
    return 60.0 + 2.0 * timeout * count


def run_once(
    session_factory: SessionFactory,
    client: LrsClient,
    now: datetime,
    *,
    batch: int = DEFAULT_BATCH,
    rng: random.Random | None = None,
) -> ForwardReport:
    """Send up to ``batch`` due statements, oldest first, and record what happened."""
    rng = rng or random.Random()
    s = StoredStatement
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
            # Only a prefix of the queue is sent, so a statement waiting to be retried holds
            # back the ones after it and order is kept.
            if row.next_attempt_at is not None and row.next_attempt_at > now:
                break
            claimed.append(row)
        if not claimed:
            session.rollback()
            return ForwardReport(waiting_until=rows[0].next_attempt_at if rows else None)
        lease = now + timedelta(seconds=lease_seconds(len(claimed), client.timeout))
        session.execute(
            update(s).where(s.seq.in_([row.seq for row in claimed])).values(next_attempt_at=lease)
        )
        session.commit()

    outcomes: list[tuple[Any, Delivery]] = []
    for row in claimed:
        delivery = client.put_statement(row.statement_id, json.loads(row.payload))
        outcomes.append((row, delivery))
        if _is_retry(delivery):
            break

    report = ForwardReport(sent=len(outcomes))
    with session_factory() as session:
        delivered = [row.seq for row, d in outcomes if d.outcome is Outcome.DELIVERED]
        if delivered:
            session.execute(
                update(s)
                .where(s.seq.in_(delivered), s.forward_state == ForwardState.PENDING)
                .values(
                    forward_state=ForwardState.DELIVERED,
                    delivered_at=now,
                    next_attempt_at=None,
                    forward_attempts=s.forward_attempts + 1,
                )
            )
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
            }
            if _is_retry(delivery):
                delay = backoff_delay(attempts, delivery.retry_after, rng)
                retry_at = now + timedelta(seconds=delay)
                values["next_attempt_at"] = retry_at
            else:
                dead += 1
                values.update(forward_state=ForwardState.DEAD, next_attempt_at=None)
            session.execute(
                update(s)
                .where(s.seq == row.seq, s.forward_state == ForwardState.PENDING)
                .values(**values)
            )
        # Statements claimed but not sent (the pass stopped early) are free again at once.
        for row in claimed[len(outcomes) :]:
            session.execute(
                update(s)
                .where(s.seq == row.seq, s.forward_state == ForwardState.PENDING)
                .values(next_attempt_at=row.next_attempt_at)
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


def run_loop(
    session_factory: SessionFactory,
    client: LrsClient,
    *,
    interval: float = 30.0,
    batch: int = DEFAULT_BATCH,
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
            result = run_once(session_factory, client, clock(), batch=batch)
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

    @property
    def healthy(self) -> bool:
        """No dead letters, and nothing has waited longer than STALE_AFTER."""
        age = self.oldest_undelivered_age
        return self.dead == 0 and (age is None or age <= STALE_AFTER)


def lrs_status(session: Session, now: datetime) -> LrsStatus:
    """Backlog, dead letters, the oldest undelivered statement and the latest error."""
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
    head = session.scalar(
        select(s.next_attempt_at)
        .where(s.forward_state == ForwardState.PENDING)
        .order_by(s.seq)
        .limit(1)
    )
    return LrsStatus(
        backlog=counts.get(ForwardState.PENDING, 0),
        dead=counts.get(ForwardState.DEAD, 0),
        oldest_undelivered_at=oldest,
        oldest_undelivered_age=max(timedelta(0), now - oldest) if oldest else None,
        last_error=error.last_error if error else None,
        last_error_at=error.last_error_at if error else None,
        next_attempt_at=head,
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
