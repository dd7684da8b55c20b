"""Quiz attempts: start, answer, submit, time out. Grading itself is in ``grading``.

Submitting is race-safe: the attempt moves out of ``in_progress`` with one conditional
UPDATE, so a double click, two tabs or a retried request produce exactly one graded result.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session, joinedload
from sqlalchemy.orm.attributes import set_committed_value

import elearn.quiz.personal_data  # noqa: F401  (registers its export and erasure sections)
from elearn.auth.models import User
from elearn.catalog.gift import Question, QuestionType
from elearn.catalog.model import Course
from elearn.learning import services as learning
from elearn.learning.context import Moment
from elearn.learning.cycle_state import summarise_attempts
from elearn.learning.events import build_event, record_event, record_events, statements_together
from elearn.learning.models import CourseCycle
from elearn.quiz.draw import DrawnQuestion, draw_questions, is_blank, raw_response
from elearn.quiz.grading import Grade, ResponseInvalid, grade, validate_response
from elearn.quiz.models import AttemptAnswer, AttemptState, QuizAttempt
from elearn.xapi.builders import statements

# Network and clock slack allowed after a time limit before an answer is refused.
TIME_LIMIT_GRACE = timedelta(seconds=30)


class QuizError(ValueError):
    """The quiz cannot do what was asked; the message can be shown as it is."""


class AlreadySubmitted(QuizError):
    """The attempt was submitted already (by another tab, or a repeated request)."""


class TimeRanOut(QuizError):
    """The attempt's time limit has passed; :func:`expire_if_overdue` closes and marks it."""


@dataclass(frozen=True)
class GradedAnswers:
    """Answers graded but not yet saved: their rows and their ``answered`` statements."""

    rows: list[dict[str, Any]]
    statements: list[dict[str, Any]]
    # The marks of the attempt's answers saved before these (after-submission mode).
    earlier_marks: float = 0.0


@dataclass(frozen=True)
class AnswerProblem:
    position: int
    message: str


class AnswersInvalid(QuizError):
    def __init__(self, problems: list[AnswerProblem]) -> None:
        self.problems = problems
        super().__init__("; ".join(f"question {p.position}: {p.message}" for p in problems))


def attempt_summary(session: Session, cycle_id: int) -> tuple[bool, int | None, int]:
    """(passed in this cycle, best score in percent, attempts started)."""
    rows = session.execute(
        select(QuizAttempt.passed, QuizAttempt.score_raw, QuizAttempt.score_max).where(
            QuizAttempt.cycle_id == cycle_id
        )
    ).all()
    return summarise_attempts([tuple(row) for row in rows])


def attempts_in_cycle(session: Session, cycle_id: int) -> list[QuizAttempt]:
    return list(
        session.scalars(
            select(QuizAttempt).where(QuizAttempt.cycle_id == cycle_id).order_by(QuizAttempt.number)
        )
    )


def open_attempt(session: Session, cycle_id: int) -> QuizAttempt | None:
    return session.scalar(
        select(QuizAttempt).where(
            QuizAttempt.cycle_id == cycle_id, QuizAttempt.state == AttemptState.IN_PROGRESS
        )
    )


def attempts_left(course: Course, used: int) -> int | None:
    """None means unlimited."""
    if course.quiz is None or course.quiz.attempts is None:
        return None
    return max(course.quiz.attempts - used, 0)


def start_attempt(session: Session, user: User, course: Course, moment: Moment) -> QuizAttempt:
    """Start an attempt, or return the one already in progress (a second click starts nothing)."""
    settings = course.quiz
    if settings is None:
        raise QuizError("This course has no quiz.")
    cycle = learning.cycle_for_learning(session, user, course, moment)
    current = open_attempt(session, cycle.id)
    if current is not None and not expire_if_overdue(session, user, course, current, moment):
        return current
    passed, _, used = attempt_summary(session, cycle.id)
    if passed and cycle.is_complete and course.quiz.attempts is not None:
        raise QuizError("You have already passed this quiz.")
    left = attempts_left(course, used)
    if left == 0:
        raise QuizError(
            "You have used all your attempts at this quiz. "
            "Please speak to your designated safeguarding lead."
        )
    drawn = draw_questions(course.questions, settings, moment.rng)
    attempt = QuizAttempt(
        cycle_id=cycle.id,
        user_id=user.id,
        course_id=course.id,
        number=used + 1,
        draw=[d.snapshot() for d in drawn],
        pass_mark=settings.pass_mark,
        started_at=moment.now,
        deadline_at=(
            moment.now + timedelta(minutes=settings.time_limit_minutes)
            if settings.time_limit_minutes
            else None
        ),
    )
    session.add(attempt)
    session.flush()
    record_event(
        session,
        statements.QuizAttempted(course_id=course.id, quiz_title=f"{course.title}: quiz"),
        user=user,
        moment=moment,
        registration=cycle.registration,
    )
    return attempt


