"""Prepared work for the write scenarios: quiz attempts waiting to be submitted, and so on.

A quiz submit can only happen once per attempt, so a load test of submits needs one open
attempt per request. The runner makes them in bulk before wrk starts (the Lua script
follows no flow: each request file line is a different attempt, used once) and sizes the
pool from the rate it expects; if wrk runs past the end of a pool, the run is repeated with
a bigger one. What each submit then does is exactly what a learner's submit does: grade,
write the answers and their ``answered`` statements, the ``passed`` statement, and complete
the course (lessons were all read beforehand) with its ``completed`` statement.

* Staff refresher submit: an in-progress attempt of ``safeguarding-refresher`` (12
  questions, marked after submission) on its own new cycle for an existing member of staff.
* Pupil last answer: a SMART quiz (immediate feedback, one question at a time) with all
  but the last question answered; the last answer finishes, passes and completes it.
* Pupil quiz start: a pupil who has not started the quiz; starting draws the questions and
  records ``attempted``.

Pool pupils are new accounts in academy 1; they are pupils, so no staff dashboard counts them.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import Engine, func, insert, select

from bench.seed import PASSWORD, fix_sequences
from bench.sessions import BrowserSession, SessionMinter
from elearn.auth.models import User
from elearn.auth.roles import Role
from elearn.catalog.gift import QuestionType
from elearn.catalog.model import Course
from elearn.learning.models import CourseCycle, LessonRead
from elearn.quiz.draw import DrawnQuestion, draw_questions, field_name, raw_response
from elearn.quiz.grading import grade, validate_response
from elearn.quiz.models import AttemptAnswer, AttemptState, QuizAttempt

CHUNK = 5_000


# --- right answers ------------------------------------------------------------------------------


def right_answer(drawn: DrawnQuestion) -> dict[str, list[str]]:
    """Form fields that answer one drawn question fully right, as a browser would post them."""
    question = drawn.question
    name = field_name(drawn.position)
    if question.qtype is QuestionType.MATCHING:
        return {f"{name}_m{i}": [pair.right] for i, pair in enumerate(question.pairs)}
    if question.is_choice:
        good = [
            str(display)
            for display, index in enumerate(drawn.order)
            if question.choices[index].fraction > 0
        ]
        if question.qtype is not QuestionType.MULTIRESPONSE:
            best = max(drawn.order, key=lambda index: question.choices[index].fraction)
            good = [str(drawn.order.index(best))]
        return {name: good}
    if question.qtype is QuestionType.TRUEFALSE:
        answer = question.truefalse
        return {name: ["true" if answer is None or answer.correct else "false"]}
    if question.qtype is QuestionType.NUMERICAL:
        for answer in question.numerical_answers:
            if answer.is_correct and answer.value is not None:
                return {name: [f"{answer.value:g}"]}
    correct = question.correct_answers
    text = getattr(correct[0], "text", "") if correct else ""
    return {name: [text]}


@dataclass(frozen=True)
class GradedAnswer:
    question_id: str
    response: Any
    response_text: str
    fraction: float
    success: bool
    feedback: list[str]


@dataclass(frozen=True)
class QuizPlan:
    """One fixed draw of a course's quiz, with a fully right answer to every question."""

    course: Course
    drawn: list[DrawnQuestion]
    forms: dict[int, dict[str, list[str]]]
    graded: dict[int, GradedAnswer]

    @property
    def snapshot(self) -> list[dict[str, Any]]:
        return [d.snapshot() for d in self.drawn]

    def body(self, positions: Sequence[int], csrf: str) -> str:
        fields: list[tuple[str, str]] = [("csrf_token", csrf)]
        for position in positions:
            for name, values in self.forms[position].items():
                fields.extend((name, value) for value in values)
        return urlencode(fields)


def plan_quiz(course: Course, seed: int = 7) -> QuizPlan:
    if course.quiz is None:
        raise ValueError(f"{course.id} has no quiz")
    drawn = draw_questions(course.questions, course.quiz, random.Random(seed))
    forms: dict[int, dict[str, list[str]]] = {}
    graded: dict[int, GradedAnswer] = {}
    for each in drawn:
        form = right_answer(each)
        response = validate_response(each.question, raw_response(each, form))
        result = grade(each.question, response)
        if not result.success:
            raise ValueError(f"no fully right answer found for {each.question.id}")
        forms[each.position] = form
        stored = sorted(response) if isinstance(response, tuple | set | frozenset) else response
        if isinstance(stored, dict):
            stored = {str(k): v for k, v in stored.items()}
        graded[each.position] = GradedAnswer(
            each.question.id,
            stored,
            result.response_text[:2000],
            result.fraction,
            result.success,
            list(result.feedback),
        )
    return QuizPlan(course, drawn, forms, graded)


# --- bulk rows ----------------------------------------------------------------------------------


def _next_id(engine: Engine, column: Any) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.coalesce(func.max(column), 0))).scalar_one()) + 1


def _insert(engine: Engine, table: Any, rows: list[dict[str, Any]]) -> None:
    for start in range(0, len(rows), CHUNK):
        with engine.begin() as conn:
            conn.execute(insert(table), rows[start : start + CHUNK])


