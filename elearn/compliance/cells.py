"""One person's status for one requirement, worked out from dates alone (no database).

The rules, with ``as_of`` the day being reported on:

- **complete**: done and in date (an induction, once done, stays complete);
- **window open** ("due soon"): a renewal whose window has opened but whose expiry has not
  come, or training never done whose first due date is today or ahead (a new starter, a new
  policy version);
- **overdue**: never done and the due date has passed;
- **expired**: was done, and the expiry has come (``expires_on <= as_of``); for the policy,
  an earlier version was signed but not the current one by its due date;
- **not required**: the person's role is not in the audience, or their kind of staff is exempt.

Someone with no start date on record counts from the day their account was created, so an
imported long-serving colleague gets the usual four weeks rather than being overdue at once.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from elearn.compliance.formatting import long_date
from elearn.compliance.requirements import Requirement, RequirementKind
from elearn.compliance.rules import expiry_for_completion, first_due_on, window_opens_on


class Status(StrEnum):
    COMPLETE = "complete"
    WINDOW_OPEN = "window_open"
    OVERDUE = "overdue"
    EXPIRED = "expired"
    NOT_REQUIRED = "not_required"

    @property
    def label(self) -> str:
        return _LABELS[self]

    @property
    def tag(self) -> str:
        """The CSS classes for the status tag (the tag always carries the label too)."""
        return _TAGS[self]

    @property
    def urgency(self) -> int:
        """Most urgent first when sorting: overdue, expired, due soon, complete, not required."""
        return _URGENCY[self]


_LABELS = {
    Status.COMPLETE: "Complete",
    Status.WINDOW_OPEN: "Due soon",
    Status.OVERDUE: "Overdue",
    Status.EXPIRED: "Expired",
    Status.NOT_REQUIRED: "Not required",
}
_TAGS = {
    Status.COMPLETE: "tag tag-good",
    Status.WINDOW_OPEN: "tag tag-warn",
    Status.OVERDUE: "tag tag-bad",
    Status.EXPIRED: "tag tag-bad",
    Status.NOT_REQUIRED: "tag tag-muted",
}
_URGENCY = {
    Status.OVERDUE: 0,
    Status.EXPIRED: 1,
    Status.WINDOW_OPEN: 2,
    Status.COMPLETE: 3,
    Status.NOT_REQUIRED: 4,
}

# Statuses that need someone to act now.
LAPSED = frozenset({Status.OVERDUE, Status.EXPIRED})


@dataclass(frozen=True)
class Cell:
    """A person's standing on one requirement, with the sentence that explains it."""

    status: Status
    label: str
    due_on: date | None = None
    valid_until: date | None = None
    last_completed_on: date | None = None
    # When the current "due soon" period began: the renewal window, or the start of a new
    # starter's (or a new policy version's) time to do it. Reminders count from here.
    opens_on: date | None = None

    @property
    def required(self) -> bool:
        return self.status is not Status.NOT_REQUIRED

    @property
    def in_date(self) -> bool:
        """Covered by a valid completion today (complete, or renewable but not yet expired)."""
        return self.status is Status.COMPLETE or (
            self.status is Status.WINDOW_OPEN and self.valid_until is not None
        )

    @property
    def detail(self) -> str:
        """The label without its leading status word, e.g. "valid until 3 March 2027"."""
        return self.label.split(" — ", 1)[1] if " — " in self.label else ""

    def sort_key(self) -> tuple[int, date]:
        return (self.status.urgency, self.due_on or self.last_completed_on or date.max)


NOT_REQUIRED = Cell(Status.NOT_REQUIRED, "Not required")


@dataclass(frozen=True)
class Completion:
    """The latest completion of a course by one person."""

    completed_on: date
    expires_on: date | None


@dataclass(frozen=True)
class SignOffs:
    """One person's sign-offs of a policy: the current version's date, and any earlier one."""

    current_on: date | None
    signed_any: bool


def course_cell(
    requirement: Requirement,
    *,
    start_on: date,
    latest: Completion | None,
    as_of: date,
) -> Cell:
    """Status for an induction or recurring course."""
    recurrence = requirement.recurrence
    assert recurrence is not None, "course_cell is for courses with a recurrence"
    if latest is not None:
        done = latest.completed_on
        expires = latest.expires_on
        if recurrence.kind == "recurring" and expires is None:
            # A completion recorded before the course became recurring: count from its date.
            expires = expiry_for_completion(recurrence, done, None)
        if expires is None:
            return Cell(
                Status.COMPLETE, f"Complete — done {long_date(done)}", last_completed_on=done
            )
        common = {"due_on": expires, "valid_until": expires, "last_completed_on": done}
        if expires <= as_of:
            return Cell(Status.EXPIRED, f"Expired — lapsed {long_date(expires)}", **common)
        opens = window_opens_on(recurrence, expires)
        if opens <= as_of:
            return Cell(
                Status.WINDOW_OPEN,
                f"Due soon — renew by {long_date(expires)}",
                opens_on=opens,
                **common,
            )
        return Cell(
            Status.COMPLETE,
            f"Complete — valid until {long_date(expires)}",
            opens_on=opens,
            **common,
        )
    due = first_due_on(recurrence, start_on)
    assert due is not None
    if due < as_of:
        return Cell(Status.OVERDUE, f"Overdue — was due {long_date(due)}", due_on=due)
    return Cell(
        Status.WINDOW_OPEN, f"Due soon — by {long_date(due)}", due_on=due, opens_on=start_on
    )


