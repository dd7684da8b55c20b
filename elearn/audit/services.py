"""Writing and reading the audit trail. There is deliberately no update or delete here."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from elearn.audit.models import AuditEntry
from elearn.db import utcnow


def record(
    session: Session,
    *,
    actor_id: int | None,
    action: str,
    subject_type: str,
    subject_id: int | None,
    academy_id: int | None = None,
    detail: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> AuditEntry:
    """Add an entry to the caller's transaction, so it commits (or not) with the change."""
    entry = AuditEntry(
        actor_id=actor_id,
        action=action,
        subject_type=subject_type,
        subject_id=subject_id,
        academy_id=academy_id,
        detail=detail or {},
        at=at or utcnow(),
    )
    session.add(entry)
    return entry


def record_about_person(
    session: Session,
    *,
    actor_id: int | None,
    action: str,
    person: Any,
    at: datetime,
    detail: dict[str, Any] | None = None,
) -> AuditEntry:
    """An entry whose subject is a person, filed under that person's academy."""
    return record(
        session,
        actor_id=actor_id,
        action=action,
        subject_type="user",
        subject_id=person.id,
        academy_id=person.academy_id,
        detail=detail,
        at=at,
    )


def entries_for(session: Session, subject_type: str, subject_id: int) -> Sequence[AuditEntry]:
    return session.scalars(
        select(AuditEntry)
        .where(AuditEntry.subject_type == subject_type, AuditEntry.subject_id == subject_id)
        .order_by(AuditEntry.at, AuditEntry.id)
    ).all()
