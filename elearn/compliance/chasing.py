"""Reminders a DSL, head or trust admin sends from the dashboard ("Send a reminder").

Either to one person, about everything they have to do, or to everyone overdue in the
dashboard's current view, about what is overdue or expired. The e-mail is the same one the
scheduled run sends and each item is recorded as a reminder like the scheduled ones (with
:attr:`~elearn.compliance.models.ReminderKind.CHASE`), so nobody hears about the same course
twice in one day, whoever sent it: what was sent today already is left out and listed, so the
page can say so.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import partial

from sqlalchemy import select
from sqlalchemy.orm import Session

from elearn.catalog.model import Catalog
from elearn.compliance.cells import LAPSED, Cell, Status
from elearn.compliance.formatting import long_date
from elearn.compliance.models import Reminder, ReminderKind
from elearn.compliance.reminders import Item, Outgoing, personal_mail
from elearn.compliance.requirements import POLICY_DUE_DAYS, Requirement
from elearn.compliance.status import Filters, PersonRow, academy_matrix

# What a reminder to one person is about: anything they have to do now.
TO_DO = frozenset({*LAPSED, Status.WINDOW_OPEN})


@dataclass(frozen=True)
class Skipped:
    """Someone the reminder does not go to (or not about everything), and why."""

    user_id: int
    name: str
    # The courses they were reminded about today already; empty when they have no e-mail.
    reminded_today: tuple[str, ...] = ()

    @property
    def no_email(self) -> bool:
        return not self.reminded_today


@dataclass(frozen=True)
class ChasePlan:
    as_of: date
    messages: tuple[Outgoing, ...]
    skipped: tuple[Skipped, ...] = ()

    @property
    def nobody(self) -> bool:
        return not self.messages


def _text(requirement: Requirement, cell: Cell) -> str:
    if cell.status in LAPSED or cell.due_on is None:
        return f"{requirement.title}: {cell.label}."
    return f"{requirement.title}: due by {long_date(cell.due_on)}."


def plan_chase(
    session: Session,
    catalog: Catalog,
    *,
    academy_id: int | None,
    as_of: date,
    trust_name: str,
    base_url: str,
    filters: Filters | None = None,
    user_id: int | None = None,
    policy_due_days: int = POLICY_DUE_DAYS,
) -> ChasePlan:
    """The e-mails "Send a reminder" would send now. Reads only.

    With ``user_id``: that person (who must be in ``academy_id``'s staff, or the trust's when
    it is None), about everything to do. Without: everyone in the filtered view with
    something overdue or expired, about that (only the filtered course, if there is one).
    """
    matrix = academy_matrix(
        session,
        catalog,
        academy_id=academy_id,
        as_of=as_of,
        filters=filters or Filters(),
        policy_due_days=policy_due_days,
    )
    if user_id is not None:
        rows = [row for row in matrix.everyone if row.user_id == user_id]
        requirements, statuses = matrix.all_requirements, TO_DO
    else:
        # The view's columns: every requirement, or the one a course filter picked.
        rows = list(matrix.rows)
        requirements, statuses = matrix.requirements, frozenset(LAPSED)
    wanted: list[tuple[PersonRow, list[Item]]] = []
    for row in rows:
        items = [
            Item(row.user_id, r.course_id, ReminderKind.CHASE, as_of, 0, _text(r, cell))
            for r in requirements
            if (cell := row.cell(r.course_id)).status in statuses
        ]
        if items:
            wanted.append((row, items))

    today = _reminded_on(session, [row.user_id for row, _ in wanted], as_of)
    titles = {r.course_id: r.title for r in matrix.all_requirements}
    messages: list[Outgoing] = []
    skipped: list[Skipped] = []
    for row, items in wanted:
        if not row.email:
            skipped.append(Skipped(row.user_id, row.name))
            continue
        fresh = [item for item in items if (row.user_id, item.course_id) not in today]
        done = [titles[item.course_id] for item in items if item not in fresh]
        if done:
            skipped.append(Skipped(row.user_id, row.name, tuple(done)))
        if fresh:
            compose = partial(personal_mail, row, trust_name=trust_name, base_url=base_url)
            messages.append(
                Outgoing(
                    row.user_id,
                    row.name,
                    row.email,
                    compose(fresh),
                    tuple(fresh),
                    compose,
                    row.academy_id,
                )
            )
    return ChasePlan(as_of, tuple(messages), tuple(skipped))


def _reminded_on(session: Session, user_ids: list[int], day: date) -> set[tuple[int, str]]:
    found: set[tuple[int, str]] = set()
    for start in range(0, len(user_ids), 500):
        chunk = user_ids[start : start + 500]
        rows = session.execute(
            select(Reminder.user_id, Reminder.course_id).where(
                Reminder.user_id.in_(chunk), Reminder.sent_on == day
            )
        )
        found.update((user_id, course_id) for user_id, course_id in rows)
    return found
