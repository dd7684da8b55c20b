"""Parent and carer links to pupils: who is linked, and adding or removing a link.

Each change is audited against both people, in the same transaction.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from elearn.admin.services import NotAllowed
from elearn.audit.services import record_about_person
from elearn.auth import permissions as can
from elearn.auth.models import ParentLink, User
from elearn.auth.roles import Role


def children_of(session: Session, parent_id: int) -> list[User]:
    return list(
        session.scalars(
            select(User)
            .join(ParentLink, ParentLink.pupil_id == User.id)
            .where(ParentLink.parent_id == parent_id)
            .order_by(User.display_name)
        )
    )


def parents_of(session: Session, pupil_id: int) -> list[User]:
    return list(
        session.scalars(
            select(User)
            .join(ParentLink, ParentLink.parent_id == User.id)
            .where(ParentLink.pupil_id == pupil_id)
            .order_by(User.display_name)
        )
    )


def link_problem(session: Session, actor: User, parent: User, pupil: User) -> str | None:
    """Why this parent cannot be linked to this pupil, or None."""
    if parent.role is not Role.PARENT:
        return "Only parents and carers can be linked to a pupil."
    if pupil.role is not Role.PUPIL:
        return "A parent or carer can only be linked to a pupil."
    if not (can.can_manage_person(actor, parent) and can.can_manage_person(actor, pupil)):
        return "You can only link people in your own academy."
    exists = session.scalar(
        select(ParentLink.id).where(
            ParentLink.parent_id == parent.id, ParentLink.pupil_id == pupil.id
        )
    )
    if exists is not None:
        return "They are already linked."
    return None


def add_link(
    session: Session, actor: User, parent: User, pupil: User, *, now: datetime
) -> ParentLink:
    problem = link_problem(session, actor, parent, pupil)
    if problem:
        raise ValueError(problem)
    link = ParentLink(parent_id=parent.id, pupil_id=pupil.id, created_at=now)
    session.add(link)
    for subject in (parent, pupil):
        record_about_person(
            session,
            actor_id=actor.id,
            action="person.link_add",
            person=subject,
            detail={"parent_id": parent.id, "pupil_id": pupil.id},
            at=now,
        )
    return link


def may_change_link(actor: User, parent: User, pupil: User) -> bool:
    return can.can_manage_person(actor, parent) or can.can_manage_person(actor, pupil)


def remove_link(session: Session, actor: User, parent: User, pupil: User, *, now: datetime) -> bool:
    if not may_change_link(actor, parent, pupil):
        raise NotAllowed("cannot change these links")
    link = session.scalar(
        select(ParentLink).where(ParentLink.parent_id == parent.id, ParentLink.pupil_id == pupil.id)
    )
    if link is None:
        return False
    session.delete(link)
    for subject in (parent, pupil):
        record_about_person(
            session,
            actor_id=actor.id,
            action="person.link_remove",
            person=subject,
            detail={"parent_id": parent.id, "pupil_id": pupil.id},
            at=now,
        )
    return True
