"""Academies: the schools of the trust. Trust administrators add and edit them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from elearn.audit.services import record
from elearn.auth.models import Academy, User

CODE_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{0,38}[a-z0-9]$|^[a-z0-9]$")
URN_PATTERN = re.compile(r"^\d{6,8}$")
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
