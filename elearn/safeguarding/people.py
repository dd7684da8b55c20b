"""Who a reporter may name from the academy's roll as the person affected or responsible.

Naming by id (not by typed name) lets exports, erasure holds and retention find everyone a
report is about. The list is kept to what the reporter may already know: staff see the
academy's pupils, parents and carers, and staff; a parent or carer sees the academy's staff
and their own children only, never the rest of the roll.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from elearn.auth.models import ParentLink, User
from elearn.auth.roles import Role

STAFF_ROLES = (Role.STAFF, Role.DSL, Role.HEAD)


class NotOnTheList(ValueError):
    """The id is not one of the people this reporter may name."""


@dataclass(frozen=True)
class PersonChoice:
    id: int
    label: str
    group: str


def _label(person: User) -> str:
    if person.role is Role.PUPIL:
        year = f"Year {person.year_group}" if person.year_group is not None else "pupil"
        return f"{person.display_name} ({year})"
    return f"{person.display_name} ({person.role.label})"


def _group(person: User) -> str:
    if person.role is Role.PUPIL:
        return "Pupils"
    if person.role is Role.PARENT:
        return "Parents and carers"
    return "Staff"


def _nameable(reporter: User) -> Select[tuple[User]] | None:
    if reporter.academy_id is None:
        return None
    query = select(User).where(
        User.academy_id == reporter.academy_id,
        User.active.is_(True),
        User.erased_at.is_(None),
        User.id != reporter.id,
    )
    if reporter.role is Role.PARENT:
        children = select(ParentLink.pupil_id).where(ParentLink.parent_id == reporter.id)
        query = query.where(User.role.in_(STAFF_ROLES) | User.id.in_(children))
    elif reporter.role in STAFF_ROLES:
        query = query.where(User.role.in_((Role.PUPIL, Role.PARENT, *STAFF_ROLES)))
    else:
        return None
    return query


def nameable_people(session: Session, reporter: User) -> list[User]:
    """The academy's active people this reporter may pick, by name."""
    query = _nameable(reporter)
    if query is None:
        return []
    return list(session.scalars(query.order_by(User.display_name, User.id)))


def choices(session: Session, reporter: User) -> list[PersonChoice]:
    """Grouped for a select: pupils (with year group), parents and carers, staff."""
    order = {"Pupils": 0, "Parents and carers": 1, "Staff": 2}
    people = [
        PersonChoice(id=p.id, label=_label(p), group=_group(p))
        for p in nameable_people(session, reporter)
    ]
    return sorted(people, key=lambda choice: (order[choice.group], choice.label))


def checked_person(session: Session, reporter: User, person_id: int | None) -> User | None:
    """The person with this id if the reporter may name them; NotOnTheList otherwise."""
    if person_id is None:
        return None
    query = _nameable(reporter)
    person = session.scalar(query.where(User.id == person_id)) if query is not None else None
    if person is not None:
        return person
    raise NotOnTheList("Choose someone from the list, or write their name instead.")
