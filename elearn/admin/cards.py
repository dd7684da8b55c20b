"""Classroom sign-in: a class list by year group and printable sign-in cards.

A card carries a new memorable password (the old one stops working), so cards are made only
for the pupils the teacher picks, after they confirm: by default those who have no password
yet. Hashing is what costs (Argon2 is slow on purpose), so one request hashes at most
``MAX_CARDS_PER_REQUEST`` passwords, outside any database transaction, and only one request
at a time per class, on any app server, may make cards (a ``CardJob`` row).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from elearn.admin import services
from elearn.admin.models import CardJob
from elearn.admin.passwords import memorable_password
from elearn.auth.models import Academy, User
from elearn.auth.passwords import hash_password
from elearn.auth.roles import Role

# About a second and a half of hashing on one core: a worker is never tied up for long.
MAX_CARDS_PER_REQUEST = 30
# A job older than this belongs to a request that died; the class is free again.
CARD_JOB_STALE_AFTER = timedelta(minutes=2)


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


class CardsRefused(ValueError):
    """The pupils chosen cannot be given cards: nobody chosen, or too many at once."""


def chosen_pupils(
    session: Session, academy_id: int, year_group: int, chosen_ids: Collection[int]
) -> list[User] | None:
    """The chosen pupils of this class, in class-list order; None if an id is not in it."""
    pupils = class_list(session, academy_id, year_group)
    in_class = {pupil.id for pupil in pupils}
    if any(pupil_id not in in_class for pupil_id in chosen_ids):
        return None
    return [pupil for pupil in pupils if pupil.id in chosen_ids]


def check_choice(pupils: Sequence[User]) -> None:
    if not pupils:
        raise CardsRefused("Choose at least one pupil to make a card for.")
    if len(pupils) > MAX_CARDS_PER_REQUEST:
        raise CardsRefused(
            f"You chose {len(pupils)} pupils. Cards can be made for at most "
            f"{MAX_CARDS_PER_REQUEST} at a time: choose fewer, print those, then come back "
            "for the rest."
        )


def claim_card_job(
    session: Session, academy_id: int, year_group: int, *, now: datetime
) -> CardJob | None:
    """Take the class's card job, or None if another request holds it. The caller commits
    at once, so every app server sees the claim while the passwords are hashed."""
    session.execute(
        delete(CardJob).where(
            CardJob.academy_id == academy_id,
            CardJob.year_group == year_group,
            CardJob.started_at < now - CARD_JOB_STALE_AFTER,
        )
    )
    job = CardJob(academy_id=academy_id, year_group=year_group, started_at=now)
    try:
        with session.begin_nested():
            session.add(job)
    except IntegrityError:
        return None
    return job


def release_card_job(session: Session, job_id: int) -> None:
    session.execute(delete(CardJob).where(CardJob.id == job_id))


def new_passwords(count: int) -> list[tuple[str, str]]:
    """``count`` memorable passwords with their hashes: the slow part, needing no database."""
    if count > MAX_CARDS_PER_REQUEST:
        raise CardsRefused(f"at most {MAX_CARDS_PER_REQUEST} passwords at a time")
    passwords = [memorable_password() for _ in range(count)]
    return [(password, hash_password(password)) for password in passwords]


def give_cards(
    session: Session,
    actor: User,
    pupils: Sequence[User],
    passwords: Sequence[tuple[str, str]],
    *,
    now: datetime,
) -> list[SignInCard]:
    """Save the new passwords (signing each pupil out everywhere) and return their cards."""
    cards = []
    for pupil, (password, hashed) in zip(pupils, passwords, strict=True):
        services.set_password_for(
            session, actor, pupil, hashed, now=now, detail={"source": "sign-in cards"}
        )
        cards.append(
            SignInCard(
                name=pupil.display_name,
                username=pupil.username,
                password=password,
                year=services.year_label(pupil.year_group),
            )
        )
    return cards
