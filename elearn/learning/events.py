"""Recording a learning event as its xAPI statement, in the caller's transaction."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from elearn.auth.models import User
from elearn.learning.context import Moment
from elearn.xapi.models import StoredStatement
from elearn.xapi.store import record_statement


def record_event(
    session: Session,
    builder: Callable[..., dict[str, Any]],
    *,
    user: User,
    moment: Moment,
    registration: str,
    **fields: Any,
) -> StoredStatement:
    """Build a statement with one of ``elearn.xapi.statements``' builders and store it.

    The actor is always the person's opaque xAPI id; the statement commits with the event.
    """
    statement = builder(
        statement_id=moment.new_id(),
        base_url=moment.base_url,
        actor_name=user.xapi_id,
        timestamp=moment.now,
        registration=registration,
        **fields,
    )
    return record_statement(session, statement, user_id=user.id, stored_at=moment.now)
