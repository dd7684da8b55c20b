"""Recording a learning event as its xAPI statement, in the caller's transaction."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from elearn.auth.models import User
from elearn.learning.context import Moment
from elearn.xapi.lrs.store import record_statements
from elearn.xapi.models import StoredStatement


def build_event(
    builder: Callable[..., dict[str, Any]],
    *,
    user: User,
    moment: Moment,
    registration: str,
    **fields: Any,
) -> dict[str, Any]:
    """Build a statement with one of ``elearn.xapi.builders.statements``' builders for this person.

    The actor is always the person's opaque xAPI id, never a name.
    """
    return builder(
        statement_id=moment.new_id(),
        base_url=moment.base_url,
        actor_name=user.xapi_id,
        timestamp=moment.now,
        registration=registration,
        **fields,
    )


def record_events(
    session: Session, statements: list[dict[str, Any]], *, user: User, moment: Moment
) -> list[StoredStatement]:
    """Store one person's statements together (one INSERT per table, whatever the number)."""
    return record_statements(session, statements, user_id=user.id, stored_at=moment.now)


def record_event(
    session: Session,
    builder: Callable[..., dict[str, Any]],
    *,
    user: User,
    moment: Moment,
    registration: str,
    **fields: Any,
) -> StoredStatement:
    """Build a statement and store it; it commits (or not) with the event it records."""
    statement = build_event(builder, user=user, moment=moment, registration=registration, **fields)
    return record_events(session, [statement], user=user, moment=moment)[0]