def get_attempt(
    session: Session, user_id: int, course_id: str, attempt_id: int
) -> QuizAttempt | None:
    """The attempt if it is this person's, for this course; anyone else's is None (a 404)."""
    # The cycle and the answers so far come in the same query: every answer's statement
    # carries the cycle's registration, and every page of an attempt shows what was answered.
    return (
        session.scalars(
            select(QuizAttempt)
            .options(joinedload(QuizAttempt.cycle), joinedload(QuizAttempt.answers))
            .where(
                QuizAttempt.id == attempt_id,
                QuizAttempt.user_id == user_id,
                QuizAttempt.course_id == course_id,
            )
        )
        .unique()
        .first()
    )


def drawn_questions(attempt: QuizAttempt) -> list[DrawnQuestion]:
    return [
        DrawnQuestion.from_snapshot(position, data)
        for position, data in enumerate(attempt.draw, start=1)
    ]


def answered_positions(attempt: QuizAttempt) -> dict[int, AttemptAnswer]:
    """The attempt's answers by position, as loaded with it (see get_attempt)."""
    return {answer.position: answer for answer in attempt.answers}


def _check_time(attempt: QuizAttempt, now: datetime) -> bool:
    """True when the attempt is still within its time limit (plus grace)."""
    return attempt.deadline_at is None or now <= attempt.deadline_at + TIME_LIMIT_GRACE


