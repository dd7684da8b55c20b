"""What parents and carers may see: their linked children's lessons, and who to contact.

A parent reads a child's lessons as the child sees them, but nothing is recorded: reading is
not the child's progress, and the parent is not the course's audience.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from elearn.auth.models import Academy, ParentLink, User
from elearn.auth.roles import Role
from elearn.catalog.model import Catalog, Course


def linked_child(session: Session, parent_id: int, pupil_id: int) -> User | None:
    """The pupil if this parent is linked to them, else None (the view answers 404)."""
    return session.scalar(
        select(User)
        .join(ParentLink, ParentLink.pupil_id == User.id)
        .where(
            ParentLink.parent_id == parent_id,
            User.id == pupil_id,
            User.role == Role.PUPIL,
            User.erased_at.is_(None),
        )
    )


def child_course(catalog: Catalog, pupil: User, course_id: str) -> Course | None:
    """One of the courses this pupil is taking, or None."""
    course = catalog.course(course_id)
    if course is None or not course.audience.includes(Role.PUPIL, year_group=pupil.year_group):
        return None
    return course


def children_take_course(session: Session, parent_id: int, course: Course) -> bool:
    """Whether any linked child takes this course (so its pictures may be shown)."""
    years = session.scalars(
        select(User.year_group)
        .join(ParentLink, ParentLink.pupil_id == User.id)
        .where(ParentLink.parent_id == parent_id, User.role == Role.PUPIL)
    )
    return any(course.audience.includes(Role.PUPIL, year_group=year) for year in years)


def contact_academies(session: Session, parent: User) -> list[Academy]:
    """The academies a parent may need to contact (their own, then their children's), those
    with contact details set."""
    ids = [parent.academy_id] if parent.academy_id else []
    ids += session.scalars(
        select(User.academy_id)
        .join(ParentLink, ParentLink.pupil_id == User.id)
        .where(ParentLink.parent_id == parent.id, User.active.is_(True))
    )
    wanted = list(dict.fromkeys(each for each in ids if each is not None))
    if not wanted:
        return []
    found = {
        academy.id: academy
        for academy in session.scalars(
            select(Academy).where(Academy.id.in_(wanted)).options(selectinload(Academy.contact_dsl))
        )
    }
    return [found[each] for each in wanted if each in found and found[each].has_contact_details]
