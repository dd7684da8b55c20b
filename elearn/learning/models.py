"""Learning records: each person's cycles through a course, lessons read, certificates, sign-offs.

A cycle is one pass through a course with its own xAPI registration. Recurring training
(e.g. the annual refresher) gets a new cycle each time round; old cycles are never changed,
so the history of every year stays.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Date, Enum, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from elearn.auth.models import User
from elearn.db import Base, utcnow


def new_registration() -> str:
    return str(uuid.uuid4())


class CompletionSource(StrEnum):
    ONLINE = "online"
    # Training done elsewhere (an INSET day, an external DSL course) that a lead records.
    OFFLINE = "offline"


class CourseCycle(Base):
    __tablename__ = "course_cycles"
    __table_args__ = (
        Index("ix_course_cycles_user_course", "user_id", "course_id", "started_at"),
        Index("ix_course_cycles_course_completed", "course_id", "completed_on"),
        # The compliance reports' latest completion per person and course: lets the database
        # start from the report's people and read each one's completions in date order,
        # rather than walk every completion in the trust and drop other academies' people.
        Index("ix_course_cycles_user_course_completed", "user_id", "course_id", "completed_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    course_id: Mapped[str] = mapped_column(String(80))
    course_version: Mapped[int] = mapped_column(Integer)
    registration: Mapped[str] = mapped_column(String(36), unique=True, default=new_registration)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column()
    # The UK calendar date of completion, which due dates and expiry count from.
    completed_on: Mapped[date | None] = mapped_column(Date)
    # None for training that does not expire (induction, pupil and parent courses).
    expires_on: Mapped[date | None] = mapped_column(Date)
    source: Mapped[CompletionSource] = mapped_column(
        Enum(
            CompletionSource,
            native_enum=False,
            length=20,
            values_callable=lambda members: [m.value for m in members],
        ),
        default=CompletionSource.ONLINE,
    )
    evidence_note: Mapped[str | None] = mapped_column(Text)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    lessons_read: Mapped[list[LessonRead]] = relationship(
        back_populates="cycle", cascade="all, delete-orphan", order_by="LessonRead.read_at"
    )

    @property
    def is_complete(self) -> bool:
        return self.completed_at is not None


class LessonRead(Base):
    """The first time someone opened a lesson in a cycle (re-reading records nothing new)."""

    __tablename__ = "lesson_reads"
    __table_args__ = (UniqueConstraint("cycle_id", "lesson_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("course_cycles.id", ondelete="CASCADE"))
    lesson_id: Mapped[str] = mapped_column(String(120))
    read_at: Mapped[datetime] = mapped_column(default=utcnow)

    cycle: Mapped[CourseCycle] = relationship(back_populates="lessons_read")


class Certificate(Base):
    """Proof of a completed cycle, checkable by anyone who has its code."""

    __tablename__ = "certificates"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    cycle_id: Mapped[int] = mapped_column(
        ForeignKey("course_cycles.id", ondelete="CASCADE"), unique=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # Copied at issue time: a certificate states what was true when it was earned. None once
    # the holder's details are erased: the code still proves the training was done.
    holder_name: Mapped[str | None] = mapped_column(String(200))
    course_title: Mapped[str] = mapped_column(String(200))
    completed_on: Mapped[date] = mapped_column(Date)
    expires_on: Mapped[date | None] = mapped_column(Date)
    issued_at: Mapped[datetime] = mapped_column(default=utcnow)

    cycle: Mapped[CourseCycle] = relationship()


class PolicySignOff(Base):
    """A staff member's confirmation that they have read and understood one policy version."""

    __tablename__ = "policy_sign_offs"
    __table_args__ = (UniqueConstraint("user_id", "policy_version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    course_id: Mapped[str] = mapped_column(String(80))
    policy_version: Mapped[str] = mapped_column(String(40))
    statement: Mapped[str] = mapped_column(Text)
    signed_at: Mapped[datetime] = mapped_column(default=utcnow)
