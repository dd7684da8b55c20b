"""Safeguarding access: whoever becomes (or has their password reset as) a DSL or head.

A DSL or head reads their academy's safeguarding inbox, so whoever can make one - a trust
admin in any academy, a head in theirs - could read children's reports. Each such change is
audited as its own action, and the academy's other current DSLs and heads are told: a notice
on their home page (kept until they dismiss it) and, where mail is configured, an e-mail
that says who did what, never a password.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from elearn.admin.models import AccessNotice
from elearn.audit.services import record_about_person
from elearn.auth.models import Academy, User
from elearn.auth.roles import Role
from elearn.mail import Mail
from elearn.privacy.registry import SectionGuide, register_eraser, register_exporter

SAFEGUARDING_ROLES = frozenset({Role.DSL, Role.HEAD})
GRANTED = "access.safeguarding_granted"
PASSWORD_RESET = "access.safeguarding_password_reset"
WHAT_HAPPENED = {
    GRANTED: "was given the role",
    PASSWORD_RESET: "had their password reset; they hold the role",
}
# Notices made in this transaction, for the view to e-mail once it has committed.
_PENDING = "elearn.access_notices"


def has_safeguarding_access(role: Role) -> bool:
    return role in SAFEGUARDING_ROLES


def note_safeguarding_access(
    session: Session, actor: User, person: User, action: str, *, now: datetime
) -> list[AccessNotice]:
    """Audit ``action`` on ``person`` and leave a notice for their academy's other leads."""
    record_about_person(
        session,
        actor_id=actor.id,
        action=action,
        person=person,
        detail={"role": person.role.value, "actor_role": actor.role.value},
        at=now,
    )
    if person.academy_id is None:
        return []
    leads = session.scalars(
        select(User).where(
            User.academy_id == person.academy_id,
            User.role.in_(SAFEGUARDING_ROLES),
            User.active.is_(True),
            User.erased_at.is_(None),
            User.id.not_in([person.id, actor.id]),
        )
    ).all()
    notices = [
        AccessNotice(
            recipient_id=lead.id,
            person_id=person.id,
            actor_id=actor.id,
            academy_id=person.academy_id,
            action=action,
            role=person.role.value,
            created_at=now,
        )
        for lead in leads
    ]
    session.add_all(notices)
    session.info.setdefault(_PENDING, []).extend(notices)
    return notices


def take_new_notices(session: Session) -> list[AccessNotice]:
    """The notices this session has made since last asked (call after committing)."""
    return session.info.pop(_PENDING, [])


@dataclass(frozen=True)
class NoticeText:
    id: int
    sentence: str
    at: datetime


def _name(session: Session, user_id: int | None) -> str:
    person = session.get(User, user_id) if user_id is not None else None
    if person is None or person.erased_at is not None:
        return "A person whose details were removed"
    role = "trust administrator" if person.role is Role.ADMIN else person.role.label.lower()
    return f"{person.display_name} ({role})"


def describe(session: Session, notice: AccessNotice) -> str:
    """The notice in words, with the people's current names."""
    actor = _name(session, notice.actor_id)
    person = _name(session, notice.person_id).split(" (", 1)[0]
    academy = session.get(Academy, notice.academy_id) if notice.academy_id else None
    role = Role(notice.role).label.lower() if notice.role in {r.value for r in Role} else ""
    where = f" at {academy.name}" if academy else ""
    if notice.action == PASSWORD_RESET:
        return f"{actor} reset the password of {person}, {role}{where}."
    return f"{actor} made {person} {role}{where}. They can now read safeguarding reports."


def open_notices(session: Session, user: User) -> list[NoticeText]:
    rows = session.scalars(
        select(AccessNotice)
        .where(AccessNotice.recipient_id == user.id, AccessNotice.dismissed_at.is_(None))
        .order_by(AccessNotice.created_at.desc(), AccessNotice.id.desc())
    ).all()
    return [NoticeText(row.id, describe(session, row), row.created_at) for row in rows]


def dismiss_notice(session: Session, user: User, notice_id: int, *, now: datetime) -> bool:
    """Hide one of the person's own notices; False if it is not theirs (the view says 404)."""
    result = session.execute(
        update(AccessNotice)
        .where(AccessNotice.id == notice_id, AccessNotice.recipient_id == user.id)
        .values(dismissed_at=func.coalesce(AccessNotice.dismissed_at, now))
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


NOTICE_SUBJECT = "Safeguarding access changed at your academy"


def notice_mails(session: Session, notices: list[AccessNotice], *, home_url: str) -> list[Mail]:
    """One e-mail per notice whose recipient has an address."""
    mails = []
    for notice in notices:
        recipient = session.get(User, notice.recipient_id)
        if recipient is None or not recipient.email:
            continue
        body = (
            f"{describe(session, notice)}\n\n"
            "You are told because you are a safeguarding lead or head teacher there. If you "
            "did not expect this change, contact your trust's data protection officer.\n\n"
            f"See it on your home page: {home_url}\n"
        )
        mails.append(Mail(to=(recipient.email,), subject=NOTICE_SUBJECT, body=body))
    return mails


@register_exporter(
    "access_notices",
    tables=("access_notices",),
    guide=SectionGuide(
        "Notices about safeguarding access",
        "Notices shown on your home page when someone was given access to your academy's "
        "safeguarding reports, or had that access's password reset.",
        {
            "notice": "What happened, who did it and for whom.",
            "created_at": "When the notice was made (UTC).",
            "dismissed_at": "When you dismissed it, if you have.",
        },
    ),
)
def export_notices(session: Session, user_id: int) -> list[dict[str, object]]:
    rows = session.scalars(
        select(AccessNotice)
        .where(AccessNotice.recipient_id == user_id)
        .order_by(AccessNotice.created_at)
    ).all()
    return [
        {
            "notice": describe(session, row),
            "created_at": row.created_at.isoformat(),
            "dismissed_at": row.dismissed_at.isoformat() if row.dismissed_at else None,
        }
        for row in rows
    ]


@register_eraser(tables=("access_notices",))
def erase_notices(session: Session, user_id: int) -> None:
    # Notices addressed to the person go; those about them keep only the id (no name).
    session.execute(AccessNotice.__table__.delete().where(AccessNotice.recipient_id == user_id))
