"""A course cycle's state as both the lesson and the quiz services read it.

The learning services decide when a cycle is complete from the lessons read and the quiz's
attempts; the quiz services start and finish those attempts inside a cycle. What both need
lives here, below both, so neither imports the other's module to ask.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

from sqlalchemy import CompoundSelect, bindparam, null, select, union_all
from sqlalchemy.orm import Session

from elearn.learning.models import LessonRead
from elearn.quiz.models import QuizAttempt, score_percent


def summarise_attempts(
    rows: Sequence[tuple[bool | None, float | None, float | None]],
) -> tuple[bool, int | None, int]:
    """(passed, best score in percent, attempts) from each attempt's (passed, raw, max)."""
    scores = [score_percent(raw, top) for _, raw, top in rows if raw is not None and top]
    return any(passed for passed, _, _ in rows), max(scores, default=None), len(rows)


def cycle_state(session: Session, cycle_id: int) -> tuple[set[str], tuple[bool, int | None, int]]:
    """The lessons read in a cycle and its quiz attempts' summary, in one round trip (every
    course and lesson page asks for both)."""
    read: set[str] = set()
    attempt_rows: list[tuple[bool | None, float | None, float | None]] = []
    for lesson_id, passed, raw, top in session.execute(_cycle_state_query(), {"cycle": cycle_id}):
        if lesson_id is not None:
            read.add(lesson_id)
        else:
            attempt_rows.append((passed, raw, top))
    return read, summarise_attempts(attempt_rows)


@cache
def _cycle_state_query() -> CompoundSelect:
    # Every course and lesson page asks this: built once, the cycle as a parameter. Attempts
    # first: a UNION's column types (and so the result conversions) are its first SELECT's.
    attempts = select(
        null().label("lesson_id"), QuizAttempt.passed, QuizAttempt.score_raw, QuizAttempt.score_max
    ).where(QuizAttempt.cycle_id == bindparam("cycle"))
    reads = select(LessonRead.lesson_id, null(), null(), null()).where(
        LessonRead.cycle_id == bindparam("cycle")
    )
    return union_all(attempts, reads)
