"""What each person sees first: what to do next, and (for staff) what is due."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from elearn.admin.access_grants import NoticeText, has_safeguarding_access, open_notices
from elearn.auth.models import Academy, ParentLink, User
from elearn.auth.permissions import is_safeguarding_lead, is_staff_member
from elearn.auth.roles import Role
from elearn.catalog.model import Catalog
from elearn.compliance.cells import Cell, Status
from elearn.compliance.requirements import POLICY_DUE_DAYS, Requirement
from elearn.compliance.status import academy_matrix
from elearn.learning.parents import contact_academies
from elearn.learning.services import CourseProgress, course_progress
from elearn.safeguarding.overview import ReportsOverview, reports_overview, waiting_words
from elearn.web.admin_home import TrustHeadlines, trust_headlines


@dataclass(frozen=True)
class HomePage:
    template: str
    user: User
    academy: Academy | None
    progress: list[CourseProgress] = field(default_factory=list)
    children: list[User] = field(default_factory=list)
    # Staff: their standing on each training requirement, most urgent first.
    training: list[tuple[Requirement, Cell]] = field(default_factory=list)
    # Leads: changes to who can read their academy's safeguarding reports, until dismissed.
    access_notices: list[NoticeText] = field(default_factory=list)
    # Parents: who to contact at their own and their children's schools.
    contacts: list[Academy] = field(default_factory=list)
    # Trust admins: the trust's headline figures.
    headlines: TrustHeadlines | None = None
    # DSLs and heads: their academy's reports and overdue staff.
    academy_watch: AcademyWatch | None = None

    @property
    def next_up(self) -> CourseProgress | None:
        """The course to carry on with: one already started, else the first not finished."""
        unfinished = [p for p in self.progress if not p.complete]
        started = [p for p in unfinished if p.started]
        return (started or unfinished or [None])[0]


@dataclass(frozen=True)
class AcademyWatch:
    """What a DSL or head teacher needs to act on at their academy today."""

    reports: ReportsOverview
    # How long the oldest report nobody has acted on has been waiting, in words.
    oldest_new_waiting: str | None
    staff_overdue: int
    staff_expired: int


def academy_watch(
    session: Session,
    catalog: Catalog,
    user: User,
    *,
    today: date,
    now: datetime,
    policy_due_days: int = POLICY_DUE_DAYS,
) -> AcademyWatch | None:
    reports = reports_overview(session, user, today=today)
    if reports is None or user.academy_id is None:
        return None
    # The compliance dashboard's own figures, so the two pages never disagree.
    staff = academy_matrix(
        session,
        catalog,
        academy_id=user.academy_id,
        as_of=today,
        policy_due_days=policy_due_days,
    ).counts
    return AcademyWatch(
        reports=reports,
        oldest_new_waiting=waiting_words(reports.oldest_new_at, now)
        if reports.oldest_new_at
        else None,
        staff_overdue=staff[Status.OVERDUE].people,
        staff_expired=staff[Status.EXPIRED].people,
    )


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


def training_due(
    session: Session, catalog: Catalog, user: User, today: date
) -> list[tuple[Requirement, Cell]]:
    """Each requirement that applies to this person, with its status, most urgent first."""
    matrix = academy_matrix(
        session, catalog, academy_id=user.academy_id, as_of=today, person_id=user.id
    )
    if not matrix.everyone:
        return []
    row = matrix.everyone[0]
    cells = [(r, row.cell(r.course_id)) for r in matrix.all_requirements]
    return sorted((pair for pair in cells if pair[1].required), key=lambda pair: pair[1].sort_key())


def home_page(
    session: Session,
    user: User,
    catalog: Catalog,
    today: date,
    *,
    now: datetime,
    policy_due_days: int = POLICY_DUE_DAYS,
) -> HomePage:
    academy = session.get(Academy, user.academy_id) if user.academy_id else None
    children = linked_children(session, user.id) if user.role is Role.PARENT else []
    courses = catalog.courses_for(user.role, year_group=user.year_group, staff_kind=user.staff_kind)
    return HomePage(
        training=training_due(session, catalog, user, today) if is_staff_member(user) else [],
        template=TEMPLATE_BY_ROLE[user.role],
        user=user,
        academy=academy,
        progress=[course_progress(session, user, course, today) for course in courses],
        children=children,
        access_notices=open_notices(session, user) if has_safeguarding_access(user.role) else [],
        contacts=contact_academies(session, user) if user.role is Role.PARENT else [],
        headlines=trust_headlines(session, catalog, today, policy_due_days=policy_due_days)
        if user.role is Role.ADMIN
        else None,
        academy_watch=academy_watch(
            session, catalog, user, today=today, now=now, policy_due_days=policy_due_days
        )
        if is_safeguarding_lead(user)
        else None,
    )
