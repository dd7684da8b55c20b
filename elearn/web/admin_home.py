"""The trust administrator's home page figures: the trust at a glance, in a fixed number of
queries (the staff figure reuses the trust overview's matrix)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import distinct, func, select
from sqlalchemy.orm import Session

from elearn.auth.models import Academy, User
from elearn.auth.roles import Role
from elearn.catalog.model import Catalog
from elearn.compliance.cells import Status
from elearn.compliance.requirements import POLICY_DUE_DAYS
from elearn.compliance.services import trust_overview
from elearn.learning.models import CourseCycle
from elearn.progress.services import pupil_courses
from elearn.xapi.models import ForwardState, StoredStatement


def term_start(today: date) -> date:
    """The first day of the school term ``today`` is in, as whole months: autumn from
    September, spring from January, summer from April (Easter moves; April is its usual end)."""
    if today.month >= 9:
        return date(today.year, 9, 1)
    if today.month >= 4:
        return date(today.year, 4, 1)
    return date(today.year, 1, 1)


@dataclass(frozen=True)
class TrustHeadlines:
    people_by_role: dict[Role, int]
    academies: int
    staff_overdue: int
    staff_expired: int
    term_started_on: date
    pupils_finished_this_term: int
    statements_waiting: int
    statements_refused: int

    @property
    def people(self) -> int:
        return sum(self.people_by_role.values())


def trust_headlines(
    session: Session, catalog: Catalog, today: date, *, policy_due_days: int = POLICY_DUE_DAYS
) -> TrustHeadlines:
    current = (User.active.is_(True), User.erased_at.is_(None))
    by_role = dict.fromkeys(Role, 0)
    for role, count in session.execute(
        select(User.role, func.count()).where(*current).group_by(User.role)
    ):
        by_role[role] = count
    started = term_start(today)
    finished = session.scalar(
        select(func.count(distinct(CourseCycle.user_id)))
        .join(User, User.id == CourseCycle.user_id)
        .where(
            *current,
            User.role == Role.PUPIL,
            CourseCycle.course_id.in_([course.id for course in pupil_courses(catalog.courses)]),
            CourseCycle.completed_on >= started,
            CourseCycle.completed_on <= today,
        )
    )
    forwarding = dict(
        session.execute(
            select(StoredStatement.forward_state, func.count())
            .where(StoredStatement.forward_state.in_((ForwardState.PENDING, ForwardState.DEAD)))
            .group_by(StoredStatement.forward_state)
        ).all()
    )
    staff = trust_overview(session, catalog, as_of=today, policy_due_days=policy_due_days).total
    return TrustHeadlines(
        people_by_role=by_role,
        academies=session.scalar(select(func.count()).select_from(Academy)) or 0,
        staff_overdue=staff.people_by_status.get(Status.OVERDUE, 0),
        staff_expired=staff.people_by_status.get(Status.EXPIRED, 0),
        term_started_on=started,
        pupils_finished_this_term=finished or 0,
        statements_waiting=forwarding.get(ForwardState.PENDING, 0),
        statements_refused=forwarding.get(ForwardState.DEAD, 0),
    )
