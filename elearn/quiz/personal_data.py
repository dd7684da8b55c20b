"""What quiz attempts hold about a person, for subject access and erasure."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from elearn.catalog.gift import Question, QuestionType
from elearn.privacy.registry import SectionGuide, iso, register_eraser, register_exporter
from elearn.quiz.draw import DrawnQuestion
from elearn.quiz.models import QuizAttempt

# Answers the person typed in their own words (which may name them or someone else); the
# others are a choice among the question's options, a number or a pairing.
_WORDED = {QuestionType.SHORTANSWER, QuestionType.ESSAY, QuestionType.MISSINGWORD}


def _questions(attempt: QuizAttempt) -> dict[int, Question]:
    questions = {}
    for position, data in enumerate(attempt.draw, start=1):
        try:
            questions[position] = DrawnQuestion.from_snapshot(position, data).question
        except ValueError:
            continue  # a snapshot that no longer parses still exports its answers
    return questions


def is_worded(question: Question | None) -> bool:
    """True when the answer is the person's own words rather than a pick from options."""
    if question is None:
        return True  # unknown: treat as free text, the safe side for erasure
    return question.qtype in _WORDED and not question.is_choice


QUIZ_GUIDE = SectionGuide(
    "Quiz attempts",
    "Each time you took a quiz: your answers, whether each was right, and your score.",
    {
        "course": "The course the quiz belongs to.",
        "number": "Which try at the quiz it was (1 for the first).",
        "state": "in_progress (not finished), submitted, or timed_out (the time ran out and "
        "what you had saved was marked).",
        "started_at": "When you started.",
        "deadline_at": "When the time limit ran out (empty if there was none).",
        "submitted_at": "When it was marked.",
        "score": "Marks you got.",
        "score_max": "Marks there were to get.",
        "percent": "Your score as a percentage.",
        "pass_mark": "The percentage needed to pass.",
        "passed": "true if you passed, false if not, empty if not marked yet.",
        "answers": "Each answer you gave, in the order the questions were asked.",
        "position": "The question's number in the quiz.",
        "question_id": "The question's short name in the question bank.",
        "question": "The question as it was asked.",
        "response": "Your answer as you gave it.",
        "correct": "true if the answer was right, false if not.",
        "answer_score": "How much of the mark this answer earned, from 0 (none) to 1 "
        "(all of it); negative for an answer that takes marks away.",
        "feedback": "What the quiz told you about this answer.",
        "answered_at": "When you answered.",
    },
)


@register_exporter("quiz_attempts", tables=("quiz_attempts", "attempt_answers"), guide=QUIZ_GUIDE)
def export_attempts(session: Session, user_id: int) -> list[dict[str, Any]]:
    attempts = session.scalars(
        select(QuizAttempt)
        .where(QuizAttempt.user_id == user_id)
        .options(selectinload(QuizAttempt.answers))
        .order_by(QuizAttempt.started_at, QuizAttempt.id)
    )
    exported = []
    for attempt in attempts:
        questions = _questions(attempt)
        exported.append(
            {
                "course": attempt.course_id,
                "number": attempt.number,
                "state": attempt.state.value,
                "started_at": iso(attempt.started_at),
                "deadline_at": iso(attempt.deadline_at),
                "submitted_at": iso(attempt.submitted_at),
                "score": attempt.score_raw,
                "score_max": attempt.score_max,
                "percent": attempt.percent,
                "pass_mark": attempt.pass_mark,
                "passed": attempt.passed,
                "answers": [
                    {
                        "position": answer.position,
                        "question_id": answer.question_id,
                        "question": (
                            questions[answer.position].text
                            if answer.position in questions
                            else None
                        ),
                        "response": answer.response_text,
                        "correct": answer.success,
                        "answer_score": answer.fraction,
                        "feedback": list(answer.feedback or []),
                        "answered_at": iso(answer.answered_at),
                    }
                    for answer in attempt.answers
                ],
            }
        )
    return exported


@register_eraser(tables=("quiz_attempts", "attempt_answers"))
def erase_worded_answers(session: Session, user_id: int) -> None:
    """Answers typed in the person's own words go; whether each was right, and the scores,
    stay (pseudonymous statistics about the question and the course)."""
    attempts = session.scalars(
        select(QuizAttempt)
        .where(QuizAttempt.user_id == user_id)
        .options(selectinload(QuizAttempt.answers))
    )
    for attempt in attempts:
        questions = _questions(attempt)
        for answer in attempt.answers:
            if is_worded(questions.get(answer.position)):
                answer.response = None
                answer.response_text = ""
