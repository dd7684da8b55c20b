"""Training status for a whole academy or the whole trust, in a fixed number of queries.

:func:`academy_matrix` answers "who has done what, and who is late" as of a given day with
the same handful of SQL statements however many staff there are:

1. the academies in scope;
2. the people in scope (active staff, DSLs and heads);
3. each person's latest completed cycle of each required course (a window function, which
   SQLite and PostgreSQL both run);
4. each person's sign-offs of the policy, grouped (current version and any version);
5. the day each current policy version was first seen.

Everything after that is plain Python over the rows (see :mod:`elearn.compliance.cells`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import case, select
from sqlalchemy.orm import Session

from elearn.auth.models import Academy, User
from elearn.auth.roles import Role, StaffKind
from elearn.catalog.model import Catalog
from elearn.compliance.cells import LAPSED, Cell, CellMemo, Status
from elearn.compliance.queries import (
    latest_completions,
    people_in_scope,
    policy_releases,
    sign_offs,
)
from elearn.compliance.requirements import (
    POLICY_DUE_DAYS,
    TRAINED_ROLES,
    Requirement,
    RequirementKind,
    dsl_course_id,
    requirements_from,
)
from elearn.compliance.rules import uk_date

__all__ = [
    "LAPSED",
    "AcademyRef",
    "Cell",
    "Filters",
    "Matrix",
    "PersonRow",
    "Status",
    "StatusCount",
    "academy_matrix",
]

SORTS_FIXED = ("name", "role", "academy", "start")
ROLE_ORDER = {Role.HEAD: 0, Role.DSL: 1, Role.STAFF: 2}


@dataclass(frozen=True)
class Filters:
    """What a dashboard shows: a status, a course, a role, and the sort order."""

    status: Status | None = None
    course_id: str | None = None
    role: Role | None = None
    sort: str = "name"
    descending: bool = False

    @classmethod
    def parse(cls, args: Mapping[str, str], course_ids: tuple[str, ...] = ()) -> Filters:
        """Read filters from a query string; values that mean nothing are ignored."""
        status = args.get("status") or None
        course = args.get("course") or None
        role = args.get("role") or None
        sort = args.get("sort") or "name"
        return cls(
            status=Status(status) if status in set(Status) else None,
            course_id=course if course in course_ids else None,
            role=Role(role) if role in {r.value for r in TRAINED_ROLES} else None,
            sort=sort if sort in SORTS_FIXED or sort in course_ids else "name",
            descending=args.get("dir") == "desc",
        )

    def query(self, **changes: object) -> dict[str, str]:
        """The query-string values for these filters, with ``changes`` applied."""
        values: dict[str, object] = {
            "status": self.status,
            "course": self.course_id,
            "role": self.role,
            "sort": None if self.sort == "name" else self.sort,
            "dir": "desc" if self.descending else None,
        }
        values.update(changes)
        return {key: str(value) for key, value in values.items() if value}

    @property
    def active(self) -> bool:
        return bool(self.status or self.course_id or self.role)


NO_FILTERS = Filters()


@dataclass(frozen=True)
class AcademyRef:
    id: int
    name: str


@dataclass(frozen=True)
class PersonRow:
    user_id: int
    name: str
    username: str
    email: str | None
    role: Role
    staff_kind: StaffKind | None
    start_on: date | None
    academy_id: int | None
    academy_name: str
    cells: Mapping[str, Cell] = field(hash=False)

    def cell(self, course_id: str) -> Cell:
        return self.cells[course_id]


@dataclass(frozen=True)
class StatusCount:
    """How many people have at least one requirement in a status, and how many requirements."""

    people: int = 0
    cells: int = 0


@dataclass(frozen=True)
class Matrix:
    as_of: date
    academy_id: int | None
    # The columns shown (all requirements, or the one a course filter picked).
    requirements: tuple[Requirement, ...]
    all_requirements: tuple[Requirement, ...]
    # People after the filters, sorted; ``everyone`` is before any filter.
    rows: tuple[PersonRow, ...]
    everyone: tuple[PersonRow, ...]
    counts: Mapping[Status, StatusCount]
    filters: Filters
    academies: tuple[AcademyRef, ...]
    # Academies with no active DSL holding in-date DSL training (only if that course exists).
    dsl_flagged: frozenset[int]
    dsl_course_id: str | None
    # Current policy versions with no recorded first-seen day (counted from ``as_of``).
    unrecorded_policies: tuple[tuple[str, str], ...] = ()

    @property
    def academy_name(self) -> str | None:
        if self.academy_id is None:
            return None
        return next((a.name for a in self.academies if a.id == self.academy_id), None)

    def requirement(self, course_id: str) -> Requirement | None:
        return next((r for r in self.all_requirements if r.course_id == course_id), None)


def academy_matrix(
    session: Session,
    catalog: Catalog,
    *,
    academy_id: int | None,
    as_of: date,
    filters: Filters = NO_FILTERS,
    person_id: int | None = None,
    policy_due_days: int = POLICY_DUE_DAYS,
) -> Matrix:
    """Every in-scope person's status on every requirement as of ``as_of``.

    ``academy_id=None`` means the whole trust; ``person_id`` narrows to one person (for their
    record page). The query count does not depend on the number of people.
    """
    requirements = requirements_from(catalog)
    policies = [r for r in requirements if r.kind is RequirementKind.POLICY]
    courses = [r.course_id for r in requirements if r.kind is not RequirementKind.POLICY]
    scope = people_in_scope(academy_id, person_id)

    academy_query = select(Academy.id, Academy.name).order_by(Academy.name)
    if academy_id is not None:
        academy_query = academy_query.where(Academy.id == academy_id)
    academies = tuple(AcademyRef(id, name) for id, name in session.execute(academy_query))
    names = {a.id: a.name for a in academies}

    people = session.execute(
        select(
            User.id,
            User.display_name,
            User.username,
            User.email,
            User.role,
            User.staff_kind,
            User.start_on,
            # Only needed when there is no start date; skipping it otherwise saves converting
            # thousands of timestamps nobody reads.
            case((User.start_on.is_(None), User.created_at), else_=None),
            User.academy_id,
        )
        .where(*scope)
        .order_by(User.display_name, User.id)
    ).all()
    latest = latest_completions(session, scope, courses, as_of)
    signed = sign_offs(session, scope, policies, as_of)
    released = policy_releases(session, policies)

    memo = CellMemo(released=released, as_of=as_of, due_days=policy_due_days)
    everyone: list[PersonRow] = []
    for user_id, name, username, email, role, kind, start_on, created_at, academy in people:
        counted_from = start_on or uk_date(created_at)
        cells = {
            r.course_id: memo.cell(
                r,
                role=role,
                staff_kind=kind,
                start_on=counted_from,
                latest=latest.get((user_id, r.course_id)),
                signed=signed.get((user_id, r.course_id)),
            )
            for r in requirements
        }
        everyone.append(
            PersonRow(
                user_id=user_id,
                name=name,
                username=username,
                email=email,
                role=role,
                staff_kind=kind,
                start_on=start_on,
                academy_id=academy,
                academy_name=names.get(academy, "Trust central team")
                if academy is not None
                else "Trust central team",
                cells=cells,
            )
        )

    dsl_course = dsl_course_id(catalog)
    flagged: frozenset[int] = frozenset()
    if dsl_course is not None and person_id is None:
        trained = {
            row.academy_id
            for row in everyone
            if row.role is Role.DSL
            and (done := latest.get((row.user_id, dsl_course))) is not None
            and (done.expires_on is None or done.expires_on > as_of)
        }
        flagged = frozenset(a.id for a in academies if a.id not in trained)

    shown = tuple(
        r for r in requirements if filters.course_id is None or r.course_id == filters.course_id
    )
    pool = [row for row in everyone if filters.role is None or row.role is filters.role]
    counts = _counts(pool, shown)
    if filters.status is not None:
        pool = [
            row
            for row in pool
            if any(row.cells[r.course_id].status is filters.status for r in shown)
        ]
    rows = sort_rows(pool, filters)
    return Matrix(
        as_of=as_of,
        academy_id=academy_id,
        requirements=shown,
        all_requirements=requirements,
        rows=tuple(rows),
        everyone=tuple(everyone),
        counts=counts,
        filters=filters,
        academies=academies,
        dsl_flagged=flagged,
        dsl_course_id=dsl_course,
        unrecorded_policies=tuple(
            (r.course_id, r.policy_version or "") for r in policies if r.course_id not in released
        ),
    )


def _counts(rows: list[PersonRow], shown: tuple[Requirement, ...]) -> dict[Status, StatusCount]:
    # Plain integers in one pass: a trust-wide report counts tens of thousands of cells.
    course_ids = [r.course_id for r in shown]
    people = dict.fromkeys(Status, 0)
    cells = dict.fromkeys(Status, 0)
    for row in rows:
        statuses = {row.cells[course_id].status for course_id in course_ids}
        for course_id in course_ids:
            cells[row.cells[course_id].status] += 1
        for status in statuses:
            people[status] += 1
    return {status: StatusCount(people=people[status], cells=cells[status]) for status in Status}


def sort_rows(rows: list[PersonRow], filters: Filters) -> list[PersonRow]:
    """Rows in the order the filters ask for; ties always fall back to name."""
    sort = filters.sort

    def key(row: PersonRow) -> tuple[object, ...]:
        name = (row.name.casefold(), row.user_id)
        if sort == "role":
            return (ROLE_ORDER.get(row.role, 9), *name)
        if sort == "academy":
            return (row.academy_name.casefold(), *name)
        if sort == "start":
            return (row.start_on or date.min, *name)
        if sort in row.cells:
            return (*row.cells[sort].sort_key(), *name)
        return name

    return sorted(rows, key=key, reverse=filters.descending)
