"""Pupil and parent engagement per academy: who started and who finished each course.

Three SQL statements whatever the size of the trust: the academies, the learners counted
by academy, role and year group, and the learners with a cycle of each course counted the
same way. Which counts belong to which course's audience is then sorted out in Python
over those small grouped rows, never per person.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import case, distinct, func, select
from sqlalchemy.orm import Session

from elearn.auth.models import Academy, User
from elearn.auth.roles import Role
from elearn.catalog.model import Catalog, Course
from elearn.learning.models import CourseCycle

ENGAGED_ROLES = (Role.PUPIL, Role.PARENT)


@dataclass(frozen=True)
class Uptake:
    learners: int = 0
    started: int = 0
    completed: int = 0

    @property
    def started_percent(self) -> int | None:
        return round(100 * self.started / self.learners) if self.learners else None

    @property
    def completed_percent(self) -> int | None:
        return round(100 * self.completed / self.learners) if self.learners else None

    def __add__(self, other: Uptake) -> Uptake:
        return Uptake(
            self.learners + other.learners,
            self.started + other.started,
            self.completed + other.completed,
        )


@dataclass(frozen=True)
class AcademyEngagement:
    academy_id: int | None  # None: the whole trust
    name: str
    by_course: dict[str, Uptake]

    def uptake(self, course_id: str) -> Uptake:
        return self.by_course.get(course_id, Uptake())


@dataclass(frozen=True)
class Engagement:
    courses: tuple[Course, ...]
    academies: tuple[AcademyEngagement, ...]
    total: AcademyEngagement


def engagement_courses(catalog: Catalog) -> tuple[Course, ...]:
    return tuple(
        course
        for course in catalog.courses
        if any(role in course.audience.roles for role in ENGAGED_ROLES)
    )


def _in_audience(course: Course, role: Role, year_group: int | None) -> bool:
    # A pupil whose year group is unknown is no course's learner in these figures, so a
    # course's started and finished never exceed the pupils it is for.
    if role is Role.PUPIL and year_group is None:
        return False
    return course.audience.includes(role, year_group=year_group)


def trust_engagement(session: Session, catalog: Catalog) -> Engagement:
    courses = engagement_courses(catalog)
    academies = list(session.scalars(select(Academy).order_by(Academy.name)))
    current = (
        User.active.is_(True),
        User.erased_at.is_(None),
        User.role.in_(ENGAGED_ROLES),
        User.academy_id.is_not(None),
    )
    groups = (User.academy_id, User.role, User.year_group)
    learners = session.execute(select(*groups, func.count()).where(*current).group_by(*groups))
    done = case((CourseCycle.completed_at.is_not(None), CourseCycle.user_id))
    cycles = session.execute(
        select(
            *groups,
            CourseCycle.course_id,
            func.count(distinct(CourseCycle.user_id)),
            func.count(distinct(done)),
        )
        .join(CourseCycle, CourseCycle.user_id == User.id)
        .where(*current, CourseCycle.course_id.in_([course.id for course in courses]))
        .group_by(*groups, CourseCycle.course_id)
    )
    tally: dict[int, dict[str, Uptake]] = defaultdict(dict)
    for academy_id, role, year_group, count in learners:
        for course in courses:
            if _in_audience(course, role, year_group):
                mine = tally[academy_id]
                mine[course.id] = mine.get(course.id, Uptake()) + Uptake(learners=count)
    by_id = {course.id: course for course in courses}
    for academy_id, role, year_group, course_id, started, completed in cycles:
        if _in_audience(by_id[course_id], role, year_group):
            mine = tally[academy_id]
            mine[course_id] = mine.get(course_id, Uptake()) + Uptake(0, started, completed)
    rows = tuple(
        AcademyEngagement(academy.id, academy.name, dict(tally.get(academy.id, {})))
        for academy in academies
    )
    total = {
        course.id: sum((row.uptake(course.id) for row in rows), Uptake()) for course in courses
    }
    return Engagement(courses, rows, AcademyEngagement(None, "Whole trust", total))
