"""Quiz attempts and the answers given in them."""

from __future__ import annotations

import math
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Enum, Float, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from elearn.db import Base, utcnow
from elearn.learning.models import CourseCycle


def score_percent(raw: float, top: float) -> int:
    """A score as a whole percentage, rounded down so 74.6% never reads as a 75% pass mark."""
    return math.floor(100 * raw / top + 1e-9)


class AttemptState(StrEnum):
    IN_PROGRESS = "in_progress"
    SUBMITTED = "submitted"
    # The time limit ran out before the attempt was submitted; graded on what was saved.
    TIMED_OUT = "timed_out"


class QuizAttempt(Base):
    __tablename__ = "quiz_attempts"
    __table_args__ = (
        UniqueConstraint("cycle_id", "number"),
        Index("ix_quiz_attempts_user_course", "user_id", "course_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("course_cycles.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    course_id: Mapped[str] = mapped_column(String(80))
    number: Mapped[int] = mapped_column(Integer)
    state: Mapped[AttemptState] = mapped_column(
        Enum(
            AttemptState,
            native_enum=False,
            length=20,
            values_callable=lambda members: [m.value for m in members],
        ),
        default=AttemptState.IN_PROGRESS,
    )
    # The questions drawn, as GIFT snapshots with the order their options were shown in, so a
    # reload shows the same quiz and grading uses the question as it was asked.
    draw: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    pass_mark: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    deadline_at: Mapped[datetime | None] = mapped_column()
    submitted_at: Mapped[datetime | None] = mapped_column()
    score_raw: Mapped[float | None] = mapped_column(Float)
    score_max: Mapped[float | None] = mapped_column(Float)
    passed: Mapped[bool | None] = mapped_column()

    cycle: Mapped[CourseCycle] = relationship()
    answers: Mapped[list[AttemptAnswer]] = relationship(
        back_populates="attempt", cascade="all, delete-orphan", order_by="AttemptAnswer.position"
    )

    @property
    def is_open(self) -> bool:
        return self.state is AttemptState.IN_PROGRESS

    @property
    def percent(self) -> int | None:
        if self.score_raw is None or not self.score_max:
            return None
        return score_percent(self.score_raw, self.score_max)


class AttemptAnswer(Base):
    """One graded answer. Written once: an answer is never changed after it is saved."""

    __tablename__ = "attempt_answers"
    __table_args__ = (UniqueConstraint("attempt_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("quiz_attempts.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    question_id: Mapped[str] = mapped_column(String(120))
    response: Mapped[Any] = mapped_column(JSON)
    response_text: Mapped[str] = mapped_column(String(2000))
    fraction: Mapped[float] = mapped_column(Float)
    success: Mapped[bool] = mapped_column()
    feedback: Mapped[list[str]] = mapped_column(JSON, default=list)
    answered_at: Mapped[datetime] = mapped_column(default=utcnow)

    attempt: Mapped[QuizAttempt] = relationship(back_populates="answers")
