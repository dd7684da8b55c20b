"""Academies: the schools of the trust. Trust administrators add and edit them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from elearn.audit.services import record
from elearn.auth import permissions as can
from elearn.auth.models import Academy, User
from elearn.auth.roles import Role

CODE_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{0,38}[a-z0-9]$|^[a-z0-9]$")
URN_PATTERN = re.compile(r"^\d{6,8}$")
# UK numbers as people write them: digits with spaces, brackets, dashes, a leading +.
PHONE_PATTERN = re.compile(r"^\+?[0-9 ()-]{6,30}$")
EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
PHASES = {
    "primary": "Primary",
    "secondary": "Secondary",
    "all-through": "All-through",
    "special": "Special school",
    "alternative": "Alternative provision",
}


@dataclass(frozen=True)
class AcademyDetails:
    name: str
    code: str
    urn: str | None
    phase: str


@dataclass(frozen=True)
class AcademyRow:
    academy: Academy
    people: int


def list_academies(session: Session) -> list[AcademyRow]:
    counts = dict(
        session.execute(
            select(User.academy_id, func.count())
            .where(User.active.is_(True), User.erased_at.is_(None))
            .group_by(User.academy_id)
        ).all()
    )
    return [
        AcademyRow(academy, int(counts.get(academy.id, 0)))
        for academy in session.scalars(select(Academy).order_by(Academy.name))
    ]


def check_academy(
    session: Session, details: AcademyDetails, *, academy: Academy | None = None
) -> dict[str, str]:
    problems: dict[str, str] = {}
    own_id = academy.id if academy else None
    if not details.name:
        problems["name"] = "Enter the academy's name."
    elif len(details.name) > 200:
        problems["name"] = "Use at most 200 characters for the name."
    else:
        clash = session.scalar(
            select(Academy.id).where(func.lower(Academy.name) == details.name.lower())
        )
        if clash is not None and clash != own_id:
            problems["name"] = "Another academy already has that name."
    if not CODE_PATTERN.match(details.code):
        problems["code"] = (
            "Use up to 40 lower-case letters, digits or dashes for the short code, "
            "for example riverside."
        )
    else:
        clash = session.scalar(select(Academy.id).where(Academy.code == details.code))
        if clash is not None and clash != own_id:
            problems["code"] = "Another academy already uses that code."
    if details.urn and not URN_PATTERN.match(details.urn):
        problems["urn"] = "A unique reference number (URN) is 6 to 8 digits."
    if details.phase not in PHASES:
        problems["phase"] = "Choose the academy's phase."
    return problems


def save_academy(
    session: Session,
    actor: User,
    details: AcademyDetails,
    *,
    now: datetime,
    academy: Academy | None = None,
) -> Academy:
    problems = check_academy(session, details, academy=academy)
    if problems:
        raise ValueError(problems)
    creating = academy is None
    target = academy or Academy()
    changed = [
        name
        for name, value in (
            ("name", details.name),
            ("code", details.code),
            ("urn", details.urn),
            ("phase", details.phase),
        )
        if getattr(target, name) != value
    ]
    target.name, target.code, target.urn, target.phase = (
        details.name,
        details.code,
        details.urn,
        details.phase,
    )
    if creating:
        session.add(target)
    session.flush()
    if creating or changed:
        record(
            session,
            actor_id=actor.id,
            action="academy.create" if creating else "academy.update",
            subject_type="academy",
            subject_id=target.id,
            academy_id=target.id,
            detail={"fields": changed},
            at=now,
        )
    return target


# --- contact details for parents ------------------------------------------------------------


@dataclass(frozen=True)
class ContactDetails:
    """Who parents contact: the academy's DSL (by id), its office phone and e-mail."""

    dsl_id: int | None
    office_phone: str | None
    office_email: str | None


def contact_people(session: Session, academy_id: int) -> list[User]:
    """Who may be named as the parents' safeguarding contact: the academy's DSLs and head."""
    return list(
        session.scalars(
            select(User)
            .where(
                User.academy_id == academy_id,
                User.role.in_((Role.DSL, Role.HEAD)),
                User.active.is_(True),
                User.erased_at.is_(None),
            )
            .order_by(User.role, User.display_name)
        )
    )


def check_contact(session: Session, academy: Academy, details: ContactDetails) -> dict[str, str]:
    problems: dict[str, str] = {}
    if details.dsl_id is not None and details.dsl_id not in {
        person.id for person in contact_people(session, academy.id)
    }:
        problems["dsl_id"] = "Choose one of the academy's safeguarding leads."
    phone = details.office_phone or ""
    if phone and (not PHONE_PATTERN.match(phone) or sum(c.isdigit() for c in phone) < 6):
        problems["office_phone"] = "Enter a phone number, for example 01642 123456."
    email = details.office_email or ""
    if email and (len(email) > 254 or not EMAIL_PATTERN.match(email)):
        problems["office_email"] = "Enter an e-mail address, for example office@school.example."
    return problems


def save_contact(
    session: Session, actor: User, academy: Academy, details: ContactDetails, *, now: datetime
) -> bool:
    """Save the contact details; True when something changed (and was audited)."""
    if not can.can_set_academy_contact(actor, academy.id):
        raise PermissionError("only the head teacher or a trust admin sets contact details")
    problems = check_contact(session, academy, details)
    if problems:
        raise ValueError(problems)
    email = details.office_email.lower() if details.office_email else None
    values = {
        "contact_dsl_id": details.dsl_id,
        "office_phone": details.office_phone,
        "office_email": email,
    }
    changed = [name for name, value in values.items() if getattr(academy, name) != value]
    if not changed:
        return False
    for name, value in values.items():
        setattr(academy, name, value)
    session.flush()
    record(
        session,
        actor_id=actor.id,
        action="academy.contact_update",
        subject_type="academy",
        subject_id=academy.id,
        academy_id=academy.id,
        detail={"fields": changed},
        at=now,
    )
    return True
