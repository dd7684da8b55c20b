"""Compliance services for the screens: the trust overview, one person's record, policy releases.

Plain functions over a ``Session``; they never commit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased

from elearn.auth.models import Academy, User
from elearn.catalog.model import Catalog, Course
from elearn.compliance.cells import Cell, Status
from elearn.compliance.models import PolicyRelease, Reminder
from elearn.compliance.requirements import (
    POLICY_DUE_DAYS,
    TRAINED_ROLES,
    Requirement,
    RequirementKind,
    requirements_from,
)
from elearn.compliance.status import AcademyRef, Matrix, PersonRow, academy_matrix
from elearn.learning.models import Certificate, CourseCycle, PolicySignOff
from elearn.privacy.registry import SectionGuide, register_eraser, register_exporter

# --- policy versions ------------------------------------------------------------------------


def record_policy_releases(
    session: Session, catalog: Catalog, *, seen_on: date
) -> list[PolicyRelease]:
    """Note ``seen_on`` as the first-seen day of every current policy version not yet noted.

    Safe to call from several processes at once: a version another process noted first is
    left as it is.
    """
    added: list[PolicyRelease] = []
    for requirement in requirements_from(catalog):
        if requirement.kind is not RequirementKind.POLICY or not requirement.policy_version:
            continue
        known = session.scalar(
            select(PolicyRelease.id).where(
                PolicyRelease.course_id == requirement.course_id,
                PolicyRelease.version == requirement.policy_version,
            )
        )
        if known is not None:
            continue
        release = PolicyRelease(
            course_id=requirement.course_id,
            version=requirement.policy_version,
            first_seen_on=seen_on,
        )
        try:
            with session.begin_nested():
                session.add(release)
        except IntegrityError:
            continue
        added.append(release)
    return added


# --- the trust overview -----------------------------------------------------------------------


@dataclass(frozen=True)
class Rate:
    """Required training that is done and in date, out of all required training."""

    in_date: int = 0
    required: int = 0

    @property
    def percent(self) -> int | None:
        if not self.required:
            return None
        return round(100 * self.in_date / self.required)

    def add(self, cell: Cell) -> Rate:
        if not cell.required:
            return self
        return Rate(self.in_date + (1 if cell.in_date else 0), self.required + 1)


@dataclass(frozen=True)
class AcademySummary:
    academy: AcademyRef | None  # None: trust central staff, who belong to no academy
    name: str
    staff: int
    rate: Rate
    by_requirement: dict[str, Rate]
    people_by_status: dict[Status, int]
    dsl_flagged: bool


@dataclass(frozen=True)
class TrustOverview:
    as_of: date
    requirements: tuple[Requirement, ...]
    academies: tuple[AcademySummary, ...]
    total: AcademySummary
    dsl_course_id: str | None

    @property
    def flagged(self) -> list[AcademySummary]:
        return [a for a in self.academies if a.dsl_flagged]


class _Tally:
    """Running counts for one academy (or the whole trust) as plain integers.

    Counting in place is what keeps the trust overview fast: it visits every cell of every
    person in the trust once.
    """

    __slots__ = ("in_date", "people", "required", "staff")

    def __init__(self, course_ids: Sequence[str]) -> None:
        self.staff = 0
        self.people = dict.fromkeys(Status, 0)
        self.in_date = dict.fromkeys(course_ids, 0)
        self.required = dict.fromkeys(course_ids, 0)

    def merge(self, other: _Tally) -> None:
        self.staff += other.staff
        for status, count in other.people.items():
            self.people[status] += count
        for course_id, count in other.in_date.items():
            self.in_date[course_id] += count
        for course_id, count in other.required.items():
            self.required[course_id] += count

    def summary(self, name: str, academy: AcademyRef | None, flagged: bool) -> AcademySummary:
        by_requirement = {
            course_id: Rate(self.in_date[course_id], self.required[course_id])
            for course_id in self.required
        }
        return AcademySummary(
            academy=academy,
            name=name,
            staff=self.staff,
            rate=Rate(sum(self.in_date.values()), sum(self.required.values())),
            by_requirement=by_requirement,
            people_by_status=dict(self.people),
            dsl_flagged=flagged,
        )


def _tally(rows: Sequence[PersonRow], course_ids: Sequence[str]) -> dict[int | None, _Tally]:
    """Counts per academy (None: trust central staff) in one pass over everyone."""
    tallies: dict[int | None, _Tally] = {}
    not_required, complete, window_open = Status.NOT_REQUIRED, Status.COMPLETE, Status.WINDOW_OPEN
    for row in rows:
        tally = tallies.get(row.academy_id)
        if tally is None:
            tally = tallies[row.academy_id] = _Tally(course_ids)
        tally.staff += 1
        seen: set[Status] = set()
        for course_id in course_ids:
            cell = row.cells[course_id]
            status = cell.status
            seen.add(status)
            if status is not_required:
                continue
            tally.required[course_id] += 1
            # The same test as ``Cell.in_date``, inlined: it runs for every cell in the trust.
            if status is complete or (status is window_open and cell.valid_until is not None):
                tally.in_date[course_id] += 1
        for status in seen:
            tally.people[status] += 1
    return tallies


def trust_overview(
    session: Session, catalog: Catalog, *, as_of: date, policy_due_days: int = POLICY_DUE_DAYS
) -> TrustOverview:
    """Every academy side by side, from one trust-wide matrix (the same fixed queries)."""
    matrix = academy_matrix(
        session, catalog, academy_id=None, as_of=as_of, policy_due_days=policy_due_days
    )
    return overview_from(matrix)


def overview_from(matrix: Matrix) -> TrustOverview:
    requirements = matrix.all_requirements
    course_ids = [r.course_id for r in requirements]
    tallies = _tally(matrix.everyone, course_ids)
    summaries = [
        tallies.get(a.id, _Tally(course_ids)).summary(a.name, a, a.id in matrix.dsl_flagged)
        for a in matrix.academies
    ]
    if None in tallies:
        summaries.append(tallies[None].summary("Trust central team", None, False))
    # Everyone is in exactly one tally, so the trust's figures are their sums.
    total = _Tally(course_ids)
    for tally in tallies.values():
        total.merge(tally)
    return TrustOverview(
        as_of=matrix.as_of,
        requirements=requirements,
        academies=tuple(summaries),
        total=total.summary("Whole trust", None, False),
        dsl_course_id=matrix.dsl_course_id,
    )


# --- one person -------------------------------------------------------------------------------


def find_person(session: Session, person_id: int, *, academy_id: int | None) -> User | None:
    """A member of staff with a training record, within ``academy_id`` (None: anywhere).

    Leavers are found too, so their history can still be shown; erased people are not.
    """
    query = select(User).where(
        User.id == person_id, User.role.in_(TRAINED_ROLES), User.erased_at.is_(None)
    )
    if academy_id is not None:
        query = query.where(User.academy_id == academy_id)
    return session.scalar(query)


@dataclass(frozen=True)
class HistoryEntry:
    cycle: CourseCycle
    title: str
    recorded_by: str | None


@dataclass(frozen=True)
class PersonRecord:
    person: User
    academy_name: str
    row: PersonRow | None  # None for a leaver, who has no current requirements
    requirements: tuple[Requirement, ...]
    history: tuple[HistoryEntry, ...]
    certificates: tuple[Certificate, ...]
    sign_offs: tuple[PolicySignOff, ...]
    reminders: tuple[Reminder, ...]


def person_record(
    session: Session,
    catalog: Catalog,
    person: User,
    *,
    as_of: date,
    policy_due_days: int = POLICY_DUE_DAYS,
) -> PersonRecord:
    """Everything a DSL needs about one person's training: status, history, proof."""
    matrix = academy_matrix(
        session,
        catalog,
        academy_id=person.academy_id,
        as_of=as_of,
        person_id=person.id,
        policy_due_days=policy_due_days,
    )
    titles = {course.id: course.title for course in catalog.courses}
    recorder = aliased(User)
    history = tuple(
        HistoryEntry(cycle, titles.get(cycle.course_id, cycle.course_id), recorded_by)
        for cycle, recorded_by in session.execute(
            select(CourseCycle, recorder.display_name)
            .outerjoin(recorder, recorder.id == CourseCycle.recorded_by_id)
            .where(CourseCycle.user_id == person.id)
            .order_by(CourseCycle.started_at.desc(), CourseCycle.id.desc())
        )
    )
    certificates = tuple(
        session.scalars(
            select(Certificate)
            .where(Certificate.user_id == person.id)
            .order_by(Certificate.completed_on.desc(), Certificate.id.desc())
        )
    )
    sign_offs = tuple(
        session.scalars(
            select(PolicySignOff)
            .where(PolicySignOff.user_id == person.id)
            .order_by(PolicySignOff.signed_at.desc())
        )
    )
    reminders = tuple(
        session.scalars(
            select(Reminder)
            .where(Reminder.user_id == person.id)
            .order_by(Reminder.sent_at.desc(), Reminder.id.desc())
            .limit(50)
        )
    )
    academy = session.get(Academy, person.academy_id) if person.academy_id else None
    return PersonRecord(
        person=person,
        academy_name=academy.name if academy else "Trust central team",
        row=matrix.everyone[0] if matrix.everyone else None,
        requirements=matrix.all_requirements,
        history=history,
        certificates=certificates,
        sign_offs=sign_offs,
        reminders=reminders,
    )


