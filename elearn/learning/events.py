"""Recording a learning event as its xAPI statement, in the caller's transaction."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from itertools import groupby
from typing import Any

from sqlalchemy.orm import Session

from elearn.auth.models import User
from elearn.learning.context import Moment
from elearn.xapi.builders.statements import LearningEvent, statement_for
from elearn.xapi.lrs.store import record_statements

_TOGETHER = "elearn.statements_together"

_Pending = tuple[dict[str, Any], int, datetime]


def build_event(
    event: LearningEvent, *, user: User, moment: Moment, registration: str
) -> dict[str, Any]:
    """The statement recording ``event`` for this person, now.

    The actor is always the person's opaque xAPI id, never a name.
    """
    return statement_for(
        event,
        statement_id=moment.new_id(),
        base_url=moment.base_url,
        actor_name=user.xapi_id,
        timestamp=moment.now,
        registration=registration,
    )


@contextmanager
def statements_together(session: Session) -> Iterator[None]:
    """Store every statement recorded inside the block in one go when it ends.

    A quiz submission records its answers, its result and perhaps the course's completion:
    stored together, that is one INSERT per statement table rather than one per event.
    Nothing is stored when the block raises. Inside an outer block, the outer one stores.
    """
    if _TOGETHER in session.info:
        yield
        return
    pending: list[_Pending] = []
    session.info[_TOGETHER] = pending
    try:
        yield
    finally:
        del session.info[_TOGETHER]
    for (user_id, stored_at), group in groupby(pending, key=lambda each: each[1:]):
        record_statements(
            session, [each[0] for each in group], user_id=user_id, stored_at=stored_at
        )


def record_events(
    session: Session, statements: list[dict[str, Any]], *, user: User, moment: Moment
) -> None:
    """Store one person's statements together (one INSERT per table, whatever the number)."""
    pending: list[_Pending] | None = session.info.get(_TOGETHER)
    if pending is not None:
        pending.extend((statement, user.id, moment.now) for statement in statements)
    elif statements:
        record_statements(session, statements, user_id=user.id, stored_at=moment.now)


def record_event(
    session: Session, event: LearningEvent, *, user: User, moment: Moment, registration: str
) -> None:
    """Build a statement and store it; it commits (or not) with the event it records."""
    statement = build_event(event, user=user, moment=moment, registration=registration)
    record_events(session, [statement], user=user, moment=moment)
