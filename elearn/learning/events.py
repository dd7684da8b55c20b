"""Recording a learning event as its xAPI statement, in the caller's transaction."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from elearn.auth.models import User
from elearn.learning.context import Moment
from elearn.xapi.builders.statements import LearningEvent, statement_for
from elearn.xapi.lrs.store import record_statements
from elearn.xapi.models import StoredStatement


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


def record_events(
    session: Session, statements: list[dict[str, Any]], *, user: User, moment: Moment
) -> list[StoredStatement]:
    """Store one person's statements together (one INSERT per table, whatever the number)."""
    return record_statements(session, statements, user_id=user.id, stored_at=moment.now)


def record_event(
    session: Session, event: LearningEvent, *, user: User, moment: Moment, registration: str
) -> StoredStatement:
    """Build a statement and store it; it commits (or not) with the event it records."""
    statement = build_event(event, user=user, moment=moment, registration=registration)
    return record_events(session, [statement], user=user, moment=moment)[0]
