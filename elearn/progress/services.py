"""A class or year group's progress through one pupil course: pupils × lessons and quiz.

The whole report is four SQL statements whatever the number of pupils: the pupils, their
cycles of the course, the lessons read in those cycles and the quiz attempts in them. The
pupils are a subquery in the other three, never a list of ids, so a year group of thousands
needs no more round trips and no long parameter lists.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from elearn.auth.models import User
from elearn.auth.roles import Role
from elearn.catalog.model import Course
from elearn.compliance.rules import uk_date
from elearn.learning.cycle_state import summarise_attempts
from elearn.learning.models import CourseCycle, LessonRead
from elearn.learning.services import renewal_open
from elearn.quiz.models import QuizAttempt


class Stage(StrEnum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    PASSED = "passed"

    @property
    def label(self) -> str:
        return {"not_started": "Not started", "in_progress": "In progress", "passed": "Passed"}[
            self.value
        ]


class CourseStage(StrEnum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    FINISHED = "finished"

    @property
    def label(self) -> str:
        return {
            "not_started": "Not started",
            "in_progress": "In progress",
            "finished": "Finished",
        }[self.value]


SORTS = ("name", "year", "progress", "score")


@dataclass(frozen=True)
class ProgressFilter:
    academy_id: int
    course_id: str
    year_group: int | None = None
    not_finished: bool = False
    sort: str = "name"
    # One pupil's own record (their person page, their parent's view).
    pupil_id: int | None = None


@dataclass(frozen=True)
class QuizResult:
    stage: Stage
    best_percent: int | None
    attempts: int
    # The day the quiz was passed, or of the latest submitted attempt when not passed yet.
    on: date | None


@dataclass(frozen=True)
class PupilProgress:
    pupil_id: int
    name: str
    username: str
    year_group: int | None
    # The date each lesson was first read in the current cycle, in course order; None: unread.
    lessons_read_on: tuple[date | None, ...]
    quiz: QuizResult | None
    finished_on: date | None

    @property
    def lessons_read(self) -> int:
        return sum(1 for day in self.lessons_read_on if day is not None)

    @property
    def stage(self) -> CourseStage:
        if self.finished_on is not None:
            return CourseStage.FINISHED
        started = self.lessons_read or (self.quiz is not None and self.quiz.attempts)
        return CourseStage.IN_PROGRESS if started else CourseStage.NOT_STARTED


@dataclass(frozen=True)
class ProgressReport:
    course: Course
    wanted: ProgressFilter
    rows: tuple[PupilProgress, ...]

    @property
    def finished(self) -> int:
        return sum(1 for row in self.rows if row.stage is CourseStage.FINISHED)


def pupil_courses(courses: tuple[Course, ...] | list[Course]) -> list[Course]:
    """The courses a progress report can cover: those written for pupils."""
    return [course for course in courses if Role.PUPIL in course.audience.roles]


def _pupils(wanted: ProgressFilter, course: Course) -> Select:
    query = select(User.id, User.display_name, User.username, User.year_group).where(
        User.academy_id == wanted.academy_id,
        User.role == Role.PUPIL,
        User.erased_at.is_(None),
    )
    if wanted.pupil_id is not None:
        # A record asked for by name, also after the pupil has left (the person page).
        return query.where(User.id == wanted.pupil_id)
    query = query.where(User.active.is_(True))
    years = course.audience.year_groups
    if wanted.year_group is not None:
        query = query.where(User.year_group == wanted.year_group)
    elif years:
        query = query.where(User.year_group.in_(sorted(years)))
    return query


def progress_report(
    session: Session, course: Course, wanted: ProgressFilter, today: date
) -> ProgressReport:
    """Every pupil of the academy the course is for (or of one year group), with progress."""
    pupils = _pupils(wanted, course)
    pupil_ids = pupils.with_only_columns(User.id).scalar_subquery()
    people = session.execute(pupils).all()

    current: dict[int, CourseCycle] = {}
    for cycle in session.scalars(
        select(CourseCycle)
        .where(CourseCycle.course_id == course.id, CourseCycle.user_id.in_(pupil_ids))
        .order_by(CourseCycle.started_at, CourseCycle.id)
    ):
        current[cycle.user_id] = cycle  # the latest wins
    for user_id, cycle in list(current.items()):
        if cycle.is_complete and renewal_open(course, cycle, today):
            del current[user_id]  # renewal is due: progress starts afresh, as on the pupil's page
    cycle_ids = {cycle.id for cycle in current.values()}

    in_cycles = select(CourseCycle.id).where(
        CourseCycle.course_id == course.id, CourseCycle.user_id.in_(pupil_ids)
    )
    read_on: dict[int, dict[str, date]] = {}
    for cycle_id, lesson_id, read_at in session.execute(
        select(LessonRead.cycle_id, LessonRead.lesson_id, LessonRead.read_at).where(
            LessonRead.cycle_id.in_(in_cycles)
        )
    ):
        if cycle_id in cycle_ids:
            read_on.setdefault(cycle_id, {})[lesson_id] = uk_date(read_at)

    attempts: dict[int, list[QuizAttempt]] = {}
    if course.quiz is not None:
        for attempt in session.scalars(
            select(QuizAttempt)
            .where(QuizAttempt.cycle_id.in_(in_cycles))
            .order_by(QuizAttempt.number)
        ):
            if attempt.cycle_id in cycle_ids:
                attempts.setdefault(attempt.cycle_id, []).append(attempt)

    rows = []
    for user_id, name, username, year_group in people:
        cycle = current.get(user_id)
        reads = read_on.get(cycle.id, {}) if cycle else {}
        rows.append(
            PupilProgress(
                pupil_id=user_id,
                name=name,
                username=username,
                year_group=year_group,
                lessons_read_on=tuple(reads.get(lesson.id) for lesson in course.lessons),
                quiz=_quiz_result(attempts.get(cycle.id, []) if cycle else [])
                if course.quiz is not None
                else None,
                finished_on=cycle.completed_on if cycle and cycle.is_complete else None,
            )
        )
    if wanted.not_finished:
        rows = [row for row in rows if row.stage is not CourseStage.FINISHED]
    return ProgressReport(course=course, wanted=wanted, rows=tuple(_sorted(rows, wanted.sort)))


@dataclass(frozen=True)
class CourseRecord:
    course: Course
    progress: PupilProgress


def pupil_record(
    session: Session, courses: list[Course], pupil: User, today: date
) -> list[CourseRecord]:
    """One pupil's progress in each pupil course for their year group, with dates and scores.

    Read-only, like the report it shares its queries with (a few per course).
    """
    records = []
    for course in pupil_courses(courses):
        if not course.audience.includes(Role.PUPIL, year_group=pupil.year_group):
            continue
        if pupil.academy_id is None:
            continue
        wanted = ProgressFilter(academy_id=pupil.academy_id, course_id=course.id, pupil_id=pupil.id)
        report = progress_report(session, course, wanted, today)
        records += [CourseRecord(course, row) for row in report.rows]
    return records


def _quiz_result(attempts: list[QuizAttempt]) -> QuizResult:
    scores = [(each.passed, each.score_raw, each.score_max) for each in attempts]
    passed, best, used = summarise_attempts(scores)
    if not attempts:
        return QuizResult(Stage.NOT_STARTED, None, 0, None)
    passing = next((a for a in attempts if a.passed and a.submitted_at), None)
    submitted = [a.submitted_at for a in attempts if a.submitted_at is not None]
    when = passing.submitted_at if passing else max(submitted, default=None)
    return QuizResult(
        Stage.PASSED if passed else Stage.IN_PROGRESS,
        best,
        used,
        uk_date(when) if when else None,
    )


def _sorted(rows: list[PupilProgress], sort: str) -> list[PupilProgress]:
    by_name = sorted(rows, key=lambda row: (row.name.casefold(), row.pupil_id))
    if sort == "year":
        return sorted(by_name, key=lambda row: row.year_group or 0)
    if sort == "progress":
        # Least done first: the pupils to follow up come to the top.
        order = {CourseStage.NOT_STARTED: 0, CourseStage.IN_PROGRESS: 1, CourseStage.FINISHED: 2}
        return sorted(by_name, key=lambda row: (order[row.stage], row.lessons_read))
    if sort == "score":
        return sorted(
            by_name,
            key=lambda row: (
                -1 if row.quiz is None or row.quiz.best_percent is None else row.quiz.best_percent
            ),
        )
    return by_name
