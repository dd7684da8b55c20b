"""Lesson progress, course completion, certificates and policy sign-off.

Every learning event adds its xAPI statement to the same transaction as the row it records.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from functools import cache

from sqlalchemy import Select, bindparam, select
from sqlalchemy.orm import Session

import elearn.learning.personal_data  # noqa: F401  (registers its export and erasure sections)
from elearn.auth.models import User
from elearn.catalog.model import Course, Lesson
from elearn.compliance.rules import (
    counts_from_previous_expiry,
    expiry_for_completion,
    uk_date,
    window_opens_on,
)
from elearn.learning.context import Moment
from elearn.learning.cycle_state import cycle_state
from elearn.learning.events import record_event
from elearn.learning.models import (
    Certificate,
    CompletionSource,
    CourseCycle,
    LessonRead,
    PolicySignOff,
)
from elearn.xapi.builders import statements

CERTIFICATE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I to misread


class LearningError(ValueError):
    """A request that cannot be carried out; the message can be shown as it is."""


def latest_cycle(session: Session, user_id: int, course_id: str) -> CourseCycle | None:
    return session.scalar(_latest_cycle_query(), {"user_id": user_id, "course_id": course_id})


@cache
def _latest_cycle_query() -> Select[tuple[CourseCycle]]:
    # Every course and lesson page asks this: built once, its values as parameters.
    return (
        select(CourseCycle)
        .where(
            CourseCycle.user_id == bindparam("user_id"),
            CourseCycle.course_id == bindparam("course_id"),
        )
        .order_by(CourseCycle.started_at.desc(), CourseCycle.id.desc())
        .limit(1)
    )


def renewal_open(course: Course, cycle: CourseCycle, today: date) -> bool:
    """Whether a completed cycle of recurring training may be done again now."""
    recurrence = course.recurrence
    if recurrence is None or recurrence.kind != "recurring" or cycle.expires_on is None:
        return False
    return today >= window_opens_on(recurrence, cycle.expires_on)


def cycle_for_learning(session: Session, user: User, course: Course, moment: Moment) -> CourseCycle:
    """The cycle new learning belongs to, starting one when there is none or renewal is due."""
    cycle = latest_cycle(session, user.id, course.id)
    if cycle is not None and (
        not cycle.is_complete or not renewal_open(course, cycle, moment.today)
    ):
        return cycle
    cycle = CourseCycle(
        user_id=user.id, course_id=course.id, course_version=course.version, started_at=moment.now
    )
    session.add(cycle)
    session.flush()
    return cycle


def read_lesson_ids(session: Session, cycle_id: int) -> set[str]:
    return set(session.scalars(select(LessonRead.lesson_id).where(LessonRead.cycle_id == cycle_id)))


def record_lesson_read(
    session: Session, user: User, course: Course, lesson: Lesson, moment: Moment
) -> bool:
    """Record that someone opened a lesson: once per cycle, with its ``experienced`` statement.

    Returns True when this was the first reading in the cycle. Completes the course when it
    has no quiz and this was the last unread lesson.
    """
    cycle = cycle_for_learning(session, user, course, moment)
    already = read_lesson_ids(session, cycle.id)
    if lesson.id in already:
        return False
    session.add(LessonRead(cycle_id=cycle.id, lesson_id=lesson.id, read_at=moment.now))
    record_event(
        session,
        statements.LessonExperienced(
            course_id=course.id, lesson_id=lesson.id, lesson_title=lesson.title
        ),
        user=user,
        moment=moment,
        registration=cycle.registration,
    )
    session.flush()
    complete_if_done(session, user, course, cycle, moment)
    return True


def complete_if_done(
    session: Session, user: User, course: Course, cycle: CourseCycle, moment: Moment
) -> Certificate | None:
    """Complete the cycle the moment its last requirement is met (no background job).

    Every lesson read, and the quiz passed when there is one. Policy courses complete on
    sign-off instead.
    """
    if cycle.is_complete or course.policy is not None:
        return None
    read, (passed, _best, _used) = cycle_state(session, cycle.id)
    if read < {each.id for each in course.lessons} or (course.quiz is not None and not passed):
        return None
    return complete_cycle(session, user, course, cycle, moment)


def complete_cycle(
    session: Session,
    user: User,
    course: Course,
    cycle: CourseCycle,
    moment: Moment,
    *,
    completed_on: date | None = None,
) -> Certificate | None:
    """Mark a cycle complete now: expiry from the compliance rules, statement, certificate."""
    if cycle.is_complete:
        return None
    completed_on = completed_on or moment.today
    previous = None
    if counts_from_previous_expiry(course.recurrence):
        previous = session.scalar(
            select(CourseCycle.expires_on)
            .where(
                CourseCycle.user_id == user.id,
                CourseCycle.course_id == course.id,
                CourseCycle.id != cycle.id,
                CourseCycle.completed_at.is_not(None),
            )
            .order_by(CourseCycle.completed_on.desc(), CourseCycle.id.desc())
            .limit(1)
        )
    cycle.completed_at = moment.now
    cycle.completed_on = completed_on
    cycle.expires_on = expiry_for_completion(course.recurrence, completed_on, previous)
    record_event(
        session,
        statements.CourseCompleted(course_id=course.id, course_title=course.title),
        user=user,
        moment=moment,
        registration=cycle.registration,
    )
    if not user.role.is_staff:
        return None
    certificate = Certificate(
        code=new_certificate_code(),
        cycle_id=cycle.id,
        user_id=user.id,
        holder_name=user.display_name,
        course_title=course.title,
        completed_on=completed_on,
        expires_on=cycle.expires_on,
        issued_at=moment.now,
    )
    session.add(certificate)
    return certificate


def new_certificate_code() -> str:
    raw = "".join(secrets.choice(CERTIFICATE_ALPHABET) for _ in range(12))
    return "-".join(raw[i : i + 4] for i in range(0, 12, 4))


def record_offline_completion(
    session: Session,
    *,
    user: User,
    course: Course,
    completed_on: date,
    evidence_note: str,
    recorded_by: User,
    base_url: str,
    now: datetime,
) -> CourseCycle:
    """Record training done elsewhere (an INSET day, an external course) as a completion."""
    moment = Moment(now=now, base_url=base_url)
    note = evidence_note.strip()
    if not note:
        raise LearningError("Describe the evidence: where and how the training was done.")
    if completed_on > moment.today:
        raise LearningError("The training date cannot be in the future.")
    if user.start_on and completed_on < user.start_on.replace(year=user.start_on.year - 5):
        raise LearningError("That date is too long before this person started.")
    cycle = CourseCycle(
        user_id=user.id,
        course_id=course.id,
        course_version=course.version,
        started_at=datetime.combine(completed_on, time(12), tzinfo=UTC),
        source=CompletionSource.OFFLINE,
        evidence_note=note,
        recorded_by_id=recorded_by.id,
    )
    session.add(cycle)
    session.flush()
    complete_cycle(session, user, course, cycle, moment, completed_on=completed_on)
    return cycle


@dataclass(frozen=True)
class LessonState:
    lesson: Lesson
    read: bool


@dataclass(frozen=True)
class CourseProgress:
    course: Course
    cycle: CourseCycle | None
    lessons: tuple[LessonState, ...]
    quiz_passed: bool
    best_percent: int | None
    attempts_used: int
    signed_off: bool

    @property
    def lessons_read(self) -> int:
        return sum(1 for state in self.lessons if state.read)

    @property
    def complete(self) -> bool:
        return self.cycle is not None and self.cycle.is_complete

    @property
    def started(self) -> bool:
        return self.lessons_read > 0 or self.attempts_used > 0

    # The steps of a course are its lessons plus its last step, the quiz or the policy
    # sign-off; the bar, the text and every page count them the same way.
    @property
    def last_step(self) -> str | None:
        """``"quiz"``, ``"sign-off"`` or None: the step after the lessons."""
        if self.course.quiz is not None:
            return "quiz"
        return "sign-off" if self.course.policy is not None else None

    @property
    def last_step_done(self) -> bool:
        return self.quiz_passed if self.course.quiz is not None else self.signed_off

    @property
    def steps_total(self) -> int:
        return len(self.lessons) + (1 if self.last_step else 0)

    @property
    def steps_done(self) -> int:
        if self.complete:
            return self.steps_total
        return self.lessons_read + (1 if self.last_step and self.last_step_done else 0)

    @property
    def percent(self) -> int:
        """Steps done as a whole percentage, rounded down: 100 only when all are done."""
        return 100 * self.steps_done // self.steps_total if self.steps_total else 0

    @property
    def next_lesson(self) -> Lesson | None:
        """Where to carry on: the first lesson not yet read in this cycle."""
        return next((state.lesson for state in self.lessons if not state.read), None)


def course_progress(session: Session, user: User, course: Course, today: date) -> CourseProgress:
    """Read-only: how far someone is through their current cycle of a course."""
    cycle = latest_cycle(session, user.id, course.id)
    if cycle is not None and cycle.is_complete and renewal_open(course, cycle, today):
        cycle = None  # renewal is due: progress starts afresh
    read, (passed, best, used) = (
        cycle_state(session, cycle.id) if cycle else (set(), (False, None, 0))
    )
    signed = course.policy is not None and has_signed_off(session, user.id, course.policy.version)
    return CourseProgress(
        course=course,
        cycle=cycle,
        lessons=tuple(LessonState(lesson, lesson.id in read) for lesson in course.lessons),
        quiz_passed=passed,
        best_percent=best,
        attempts_used=used,
        signed_off=signed,
    )


def has_signed_off(session: Session, user_id: int, version: str) -> bool:
    return (
        session.scalar(
            select(PolicySignOff.id).where(
                PolicySignOff.user_id == user_id, PolicySignOff.policy_version == version
            )
        )
        is not None
    )


def sign_off_policy(
    session: Session, user: User, course: Course, moment: Moment, *, confirmed: bool
) -> PolicySignOff | None:
    """Record that a staff member has read and understood the current policy version.

    Returns None when they had already signed this version. Reading every lesson first is
    required, so the confirmation means something.
    """
    if course.policy is None:
        raise LearningError("This course has no policy to sign.")
    if not confirmed:
        raise LearningError("Tick the box to confirm you have read and understood the policy.")
    if has_signed_off(session, user.id, course.policy.version):
        return None
    cycle = cycle_for_learning(session, user, course, moment)
    unread = [each for each in course.lessons if each.id not in read_lesson_ids(session, cycle.id)]
    if unread:
        raise LearningError(f"Read “{unread[0].title}” before you sign.")
    sign_off = PolicySignOff(
        user_id=user.id,
        course_id=course.id,
        policy_version=course.policy.version,
        statement=course.policy.statement,
        signed_at=moment.now,
    )
    session.add(sign_off)
    record_event(
        session,
        statements.PolicySignedOff(
            course_id=course.id,
            policy_id=course.id,
            policy_title=course.title,
            policy_version=course.policy.version,
            declaration=course.policy.statement,
        ),
        user=user,
        moment=moment,
        registration=cycle.registration,
    )
    if not cycle.is_complete:
        complete_cycle(session, user, course, cycle, moment)
    return sign_off


def certificates_for(session: Session, user_id: int) -> list[Certificate]:
    return list(
        session.scalars(
            select(Certificate)
            .where(Certificate.user_id == user_id)
            .order_by(Certificate.completed_on.desc(), Certificate.id.desc())
        )
    )


def certificate_by_code(session: Session, code: str) -> Certificate | None:
    cleaned = code.strip().upper()
    if len(cleaned) > 20:
        return None
    return session.scalar(select(Certificate).where(Certificate.code == cleaned))


def completed_on_for(moment: datetime) -> date:
    return uk_date(moment)
