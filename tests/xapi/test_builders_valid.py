"""Every statement elearn builds for the shipped content passes the incoming-statement check.

At run time a statement elearn builds is validated whole only the first time its activities
(which come from content) are used; the parts about the person and the moment are written in a
fixed shape and not validated again on every answer. This is the proof that the shape is right:
every event kind, for every lesson, quiz, question (a right and a wrong answer) and policy of
the shipped content, with and without the optional parts, checked by the same validator the
LRS applies to statements it is sent.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from elearn.catalog.gift import Question, QuestionType
from elearn.catalog.loader import load_catalog
from elearn.catalog.model import Course
from elearn.quiz.draw import DrawnQuestion, raw_response
from elearn.quiz.grading import grade, validate_response
from elearn.quiz.services import answered_event
from elearn.xapi.builders import statements
from elearn.xapi.validation import StatementInvalid, validate_statement
from tests.quiz.answers import form_for

REPO_ROOT = Path(__file__).resolve().parents[2]
BASE = "https://school.example/"
CATALOG = load_catalog(REPO_ROOT)
COURSES = list(CATALOG.courses)


def _built(event: statements.LearningEvent) -> dict:
    return statements.statement_for(
        event,
        statement_id=uuid.uuid4(),
        base_url=BASE,
        actor_name="p-" + uuid.uuid4().hex[:12],
        timestamp=datetime(2026, 12, 3, 9, 30, 0, 250_000, tzinfo=UTC),
        registration=uuid.uuid4(),
    )


def _as_asked(position: int, question: Question) -> DrawnQuestion:
    """The question as an attempt shows it, its choices and right-hand options reversed."""
    order = tuple(reversed(range(len(question.choices)))) if question.is_choice else ()
    rights = (
        tuple(reversed(question.right_texts)) if question.qtype is QuestionType.MATCHING else ()
    )
    return DrawnQuestion(position, question, order, rights)


def _events(course: Course) -> list[statements.LearningEvent]:
    found: list[statements.LearningEvent] = []
    for lesson in course.lessons:
        found.append(
            statements.LessonExperienced(
                course_id=course.id, lesson_id=lesson.id, lesson_title=lesson.title
            )
        )
        found.append(
            statements.LessonExperienced(
                course_id=course.id,
                lesson_id=lesson.id,
                lesson_title=lesson.title,
                duration=timedelta(minutes=3, seconds=7.25),
            )
        )
    found.append(statements.CourseCompleted(course_id=course.id, course_title=course.title))
    if course.policy is not None:
        found.append(
            statements.PolicySignedOff(
                course_id=course.id,
                policy_id=course.id,
                policy_title=course.title,
                policy_version=course.policy.version,
                declaration=course.policy.statement,
            )
        )
    if course.quiz is None:
        return found
    title = f"{course.title}: quiz"
    found.append(statements.QuizAttempted(course_id=course.id, quiz_title=title))
    for passed, raw in ((True, 4.0), (False, 1.5)):
        found.append(
            statements.QuizFinished(
                course_id=course.id,
                quiz_title=title,
                raw=raw,
                max_score=5.0,
                passed=passed,
                duration=timedelta(seconds=95.5),
            )
        )
    for position, question in enumerate((q for q in course.questions if q.is_gradable), start=1):
        drawn = _as_asked(position, question)
        for correct in (True, False):
            response = validate_response(
                question, raw_response(drawn, form_for(drawn, correct=correct))
            )
            found.append(answered_event(course, drawn, response, grade(question, response)))
    return found


def test_the_shipped_catalogue_has_courses_with_quizzes_and_a_policy():
    assert COURSES, "the shipped catalogue did not load"
    assert any(c.quiz is not None for c in COURSES)
    assert any(c.policy is not None for c in COURSES)


@pytest.mark.parametrize("course", COURSES, ids=lambda c: c.id)
def test_every_statement_built_for_a_shipped_course_is_valid(course: Course):
    events = _events(course)
    kinds = {type(event) for event in events}
    checked = 0
    for event in events:
        # Twice: the second is built from activities already checked, so it is the statement
        # an answer gets at run time with no validation of its own.
        for _ in range(2):
            statement = _built(event)
            try:
                validate_statement(statement)
            except StatementInvalid as problem:
                pytest.fail(f"{course.id}: {type(event).__name__}: {problem}\n{statement}")
            checked += 1
    assert statements.LessonExperienced in kinds and statements.CourseCompleted in kinds
    assert checked == 2 * len(events)


def test_every_event_kind_is_covered_by_the_shipped_content():
    covered = {type(event) for course in COURSES for event in _events(course)}

    assert covered == set(statements.EVENT_KINDS)
