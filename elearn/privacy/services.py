"""Subject access exports and erasure of a person.

Each domain registers its own sections and erasers through ``elearn.privacy.registry``; the
ones for people, parent links, sign-in records, the audit trail and retention settings are in
``elearn.privacy.sections``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from elearn.audit.models import AuditEntry
from elearn.audit.services import record, record_about_person
from elearn.auth.models import User
from elearn.privacy.holds import reasons_to_keep
from elearn.privacy.registry import CONFIDENTIAL, ERASERS, EXPORTERS, GUIDES
from elearn.privacy.sections import ERASED_NAME, anonymise_person_row

__all__ = ["ERASED_NAME", "ErasureRefused", "ErasureResult", "erase_person", "export_person"]

EXPORT_VERSION = 1
COPIES = ("person", "dsl")
FORMS = ("json", "page")
# How long the readable copy stays open after it was requested (and logged).
PAGE_OPEN_FOR = timedelta(hours=1)


# --- export ---------------------------------------------------------------------------------


def export_person(
    session: Session, user_id: int, *, now: datetime, include_confidential: bool = False
) -> dict[str, Any]:
    """Everything held about a person, as JSON-ready data, one section per domain.

    ``include_confidential`` adds the sections only the academy's DSL may see (the words of
    safeguarding reports); the copy handed to the person leaves them out.
    """
    data: dict[str, Any] = {
        "export_version": EXPORT_VERSION,
        "exported_at": now.isoformat(),
    }
    for name, exporter in sorted(EXPORTERS.items()):
        if name in CONFIDENTIAL and not include_confidential:
            continue
        data[name] = exporter(session, user_id)
    return data


@dataclass(frozen=True)
class ReadableSection:
    """One section of the export as the readable copy shows it, with its glossary."""

    name: str
    title: str
    about: str
    confidential: bool
    data: Any
    glossary: tuple[tuple[str, str], ...]


# The readable copy starts with who the person is; the other sections follow by name.
_FIRST = ("person", "academy")


def readable_sections(data: dict[str, Any]) -> list[ReadableSection]:
    names = [n for n in _FIRST if n in data] + sorted(
        n for n in data if n in EXPORTERS and n not in _FIRST
    )
    sections = []
    for name in names:
        guide = GUIDES.get(name)
        sections.append(
            ReadableSection(
                name=name,
                title=guide.title if guide else name.replace("_", " ").capitalize(),
                about=guide.about if guide else "",
                confidential=name in CONFIDENTIAL,
                data=data[name],
                glossary=tuple(guide.keys.items()) if guide else (),
            )
        )
    return sections


def record_export(
    session: Session,
    *,
    actor_id: int,
    user: User,
    now: datetime,
    copy: str = "person",
    form: str = "json",
) -> int:
    """Log that an export was made (which copy, in which form); returns the entry's id."""
    entry = record_about_person(
        session,
        actor_id=actor_id,
        action="privacy.export",
        person=user,
        detail={"copy": copy, "format": form},
        at=now,
    )
    session.flush()
    return entry.id


def requested_export(
    session: Session, entry_id: int, *, actor_id: int, now: datetime
) -> AuditEntry | None:
    """The logged request for a readable copy, if ``actor_id`` made it within the hour."""
    return session.scalar(
        select(AuditEntry).where(
            AuditEntry.id == entry_id,
            AuditEntry.action == "privacy.export",
            AuditEntry.actor_id == actor_id,
            AuditEntry.subject_type == "user",
            AuditEntry.at >= now - PAGE_OPEN_FOR,
        )
    )


# --- erasure --------------------------------------------------------------------------------


class ErasureRefused(RuntimeError):
    """A record must be kept; ``reasons`` says why, in words an administrator can act on."""

    def __init__(self, reasons: list[str]) -> None:
        super().__init__("; ".join(reasons))
        self.reasons = reasons


@dataclass(frozen=True)
class ErasureResult:
    user_id: int
    role: str


def erasure_problems(session: Session, user: User, *, actor_id: int | None) -> list[str]:
    """Why this person cannot be erased now (holds first), or an empty list."""
    problems = list(reasons_to_keep(session, user.id))
    if user.erased_at is not None:
        problems.append("This person's details have already been erased.")
    if actor_id is not None and user.id == actor_id:
        problems.append("You cannot erase your own account.")
    return problems


def erase_person(
    session: Session, user_id: int, *, actor_id: int | None, now: datetime
) -> ErasureResult:
    """Remove a person's personal details, keeping their pseudonymous learning statistics.

    Refused (``ErasureRefused``) while any hold applies. Every registered eraser runs (free
    text, copies of the name elsewhere, sign-in records, parent links), then the person's own
    row is anonymised: it keeps its opaque ``xapi_id`` and role, loses everything else.
    """
    user = session.get(User, user_id)
    if user is None:
        raise LookupError(user_id)
    problems = erasure_problems(session, user, actor_id=actor_id)
    if problems:
        raise ErasureRefused(problems)

    for eraser in ERASERS:
        if eraser is not anonymise_person_row:
            eraser(session, user_id)
    anonymise_person_row(session, user_id)
    user.erased_at = now
    # Filed under no academy: the entry must not tie the id back to a school either.
    record(
        session,
        actor_id=actor_id,
        action="person.erase",
        subject_type="user",
        subject_id=user.id,
        detail={"role": user.role.value},
        at=now,
    )
    return ErasureResult(user.id, user.role.value)
