"""Pupils with learning histories, written straight through the models (in bulk when large)."""

from __future__ import annotations

from datetime import UTC, datetime

from elearn.auth.models import Academy, User
from elearn.auth.roles import Role
from elearn.learning.models import CourseCycle, LessonRead
from elearn.quiz.models import AttemptState, QuizAttempt
from tests.factories import _PASSWORD_HASH as PASSWORD_HASH

LESSONS = ("01-safe", "02-meeting", "03-accepting", "04-reliable", "05-tell")


def at(day: int, hour: int = 10) -> datetime:
    return datetime(2026, 11, day, hour, tzinfo=UTC)


def history(session, pupil: User, *, lessons: int, scores: tuple[float, ...] = (), finished=False):
    """A cycle of smart-ks2 with the first ``lessons`` lessons read and quiz attempts scored
    out of 5 (4 or more passes)."""
    cycle = CourseCycle(
        user_id=pupil.id,
        course_id="smart-ks2",
        course_version=1,
        started_at=at(2),
        completed_at=at(20) if finished else None,
        completed_on=at(20).date() if finished else None,
    )
    session.add(cycle)
    session.flush()
    for n, lesson_id in enumerate(LESSONS[:lessons]):
        session.add(LessonRead(cycle_id=cycle.id, lesson_id=lesson_id, read_at=at(3 + n)))
    for n, raw in enumerate(scores, start=1):
        session.add(
            QuizAttempt(
                cycle_id=cycle.id,
                user_id=pupil.id,
                course_id="smart-ks2",
                number=n,
                state=AttemptState.SUBMITTED,
                draw=[],
                pass_mark=80,
                started_at=at(10 + n, 9),
                submitted_at=at(10 + n),
                score_raw=raw,
                score_max=5.0,
                passed=raw >= 4,
            )
        )
    return cycle


def pupils_academy(session, name: str, size: int) -> Academy:
    """An academy of ``size`` Year 5 pupils: a third untouched, a third part-way, a third done."""
    academy = Academy(name=name, code=name.lower().replace(" ", "-"))
    session.add(academy)
    session.flush()
    pupils = [
        User(
            username=f"{academy.code}-{n}",
            display_name=f"Pupil {n:04d} {name}",
            role=Role.PUPIL,
            academy_id=academy.id,
            year_group=5,
            password_hash=PASSWORD_HASH,
        )
        for n in range(size)
    ]
    session.add_all(pupils)
    session.flush()
    for n, pupil in enumerate(pupils):
        if n % 3 == 1:
            history(session, pupil, lessons=3, scores=(2.0,))
        elif n % 3 == 2:
            history(session, pupil, lessons=5, scores=(3.0, 5.0), finished=True)
    session.commit()
    return academy
