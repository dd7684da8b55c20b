"""What compliance stores itself: reminders already sent, and when each policy version appeared.

Statuses (complete, due soon, overdue, expired) are never stored: they are worked out from
the learning records whenever they are needed, so they can never go stale.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Date, Enum, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from elearn.db import Base, utcnow

# The course id recorded for a digest, which is about a whole academy rather than one course.
DIGEST_COURSE = ""


class ReminderKind(StrEnum):
    WINDOW_OPEN = "window_open"
    DUE = "due"
    OVERDUE = "overdue"
    DIGEST = "digest"
    # Sent from the dashboard by a DSL, head or trust admin, on the day it refers to.
    CHASE = "chase"


class Reminder(Base):
    """One reminder e-mail item that was accepted by the mail server.

    The unique key is what makes a reminder go out once: the person, the course, the kind and
    the due date or expiry it is about (a renewal has a new expiry, so it is a new reminder),
    plus ``repeat``, which counts the weeks of an overdue spell so that overdue reminders
    repeat weekly and nothing else does. A digest is keyed by its recipient and the Monday of
    its week.

    The second unique key, one row per person, course and day, is the claim that keeps a
    reminder to once a day even when two runs (two app servers' cron, or the dashboard and
    cron) try at the same moment: the row is inserted and committed before the e-mail goes,
    so the second run finds the first one's claim and sends nothing.
    """

    __tablename__ = "compliance_reminders"
    __table_args__ = (
        UniqueConstraint("user_id", "course_id", "kind", "refers_to_on", "repeat"),
        UniqueConstraint("user_id", "course_id", "sent_on", name="uq_compliance_reminders_day"),
        Index("ix_compliance_reminders_sent_on", "sent_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    course_id: Mapped[str] = mapped_column(String(80))
    kind: Mapped[ReminderKind] = mapped_column(
        Enum(
            ReminderKind,
            native_enum=False,
            length=20,
            values_callable=lambda members: [m.value for m in members],
        )
    )
    # The due date (or expiry) the reminder is about; for a digest, the Monday of its week.
    refers_to_on: Mapped[date] = mapped_column(Date)
    repeat: Mapped[int] = mapped_column(Integer, default=0)
    sent_on: Mapped[date] = mapped_column(Date)
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)


class PolicyRelease(Base):
    """The day a policy version was first seen, which its sign-off due date counts from."""

    __tablename__ = "compliance_policy_releases"
    __table_args__ = (UniqueConstraint("course_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[str] = mapped_column(String(80))
    version: Mapped[str] = mapped_column(String(40))
    first_seen_on: Mapped[date] = mapped_column(Date)