def _graded_answer(
    user: User,
    course: Course,
    attempt: QuizAttempt,
    drawn: DrawnQuestion,
    response: Any,
    moment: Moment,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Grade one answer: its ``attempt_answers`` row and its ``answered`` statement."""
    graded = grade(drawn.question, response)
    row = {
        "attempt_id": attempt.id,
        "position": drawn.position,
        "question_id": drawn.question.id,
        "response": _jsonable(response),
        "response_text": graded.response_text[:2000],
        "fraction": graded.fraction,
        "success": graded.success,
        "feedback": list(graded.feedback),
        "answered_at": moment.now,
    }
    return row, _answered_statement(user, course, attempt, drawn, response, graded, moment)


def _jsonable(response: Any) -> Any:
    if isinstance(response, Mapping):
        return {str(k): v for k, v in response.items()}
    if isinstance(response, tuple | set | frozenset):
        return sorted(response)
    return response


def grade_answer(
    session: Session,
    user: User,
    course: Course,
    attempt: QuizAttempt,
    position: int,
    form: Mapping[str, Any],
    moment: Moment,
) -> GradedAnswers:
    """Immediate-feedback mode: check and grade one answer, writing nothing.

    No rows when the question was answered already (an answer, once given, is final).
    Raises AnswersInvalid, TimeRanOut, or QuizError.
    """
    if not attempt.is_open:
        raise AlreadySubmitted("This attempt has already been finished.")
    if not _check_time(attempt, moment.now):
        raise TimeRanOut("Time ran out for this attempt.")
    drawn = {d.position: d for d in drawn_questions(attempt)}.get(position)
    if drawn is None:
        raise QuizError("That question is not part of this attempt.")
    if position in answered_positions(attempt):
        return GradedAnswers([], [])
    if is_blank(drawn, form):
        raise AnswersInvalid([AnswerProblem(position, "Please choose or type an answer first.")])
    try:
        response = validate_response(drawn.question, raw_response(drawn, form))
    except ResponseInvalid as problem:
        raise AnswersInvalid([AnswerProblem(position, problem.message)]) from problem
    row, statement = _graded_answer(user, course, attempt, drawn, response, moment)
    return GradedAnswers([row], [statement])


def save_answer(
    session: Session,
    user: User,
    course: Course,
    attempt: QuizAttempt,
    graded: GradedAnswers,
    moment: Moment,
) -> None:
    """Save a graded answer; the last one marks the attempt and may complete the course.

    The attempt is checked again here, as it may have been closed since it was read; a
    second copy of the same answer fails on the unique (attempt, position) constraint.
    """
    # FOR UPDATE (PostgreSQL) queues the attempt's answers one behind another, so the answers
    # counted with the state are every earlier one and none can come before this one is
    # saved; SQLite's write lock already does that.
    saved = AttemptAnswer.attempt_id == attempt.id
    state, answered, marks = session.execute(
        select(
            QuizAttempt.state,
            select(func.count(AttemptAnswer.id)).where(saved).scalar_subquery(),
            select(func.coalesce(func.sum(AttemptAnswer.fraction), 0.0))
            .where(saved)
            .scalar_subquery(),
        )
        .where(QuizAttempt.id == attempt.id)
        .with_for_update(of=QuizAttempt)
    ).one()
    if state != AttemptState.IN_PROGRESS:
        raise AlreadySubmitted("This attempt has already been finished.")
    answered += len(graded.rows)
    marks = float(marks) + sum(row["fraction"] for row in graded.rows)
    with statements_together(session):
        _insert_answers(session, graded)
        record_events(session, graded.statements, user=user, moment=moment)
        if answered == len(attempt.draw):
            # The attempt is locked (above): no answer can come between counting and marking.
            _claim(session, attempt, moment, AttemptState.SUBMITTED, marks=float(marks))
            _record_result(session, user, course, attempt, moment)


def grade_submission(
    session: Session,
    user: User,
    course: Course,
    attempt: QuizAttempt,
    form: Mapping[str, Any],
    moment: Moment,
) -> GradedAnswers:
    """After-submission mode: check and grade every answer at once, writing nothing.

    All answers must be valid. Raises AnswersInvalid, TimeRanOut or AlreadySubmitted.
    """
    if not attempt.is_open:
        raise AlreadySubmitted("This attempt has already been submitted.")
    if not _check_time(attempt, moment.now):
        raise TimeRanOut("Time ran out for this attempt, so it was marked with no answers.")
    existing = answered_positions(attempt)
    pending: list[tuple[DrawnQuestion, Any]] = []
    problems: list[AnswerProblem] = []
    for drawn in drawn_questions(attempt):
        if drawn.position in existing:
            continue
        if is_blank(drawn, form):
            problems.append(AnswerProblem(drawn.position, "Please answer this question."))
            continue
        try:
            pending.append((drawn, validate_response(drawn.question, raw_response(drawn, form))))
        except ResponseInvalid as problem:
            problems.append(AnswerProblem(drawn.position, problem.message))
    if problems:
        raise AnswersInvalid(problems)
    graded = [_graded_answer(user, course, attempt, d, r, moment) for d, r in pending]
    return GradedAnswers(
        [row for row, _ in graded],
        [statement for _, statement in graded],
        earlier_marks=sum(answer.fraction for answer in existing.values()),
    )


def save_submission(
    session: Session,
    user: User,
    course: Course,
    attempt: QuizAttempt,
    graded: GradedAnswers,
    moment: Moment,
) -> None:
    """Save a graded submission, mark it, and complete the course when it is passed.

    Claiming the attempt is the check that it is still open (AlreadySubmitted otherwise). The
    marks are known before saving: an answer saved since the grading was read would be at a
    position this submission also answers, and fail on the unique (attempt, position).
    """
    marks = graded.earlier_marks + sum(row["fraction"] for row in graded.rows)
    with statements_together(session):
        _claim(session, attempt, moment, AttemptState.SUBMITTED, marks=marks)
        _insert_answers(session, graded)
        record_events(session, graded.statements, user=user, moment=moment)
        _record_result(session, user, course, attempt, moment)


def _insert_answers(session: Session, graded: GradedAnswers) -> None:
    if graded.rows:
        # One multi-row INSERT: the answers are not needed as objects, and the ORM would
        # insert them one at a time to learn each new id.
        session.execute(insert(AttemptAnswer), graded.rows)


def _claim(
    session: Session,
    attempt: QuizAttempt,
    moment: Moment,
    state: AttemptState,
    *,
    marks: float | None = None,
) -> None:
    """Move the attempt out of in_progress, with its score when ``marks`` are known; only one
    request can ever win this."""
    values: dict[str, Any] = {"state": state, "submitted_at": moment.now}
    if marks is not None:
        top = float(len(attempt.draw))
        raw = round(min(marks, top), 4)
        values.update(score_raw=raw, score_max=top, passed=_passes(raw, top, attempt.pass_mark))
    result = session.execute(
        update(QuizAttempt)
        .where(QuizAttempt.id == attempt.id, QuizAttempt.state == AttemptState.IN_PROGRESS)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise AlreadySubmitted("This attempt has already been submitted.")
    # Already written by the UPDATE above: keep the object in step without a second UPDATE.
    for name, value in values.items():
        set_committed_value(attempt, name, value)


def _passes(raw: float, top: float, pass_mark: int) -> bool:
    return top > 0 and 100 * raw / top + 1e-9 >= pass_mark


def _finish(
    session: Session,
    user: User,
    course: Course,
    attempt: QuizAttempt,
    moment: Moment,
    state: AttemptState,
) -> None:
    # Claimed first, then marked: once claimed, no other request can add an answer.
    _claim(session, attempt, moment, state)
    session.flush()
    marks = session.scalar(
        select(func.coalesce(func.sum(AttemptAnswer.fraction), 0.0)).where(
            AttemptAnswer.attempt_id == attempt.id
        )
    )
    top = float(len(attempt.draw))
    attempt.score_raw, attempt.score_max = round(min(float(marks or 0.0), top), 4), top
    attempt.passed = _passes(attempt.score_raw, top, attempt.pass_mark)
    with statements_together(session):
        _record_result(session, user, course, attempt, moment)


def expire_if_overdue(
    session: Session, user: User, course: Course, attempt: QuizAttempt, moment: Moment
) -> bool:
    """Close an attempt whose time ran out, marking what was saved. True if it was closed."""
    if not attempt.is_open or _check_time(attempt, moment.now):
        return False
    _finish(session, user, course, attempt, moment, AttemptState.TIMED_OUT)
    return True


def _record_result(
    session: Session, user: User, course: Course, attempt: QuizAttempt, moment: Moment
) -> None:
    """The marked attempt's ``passed``/``failed`` statement; a pass may complete the course."""
    assert attempt.score_raw is not None and attempt.score_max is not None
    cycle = session.get(CourseCycle, attempt.cycle_id)
    assert cycle is not None
    record_event(
        session,
        statements.QuizFinished(
            course_id=course.id,
            quiz_title=f"{course.title}: quiz",
            raw=attempt.score_raw,
            max_score=attempt.score_max,
            passed=bool(attempt.passed),
            duration=moment.now - attempt.started_at,
        ),
        user=user,
        moment=moment,
        registration=cycle.registration,
    )
    if attempt.passed:
        learning.complete_if_done(session, user, course, cycle, moment)


# --- xAPI ---------------------------------------------------------------------------------


def _answered_statement(
    user: User,
    course: Course,
    attempt: QuizAttempt,
    drawn: DrawnQuestion,
    response: Any,
    graded: Grade,
    moment: Moment,
) -> dict[str, Any]:
    return build_event(
        answered_event(course, drawn, response, graded),
        user=user,
        moment=moment,
        registration=attempt.cycle.registration,
    )


def answered_event(
    course: Course, drawn: DrawnQuestion, response: Any, graded: Grade
) -> statements.QuestionAnswered:
    """The ``answered`` event for a graded response to one drawn question."""
    question = drawn.question
    details = _interaction(question, response)
    kind = details.pop("kind", None) or (
        "fill-in" if question.is_typed_text else question.qtype.value
    )
    return statements.QuestionAnswered(
        course_id=course.id,
        question_id=question.id,
        kind=kind,
        prompt=question.text[:1000] or question.title,
        question_title=question.title or None,
        success=graded.success,
        **details,
    )


def _choice_id(index: int) -> str:
    return f"choice-{index}"


def _interaction(question: Question, response: Any) -> dict[str, Any]:
    """The interaction's components and the response in the spec's format for its type."""
    qtype = question.qtype
    if question.is_choice:
        choices = [(_choice_id(i), c.text) for i, c in enumerate(question.choices)]
        picked = response if isinstance(response, tuple | list) else [response]
        correct = [_choice_id(i) for i, c in enumerate(question.choices) if c.fraction > 0]
        pattern = correct if qtype is QuestionType.MULTIRESPONSE else correct[:1]
        return {
            "response": [_choice_id(int(i)) for i in picked],
            "choices": choices,
            "correct_responses": [pattern],
            "kind": "choice",
        }
    if qtype is QuestionType.TRUEFALSE:
        answer = question.truefalse
        return {
            "response": bool(response),
            "correct_responses": [answer.correct] if answer else None,
        }
    if qtype is QuestionType.MATCHING:
        pairs = question.pairs
        targets = list(question.right_texts)
        source = [(f"item-{i}", p.left) for i, p in enumerate(pairs)]
        target = [(f"option-{targets.index(t)}", t) for t in targets]
        chosen = [
            (f"item-{int(k)}", f"option-{targets.index(v)}")
            for k, v in sorted(dict(response).items(), key=lambda kv: int(kv[0]))
        ]
        right = [(f"item-{i}", f"option-{targets.index(p.right)}") for i, p in enumerate(pairs)]
        return {
            "response": chosen,
            "source": source,
            "target": target,
            "correct_responses": [right],
        }
    if qtype is QuestionType.NUMERICAL:
        return {"response": response}
    return {"response": str(response)}
