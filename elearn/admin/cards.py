"""Classroom sign-in: a class list by year group and printable sign-in cards.

Printing cards gives each pupil in the chosen year group a new memorable password (the old
ones stop working), so it happens only after the teacher confirms.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from elearn.admin import services
from elearn.auth.models import Academy, User
from elearn.auth.roles import Role


@dataclass(frozen=True)
class SignInCard:
    name: str
    username: str
    password: str
    year: str


def class_academy(session: Session, actor: User, academy_id: int | None) -> Academy | None:
    """The academy whose pupils ``actor`` works with: their own, or any for a trust admin."""
    if actor.role is Role.ADMIN:
        return session.get(Academy, academy_id) if academy_id is not None else None
    if actor.academy_id is None:
        return None
    if academy_id is not None and academy_id != actor.academy_id:
        return None
    return session.get(Academy, actor.academy_id)


def year_groups(session: Session, academy_id: int) -> list[int]:
    return [
        year
        for year in session.scalars(
            select(User.year_group)
            .where(
                User.academy_id == academy_id,
                User.role == Role.PUPIL,
                User.active.is_(True),
                User.erased_at.is_(None),
                User.year_group.is_not(None),
            )
            .group_by(User.year_group)
            .order_by(User.year_group)
        )
        if year is not None
    ]


def class_list(session: Session, academy_id: int, year_group: int) -> list[User]:
    return list(
        session.scalars(
            select(User)
            .where(
                User.academy_id == academy_id,
                User.role == Role.PUPIL,
                User.year_group == year_group,
                User.active.is_(True),
                User.erased_at.is_(None),
            )
            .order_by(func.lower(User.display_name), User.id)
        )
    )


def make_cards(
    session: Session, actor: User, academy_id: int, year_group: int, *, now: datetime
) -> list[SignInCard]:
    """Reset every pupil's password in the year group and return their cards."""
    cards = []
    for pupil in class_list(session, academy_id, year_group):
        password = services.reset_password(session, actor, pupil, now=now)
        cards.append(
            SignInCard(
                name=pupil.display_name,
                username=pupil.username,
                password=password,
                year=services.year_label(pupil.year_group),
            )
        )
    return cards