def _registration(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


class PoolMaker:
    """Makes pool rows with ids it assigns itself, then moves PostgreSQL's sequences on."""

    def __init__(self, engine: Engine, minter: SessionMinter, *, academy_id: int = 1) -> None:
        self.engine = engine
        self.minter = minter
        self.academy_id = academy_id
        self.rng = random.Random()

    def new_pupils(self, count: int, *, year_group: int, now: datetime) -> list[int]:
        from elearn.auth.passwords import hash_password

        first = _next_id(self.engine, User.id)
        password_hash = hash_password(PASSWORD)
        rows = [
            {
                "id": first + n,
                "username": f"pool{first + n}",
                "display_name": f"Pool Pupil {first + n}",
                "role": Role.PUPIL,
                "academy_id": self.academy_id,
                "year_group": year_group,
                "active": True,
                "password_hash": password_hash,
                "xapi_id": f"{self.rng.getrandbits(128):032x}",
                "created_at": now,
                "updated_at": now,
            }
            for n in range(count)
        ]
        _insert(self.engine, User.__table__, rows)
        fix_sequences(self.engine)
        return [row["id"] for row in rows]

    def attempts(
        self,
        plan: QuizPlan,
        people: Sequence[BrowserSession],
        count: int,
        *,
        answered: int,
        now: datetime,
    ) -> list[tuple[BrowserSession, int]]:
        """``count`` open attempts, each on its own new cycle with every lesson read and the
        first ``answered`` questions already answered. People are reused in turn."""
        course = plan.course
        cycle_id = _next_id(self.engine, CourseCycle.id)
        attempt_id = _next_id(self.engine, QuizAttempt.id)
        read_id = _next_id(self.engine, LessonRead.id)
        answer_id = _next_id(self.engine, AttemptAnswer.id)
        cycles, reads, attempts, answers = [], [], [], []
        made: list[tuple[BrowserSession, int]] = []
        snapshot = plan.snapshot
        started = now - timedelta(minutes=5)
        limit = course.quiz.time_limit_minutes if course.quiz else None
        for n in range(count):
            person = people[n % len(people)]
            cycles.append(
                {
                    "id": cycle_id,
                    "user_id": person.user_id,
                    "course_id": course.id,
                    "course_version": course.version,
                    "registration": _registration(self.rng),
                    "started_at": started - timedelta(hours=1),
                }
            )
            for lesson in course.lessons:
                reads.append(
                    {
                        "id": read_id,
                        "cycle_id": cycle_id,
                        "lesson_id": lesson.id,
                        "read_at": started,
                    }
                )
                read_id += 1
            attempts.append(
                {
                    "id": attempt_id,
                    "cycle_id": cycle_id,
                    "user_id": person.user_id,
                    "course_id": course.id,
                    "number": 1,
                    "state": AttemptState.IN_PROGRESS,
                    "draw": snapshot,
                    "pass_mark": course.quiz.pass_mark if course.quiz else 0,
                    "started_at": started,
                    # A generous deadline so a long run never times an attempt out.
                    "deadline_at": now + timedelta(hours=12) if limit else None,
                }
            )
            for position in range(1, answered + 1):
                given = plan.graded[position]
                answers.append(
                    {
                        "id": answer_id,
                        "attempt_id": attempt_id,
                        "position": position,
                        "question_id": given.question_id,
                        "response": given.response,
                        "response_text": given.response_text,
                        "fraction": given.fraction,
                        "success": given.success,
                        "feedback": given.feedback,
                        "answered_at": started,
                    }
                )
                answer_id += 1
            made.append((person, attempt_id))
            cycle_id += 1
            attempt_id += 1
        _insert(self.engine, CourseCycle.__table__, cycles)
        _insert(self.engine, LessonRead.__table__, reads)
        _insert(self.engine, QuizAttempt.__table__, attempts)
        if answers:
            _insert(self.engine, AttemptAnswer.__table__, answers)
        fix_sequences(self.engine)
        return made


def submit_lines(plan: QuizPlan, made: list[tuple[BrowserSession, int]]) -> list[str]:
    """Request lines that submit every question of each attempt at once (staff quizzes)."""
    positions = sorted(plan.forms)
    course = plan.course.id
    return [
        f"{person.cookie}\t/learn/{course}/quiz/{attempt}/submit\t"
        f"{plan.body(positions, person.csrf)}"
        for person, attempt in made
    ]


def last_answer_lines(plan: QuizPlan, made: list[tuple[BrowserSession, int]]) -> list[str]:
    """Request lines that give each attempt's last answer (pupil quizzes, one at a time)."""
    last = max(plan.forms)
    course = plan.course.id
    return [
        f"{person.cookie}\t/learn/{course}/quiz/{attempt}/answer/{last}\t"
        f"{plan.body([last], person.csrf)}"
        for person, attempt in made
    ]


def start_lines(course_id: str, people: Sequence[BrowserSession]) -> list[str]:
    return [
        f"{person.cookie}\t/learn/{course_id}/quiz/start\t{urlencode({'csrf_token': person.csrf})}"
        for person in people
    ]