def offline_courses(catalog: Catalog, person: User) -> list[Course]:
    """Courses a lead may record as done elsewhere for this person: required courses with a
    recurrence in the person's role (a policy sign-off is personal and cannot be recorded)."""
    courses = []
    for requirement in requirements_from(catalog):
        if requirement.kind is RequirementKind.POLICY or person.role not in requirement.roles:
            continue
        course = catalog.course(requirement.course_id)
        if course is not None:
            courses.append(course)
    return courses


# --- subject access requests ------------------------------------------------------------------


@register_exporter(
    "training_reminders",
    tables=("compliance_reminders",),
    guide=SectionGuide(
        "Training reminders",
        "The e-mails sent to remind you that training was due, or to tell your safeguarding "
        "lead it was overdue.",
        {
            "kind": "Which reminder it was: window_open (the training can be renewed now), "
            "due (it is due soon), overdue (it is late; sent weekly), digest (the weekly "
            "summary sent to a safeguarding lead) or chase (sent from the training dashboard "
            "by a safeguarding lead, head teacher or trust administrator).",
            "course": "The course it was about.",
            "about_date": "The due date the reminder was about; for a chase, the day it "
            "was sent from the dashboard.",
            "sent_on": "The day it was sent.",
        },
    ),
)
def export_reminders(session: Session, user_id: int) -> list[dict[str, object]]:
    """The training reminders sent to a person."""
    rows = session.scalars(
        select(Reminder).where(Reminder.user_id == user_id).order_by(Reminder.sent_at)
    )
    return [
        {
            "kind": row.kind.value,
            "course": row.course_id or None,
            "about_date": row.refers_to_on.isoformat(),
            "sent_on": row.sent_on.isoformat(),
        }
        for row in rows
    ]


@register_eraser(tables=("compliance_reminders",))
def erase_reminders(session: Session, user_id: int) -> None:
    """Reminders only serve to avoid sending the same one twice: nothing will be sent to an
    erased person, so the record of what was sent goes."""
    session.execute(delete(Reminder).where(Reminder.user_id == user_id))
