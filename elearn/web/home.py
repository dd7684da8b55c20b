"""What each person sees first: what to do next, and (for staff) what is due."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from elearn.auth.models import Academy, ParentLink, User
from elearn.auth.roles import Role
from elearn.catalog.model import Catalog
from elearn.learning.services import CourseProgress, course_progress


@dataclass(frozen=True)
class HomePage:
    template: str
    user: User
    academy: Academy | None
    progress: list[CourseProgress] = field(default_factory=list)
    children: list[User] = field(default_factory=list)

    @property
    def next_up(self) -> CourseProgress | None:
        """The course to carry on with: one already started, else the first not finished."""
        unfinished = [p for p in self.progress if not p.complete]
        started = [p for p in unfinished if p.started]
        return (started or unfinished or [None])[0]


TEMPLATE_BY_ROLE = {
    Role.PUPIL: "pupil",
    Role.PARENT: "parent",
    Role.STAFF: "staff",
    Role.DSL: "lead",
    Role.HEAD: "lead",
    Role.ADMIN: "admin",
}


def linked_children(session: Session, parent_id: int) -> list[User]:
    return list(
        session.scalars(
            select(User)
            .join(ParentLink, ParentLink.pupil_id == User.id)
            .where(ParentLink.parent_id == parent_id, User.active.is_(True))
            .order_by(User.display_name)
        )
    )


def home_page(session: Session, user: User, catalog: Catalog, today: date) -> HomePage:
    academy = session.get(Academy, user.academy_id) if user.academy_id else None
    children = linked_children(session, user.id) if user.role is Role.PARENT else []
    courses = catalog.courses_for(user.role, year_group=user.year_group, staff_kind=user.staff_kind)
    return HomePage(
        template=TEMPLATE_BY_ROLE[user.role],
        user=user,
        academy=academy,
        progress=[course_progress(session, user, course, today) for course in courses],
        children=children,
    )
