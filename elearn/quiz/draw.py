"""Drawing an attempt's questions and presenting them without their answer key.

Pure functions: the draw is random but reproducible from the stored snapshot, and what a
page shows holds no fractions, no feedback and no hint of which option is right (options
are posted back by their displayed position, never by their place in the bank).
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from elearn.catalog.gift import Question, QuestionType, parse_gift
from elearn.catalog.gift_export import to_gift
from elearn.catalog.schema import QuizSettings
from elearn.quiz.grading import ResponseInvalid
from elearn.web.numbers import parse_whole_number


@dataclass(frozen=True)
class DrawnQuestion:
    """A question as asked in one attempt: ``order`` lists choice indexes in display order;
    ``rights`` lists a matching question's right-hand options in display order."""

    position: int
    question: Question
    order: tuple[int, ...] = ()
    rights: tuple[str, ...] = ()

    def snapshot(self) -> dict[str, Any]:
        return {
            "id": self.question.id,
            "gift": to_gift([self.question]),
            "order": list(self.order),
            "rights": list(self.rights),
        }

    @classmethod
    def from_snapshot(cls, position: int, data: Mapping[str, Any]) -> DrawnQuestion:
        questions, errors = parse_gift(data["gift"], f"attempt question {position}")
        if errors or len(questions) != 1:
            raise ValueError(f"stored question {data.get('id')!r} no longer parses: {errors}")
        return cls(position, questions[0], tuple(data["order"]), tuple(data["rights"]))


class DrawError(ValueError):
    """The bank cannot supply what the quiz settings ask for."""


def draw_questions(
    bank: Sequence[Question], settings: QuizSettings, rng: random.Random
) -> list[DrawnQuestion]:
    """Pick the attempt's questions at random, by category when the course says so."""
    pool = [q for q in bank if q.is_gradable]
    if settings.categories:
        picked: list[Question] = []
        for category, count in settings.categories.items():
            candidates = [q for q in pool if q.category == category]
            if len(candidates) < count:
                raise DrawError(
                    f"category {category!r} has {len(candidates)} questions, not {count}"
                )
            picked.extend(rng.sample(candidates, count))
        rng.shuffle(picked)
    else:
        if len(pool) < settings.questions:
            raise DrawError(f"the bank has {len(pool)} questions, not {settings.questions}")
        picked = rng.sample(pool, settings.questions)
    return [
        _arrange(position, question, settings.shuffle_answers, rng)
        for position, question in enumerate(picked, start=1)
    ]


def _arrange(position: int, question: Question, shuffle: bool, rng: random.Random) -> DrawnQuestion:
    order: list[int] = []
    rights: list[str] = []
    if question.is_choice:
        order = list(range(len(question.choices)))
        if shuffle:
            rng.shuffle(order)
    if question.qtype is QuestionType.MATCHING:
        rights = list(question.right_texts)
        rng.shuffle(rights)  # never in authored order: that order would pair them up
    return DrawnQuestion(position, question, tuple(order), tuple(rights))


def field_name(position: int) -> str:
    return f"q{position}"


def raw_response(drawn: DrawnQuestion, form: Mapping[str, Any]) -> Any:
    """What the grader's ``validate_response`` takes, from a posted form.

    ``form`` maps field names to a list of posted values (a MultiDict's ``to_dict(flat=False)``).
    Choice options arrive as displayed positions and are mapped back to bank indexes here.
    """
    name = field_name(drawn.position)
    question = drawn.question
    values = [str(v) for v in form.get(name, [])]
    if question.qtype is QuestionType.MATCHING:
        prefix = f"{name}_m"
        return {
            key[len(prefix) :]: (form[key][0] if form[key] else "")
            for key in form
            if key.startswith(prefix)
        }
    if question.is_choice:
        mapped = [_from_display(drawn, value) for value in values if value.strip()]
        if question.qtype is QuestionType.MULTIRESPONSE:
            return mapped
        return mapped[0] if mapped else ""
    return values[0] if values else ""


def _from_display(drawn: DrawnQuestion, value: str) -> str:
    index = parse_whole_number(value, maximum=len(drawn.order) - 1)
    if index is None:
        raise ResponseInvalid("That answer is not one of the choices for this question.")
    return str(drawn.order[index])


def is_blank(drawn: DrawnQuestion, form: Mapping[str, Any]) -> bool:
    """Nothing was entered for this question."""
    name = field_name(drawn.position)
    if drawn.question.qtype is QuestionType.MATCHING:
        return not any(
            (form[key][0] if form[key] else "").strip()
            for key in form
            if key.startswith(f"{name}_m")
        )
    return not any(str(v).strip() for v in form.get(name, []))