def policy_cell(
    requirement: Requirement,
    *,
    start_on: date,
    signed: SignOffs | None,
    released_on: date,
    as_of: date,
    due_days: int,
) -> Cell:
    """Status for the policy sign-off: the current version, due ``due_days`` after the later
    of the person's start and the day the version first appeared."""
    version = requirement.policy_version or ""
    if signed is not None and signed.current_on is not None:
        day = signed.current_on
        return Cell(
            Status.COMPLETE,
            f"Complete — version {version} signed {long_date(day)}",
            last_completed_on=day,
        )
    opens = max(start_on, released_on)
    due = opens + timedelta(days=due_days)
    if due < as_of:
        if signed is not None and signed.signed_any:
            return Cell(
                Status.EXPIRED, f"Expired — version {version} was due {long_date(due)}", due_on=due
            )
        return Cell(Status.OVERDUE, f"Overdue — was due {long_date(due)}", due_on=due)
    return Cell(
        Status.WINDOW_OPEN,
        f"Due soon — sign version {version} by {long_date(due)}",
        due_on=due,
        opens_on=opens,
    )


def requirement_cell(
    requirement: Requirement,
    *,
    role: object,
    staff_kind: object,
    start_on: date,
    latest: Completion | None = None,
    signed: SignOffs | None = None,
    released_on: date | None = None,
    as_of: date,
    due_days: int,
) -> Cell:
    """The cell for any requirement, including "not required" for people it does not cover."""
    if not requirement.applies_to(role, staff_kind):  # type: ignore[arg-type]
        if latest is not None:
            return Cell(
                Status.NOT_REQUIRED,
                f"Not required — done {long_date(latest.completed_on)}",
                last_completed_on=latest.completed_on,
            )
        return NOT_REQUIRED
    if requirement.kind is RequirementKind.POLICY:
        return policy_cell(
            requirement,
            start_on=start_on,
            signed=signed,
            released_on=released_on or as_of,
            as_of=as_of,
            due_days=due_days,
        )
    return course_cell(requirement, start_on=start_on, latest=latest, as_of=as_of)


class CellMemo:
    """:func:`requirement_cell` for one report, remembering each answer by its inputs.

    A report covers thousands of people but most of them share a role, a kind of staff and
    one of a few completion dates per cohort, so the same cell comes up again and again;
    working each one out (and formatting its dates) once keeps a trust-wide report fast.
    Inputs that cannot change the answer are left out of the key, so more people share it.
    Cells are frozen, so handing the same one to many people is safe.
    """

    def __init__(self, *, released: Mapping[str, date], as_of: date, due_days: int) -> None:
        self._released = released
        self._as_of = as_of
        self._due_days = due_days
        self._cells: dict[tuple[object, ...], Cell] = {}

    def cell(
        self,
        requirement: Requirement,
        *,
        role: object,
        staff_kind: object,
        start_on: date,
        latest: Completion | None,
        signed: SignOffs | None,
    ) -> Cell:
        applies = requirement.applies_to(role, staff_kind)  # type: ignore[arg-type]
        course_id = requirement.course_id
        if not applies or requirement.kind is not RequirementKind.POLICY:
            # Not required: only the latest completion shows. A course done: only its dates
            # count. A course never done: only the start date counts.
            key: tuple[object, ...] = (
                course_id,
                applies,
                latest,
                start_on if applies and latest is None else None,
            )
        else:
            # The policy: a current sign-off decides alone; otherwise the start date and
            # whether an earlier version was signed.
            current = signed.current_on if signed is not None else None
            key = (
                course_id,
                applies,
                current,
                start_on if current is None else None,
                signed is not None and signed.signed_any,
            )
        found = self._cells.get(key)
        if found is None:
            found = requirement_cell(
                requirement,
                role=role,
                staff_kind=staff_kind,
                start_on=start_on,
                latest=latest,
                signed=signed,
                released_on=self._released.get(course_id),
                as_of=self._as_of,
                due_days=self._due_days,
            )
            self._cells[key] = found
        return found
