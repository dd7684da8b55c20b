"""Subject access exports and erasure of a person.

The parts for people, academies, parent links, sign-in records and the audit trail are
registered here; other domains register their own through ``elearn.privacy.registry``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session

from elearn.audit.models import AuditEntry
from elearn.audit.services import record_about_person
from elearn.auth.models import Academy, LoginAttempt, LoginSession, ParentLink, User
from elearn.auth.services import revoke_all_sessions
from elearn.privacy.holds import reasons_to_keep
from elearn.privacy.registry import CONFIDENTIAL, ERASERS, EXPORTERS, register_exporter

EXPORT_VERSION = 1


def _iso(value: date | datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


# --- the parts this package owns ------------------------------------------------------------


@register_exporter("person", tables=("users",))
def export_person_record(session: Session, user_id: int) -> dict[str, Any]:
    user = session.get(User, user_id)
    if user is None:
        return {}
    return {
        "id": user.id,
        "username": user.username,
        "name": user.display_name,
        "email": user.email,
        "role": user.role.value,
        "year_group": user.year_group,
        "staff_kind": user.staff_kind.value if user.staff_kind else None,
        "start_on": _iso(user.start_on),
        "left_on": _iso(user.left_on),
        "active": user.active,
        "has_password": user.password_hash is not None,
        "roster_id": user.roster_id,
        "learning_record_id": user.xapi_id,
        "created_at": _iso(user.created_at),
        "updated_at": _iso(user.updated_at),
        "erased_at": _iso(user.erased_at),
    }


@register_exporter("academy", tables=("academies",))
def export_academy(session: Session, user_id: int) -> dict[str, Any] | None:
    user = session.get(User, user_id)
    academy = session.get(Academy, user.academy_id) if user and user.academy_id else None
    if academy is None:
        return None
    return {"name": academy.name, "code": academy.code, "urn": academy.urn}


@register_exporter("parent_links", tables=("parent_links",))
def export_links(session: Session, user_id: int) -> dict[str, list[dict[str, Any]]]:
    def people(column: Any, other: Any) -> list[dict[str, Any]]:
        rows = session.execute(
            select(User.display_name, User.username, ParentLink.created_at)
            .join(ParentLink, other == User.id)
            .where(column == user_id)
            .order_by(User.display_name)
        )
        return [
            {"name": name, "username": username, "linked_at": _iso(at)}
            for name, username, at in rows
        ]

    return {
        "children": people(ParentLink.parent_id, ParentLink.pupil_id),
        "parents_and_carers": people(ParentLink.pupil_id, ParentLink.parent_id),
    }


@register_exporter("sign_in", tables=("login_sessions", "login_attempts"))
def export_sign_in(session: Session, user_id: int) -> dict[str, list[dict[str, Any]]]:
    user = session.get(User, user_id)
    sessions = session.scalars(
        select(LoginSession)
        .where(LoginSession.user_id == user_id)
        .order_by(LoginSession.created_at)
    )
    attempts = (
        session.scalars(
            select(LoginAttempt)
            .where(LoginAttempt.username == user.username)
            .order_by(LoginAttempt.attempted_at)
        )
        if user is not None
        else []
    )
    return {
        "sessions": [
            {
                "signed_in_at": _iso(s.created_at),
                "last_seen_at": _iso(s.last_seen_at),
                "signed_out_at": _iso(s.revoked_at),
            }
            for s in sessions
        ],
        "attempts": [
            {"at": _iso(a.attempted_at), "succeeded": a.succeeded, "ip": a.ip} for a in attempts
        ],
    }


@register_exporter("audit", tables=("audit_entries",))
def export_audit(session: Session, user_id: int) -> dict[str, list[dict[str, Any]]]:
    about = session.scalars(
        select(AuditEntry)
        .where(AuditEntry.subject_type == "user", AuditEntry.subject_id == user_id)
        .order_by(AuditEntry.at, AuditEntry.id)
    )
    by = session.scalars(
        select(AuditEntry).where(AuditEntry.actor_id == user_id).order_by(AuditEntry.at)
    )
    return {
        "changes_to_this_person": [
            {"at": _iso(e.at), "action": e.action, "detail": e.detail} for e in about
        ],
        "actions_by_this_person": [
            {"at": _iso(e.at), "action": e.action, "subject": e.subject_type} for e in by
        ],
    }


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


def record_export(session: Session, *, actor_id: int, user: User, now: datetime) -> None:
    record_about_person(
        session,
        actor_id=actor_id,
        action="privacy.export",
        person=user,
        at=now,
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


ERASED_NAME = "Erased person"


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

    Refused (``ErasureRefused``) while any hold applies. Kept: the row, its opaque
    ``xapi_id``, role, academy and year group, so counts stay right. Removed: name, username
    (replaced by a placeholder), e-mail, roster id, password, parent links, sign-in records.
    """
    user = session.get(User, user_id)
    if user is None:
        raise LookupError(user_id)
    problems = erasure_problems(session, user, actor_id=actor_id)
    if problems:
        raise ErasureRefused(problems)

    for eraser in ERASERS:
        eraser(session, user_id)

    revoke_all_sessions(session, user_id, now=now)
    session.execute(delete(LoginAttempt).where(LoginAttempt.username == user.username))
    session.execute(
        delete(ParentLink).where(
            or_(ParentLink.parent_id == user_id, ParentLink.pupil_id == user_id)
        )
    )
    user.display_name = ERASED_NAME
    user.username = f"erased-{user.id}"
    user.email = None
    user.roster_id = None
    user.password_hash = None
    user.start_on = None
    user.left_on = None
    user.active = False
    user.erased_at = now
    record_about_person(
        session,
        actor_id=actor_id,
        action="person.erase",
        person=user,
        detail={"role": user.role.value},
        at=now,
    )
    return ErasureResult(user.id, user.role.value)
