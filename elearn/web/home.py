"""What each person sees first: a short list of what to do next, by role."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from elearn.auth.models import Academy, ParentLink, User
from elearn.auth.roles import Role


@dataclass(frozen=True)
class HomePage:
    template: str
    user: User
    academy: Academy | None
    children: list[User] = field(default_factory=list)


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


def home_page(session: Session, user: User) -> HomePage:
    academy = session.get(Academy, user.academy_id) if user.academy_id else None
    children = linked_children(session, user.id) if user.role is Role.PARENT else []
    return HomePage(
        template=TEMPLATE_BY_ROLE[user.role], user=user, academy=academy, children=children
    )
