"""Date rules for required training: when it falls due, when it expires, when renewal opens.

Pure functions of dates and a course's :class:`~elearn.catalog.schema.Recurrence`; nothing
here touches the database, so the completion code, the dashboard and the reminders all agree.

The model follows mature compliance systems: completing sets an expiry of base + the active
period, and a renewal window opens a set number of days before that expiry. The base is the
completion date, or (for ``expiry_from: previous_expiry``) the previous expiry when the
person renews on time, so renewing early never shortens the next cycle and never lengthens
it either. A renewal after a lapse restarts from the completion date.

Dates are calendar dates in the UK: a completion at 23:30 UTC on a summer evening happened
the next day in London, and it is the London date that counts.
"""

from __future__ import annotations

import calendar
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from elearn.catalog.schema import Recurrence

UK = ZoneInfo("Europe/London")


def uk_date(moment: datetime) -> date:
    """The Europe/London calendar date of an aware time (naive times are refused)."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("uk_date needs an aware datetime; naive times have no known zone")
    return moment.astimezone(UK).date()


def add_months(day: date, months: int) -> date:
    """``day`` moved by whole calendar months, kept inside the target month.

    29 February + 12 months is 28 February; 31 January + 1 month is the last day of February.
    """
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    last = calendar.monthrange(year, month)[1]
    return date(year, month, min(day.day, last))


def counts_from_previous_expiry(recurrence: Recurrence | None) -> bool:
    """Whether a completion's expiry can depend on the expiry of the one before it."""
    return (
        recurrence is not None
        and recurrence.kind == "recurring"
        and recurrence.valid_months is not None
        and recurrence.expiry_from == "previous_expiry"
    )


def expiry_for_completion(
    recurrence: Recurrence | None,
    completed_on: date,
    previous_expires_on: date | None,
) -> date | None:
    """The expiry a completion on ``completed_on`` earns; None when the training never expires.

    ``previous_expires_on`` is the expiry of the person's latest earlier completion of the
    same course (None for a first completion).
    """
    if recurrence is None or recurrence.kind != "recurring" or recurrence.valid_months is None:
        return None
    base = completed_on
    if (
        counts_from_previous_expiry(recurrence)
        and previous_expires_on is not None
        and completed_on <= previous_expires_on
    ):
        base = previous_expires_on
    return add_months(base, recurrence.valid_months)


def first_due_on(recurrence: Recurrence, start_on: date | None) -> date | None:
    """When someone who has never done the course must have done it by; None without a start."""
    if start_on is None:
        return None
    return start_on + timedelta(days=recurrence.due_days_after_start)


def window_opens_on(recurrence: Recurrence, expires_on: date) -> date:
    """The first day a renewal is due soon: ``window_days`` before expiry.

    A course with no window (an induction) opens on the expiry day itself.
    """
    return expires_on - timedelta(days=recurrence.window_days or 0)
