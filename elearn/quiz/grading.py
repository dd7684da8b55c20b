"""Pure graders for bank questions, one per question type, in a single registry.

``validate_response`` turns what a browser posted into a typed response (or refuses it
with a message a learner can read); ``grade`` marks a typed response. Marking follows
Moodle: weights add up and are clamped to 0..1, short answers are compared as
``text_answers`` says (case, punctuation, spacing, leading articles and common synonyms
do not count; ``*`` matches anything, ``\\*`` a literal star), numbers count when they fall in
an answer's tolerance or range with the edges included, and the best answer wins.

Typed responses by question type:

* multiple choice, missing-word choice: ``int`` index into ``question.answers``;
* true/false: ``bool``;
* multiple response: a set or tuple of ``int`` indexes (at least one when posted);
* short answer, missing-word short: ``str``;
* numerical: ``str`` (as typed) or ``float``;
* matching: mapping of pair index (into ``question.pairs``) to the chosen right-hand text;
  pairs left out count as unanswered.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from elearn.catalog.gift_model import (
    FULL_MARKS,
    Choice,
    MissingWordStyle,
    Question,
    QuestionType,
    exact,
    format_number,
)
from elearn.quiz.text_answers import text_matches
from elearn.web.numbers import parse_whole_number

# Longest typed answer accepted; anything longer is not a genuine short answer.
MAX_TEXT_LENGTH = 500
MAX_ESSAY_LENGTH = 20_000
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
_NOTHING = 0.000001


class ResponseInvalid(ValueError):
    """The response is not one the question offered; ``message`` can be shown as it is."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotGradable(ValueError):
    """The question is not marked automatically (essays, descriptions)."""


@dataclass(frozen=True)
class Grade:
    """The mark for one response: ``fraction`` is 0..1 and ``success`` means full marks."""

    fraction: float
    success: bool
    feedback: tuple[str, ...]
    response_text: str


Grader = Callable[[Question, Any], Grade]
GRADERS: dict[QuestionType, Grader] = {}
_VALIDATORS: dict[QuestionType, Callable[[Question, Any], Any]] = {}


def grader(*qtypes: QuestionType) -> Callable[[Grader], Grader]:
    """Register the decorated function as the grader for ``qtypes``."""

    def register(func: Grader) -> Grader:
        for qtype in qtypes:
            GRADERS[qtype] = func
        return func

    return register


def _validator(
    *qtypes: QuestionType,
) -> Callable[[Callable[[Question, Any], Any]], Callable[[Question, Any], Any]]:
    def register(func: Callable[[Question, Any], Any]) -> Callable[[Question, Any], Any]:
        for qtype in qtypes:
            _VALIDATORS[qtype] = func
        return func

    return register


def grade(question: Question, response: Any) -> Grade:
    """Mark a typed response; raises ``NotGradable`` for essays and descriptions."""
    func = GRADERS.get(question.qtype)
    if func is None:
        raise NotGradable(
            f"{question.qtype} questions are not marked automatically; "
            "a teacher reviews them instead"
        )
    return func(question, response)


def validate_response(question: Question, raw: Any) -> Any:
    """Turn posted form values into the typed response ``grade`` takes.

    ``raw`` is a string for one value, a list of strings for checkboxes, and a mapping of
    pair index to chosen text for matching. Raises ``ResponseInvalid`` for anything the
    question did not offer.
    """
    func = _VALIDATORS.get(question.qtype)
    if func is None:
        raise ResponseInvalid("This item does not take an answer.")
    return func(question, raw)


def make_grade(raw_fraction: float, feedback: Iterable[str], response_text: str) -> Grade:
    """Clamp to 0..1 (a negative total scores 0) and treat rounding dust as exact."""
    fraction = min(max(raw_fraction, 0.0), 1.0)
    if fraction >= FULL_MARKS:
        fraction = 1.0
    elif fraction < _NOTHING:
        fraction = 0.0
    else:
        fraction = round(fraction, 7)
    return Grade(fraction, fraction == 1.0, tuple(f for f in feedback if f), response_text)


# --- choices --------------------------------------------------------------------------


def _index(question: Question, value: Any) -> int:
    # bool is an int in Python; a True/False here means the caller mixed up types.
    if isinstance(value, bool) or not isinstance(value, int):
        raise ResponseInvalid("Please choose one of the answers shown.")
    if not 0 <= value < len(question.choices):
        raise ResponseInvalid("That answer is not one of the choices for this question.")
    return value


def _parse_index(question: Question, raw: Any) -> int:
    index = parse_whole_number(raw) if isinstance(raw, str) else None
    if index is not None:
        return _index(question, index)
    if isinstance(raw, str) and not raw.strip():
        raise ResponseInvalid("Please choose an answer.")
    raise ResponseInvalid("That answer is not one of the choices for this question.")


def _is_choice_missing_word(question: Question) -> bool:
    return question.missing_word_style is MissingWordStyle.CHOICE


@grader(QuestionType.MULTICHOICE)
def grade_multichoice(question: Question, response: Any) -> Grade:
    chosen = question.choices[_index(question, response)]
    return make_grade(chosen.fraction, [chosen.feedback], chosen.text)


@_validator(QuestionType.MULTICHOICE)
def _validate_multichoice(question: Question, raw: Any) -> int:
    return _parse_index(question, raw)


@grader(QuestionType.MULTIRESPONSE)
def grade_multiresponse(question: Question, response: Any) -> Grade:
    if isinstance(response, str | bytes) or not isinstance(response, Iterable):
        raise ResponseInvalid("Please tick the answers you choose.")
    picked = sorted({_index(question, value) for value in response})
    chosen = [question.choices[i] for i in picked]
    total = sum(c.fraction for c in chosen)
    return make_grade(total, [c.feedback for c in chosen], "; ".join(c.text for c in chosen))


@_validator(QuestionType.MULTIRESPONSE)
def _validate_multiresponse(question: Question, raw: Any) -> tuple[int, ...]:
    values = [raw] if isinstance(raw, str) else list(raw or ())
    picked = {_parse_index(question, value) for value in values if str(value).strip()}
    if not picked:
        raise ResponseInvalid("Please tick at least one answer.")
    return tuple(sorted(picked))


@grader(QuestionType.TRUEFALSE)
def grade_truefalse(question: Question, response: Any) -> Grade:
    answer = question.truefalse
    if answer is None or not isinstance(response, bool):
        raise ResponseInvalid("Please choose True or False.")
    right = response == answer.correct
    feedback = answer.feedback_right if right else answer.feedback_wrong
    return make_grade(1.0 if right else 0.0, [feedback], "True" if response else "False")


@_validator(QuestionType.TRUEFALSE)
def _validate_truefalse(question: Question, raw: Any) -> bool:
    word = raw.strip().lower() if isinstance(raw, str) else None
    if word == "true":
        return True
    if word == "false":
        return False
    raise ResponseInvalid("Please choose True or False.")


# --- typed text -----------------------------------------------------------------------


def _best_text_match(question: Question, typed: str) -> Choice | None:
    matches = [c for c in question.choices if text_matches(c.text, typed)]
    return max(matches, key=lambda c: c.fraction, default=None)


@grader(QuestionType.SHORTANSWER)
def grade_shortanswer(question: Question, response: Any) -> Grade:
    if not isinstance(response, str):
        raise ResponseInvalid("Please type your answer.")
    typed = " ".join(response.split())
    best = _best_text_match(question, typed)
    if best is None:
        return make_grade(0.0, [], typed)
    return make_grade(best.fraction, [best.feedback], typed)


@_validator(QuestionType.SHORTANSWER)
def _validate_text(question: Question, raw: Any) -> str:
    if not isinstance(raw, str):
        raise ResponseInvalid("Please type your answer.")
    typed = " ".join(raw.split())
    if not typed:
        raise ResponseInvalid("Please type an answer.")
    if len(typed) > MAX_TEXT_LENGTH:
        raise ResponseInvalid(
            f"Your answer is too long; keep it under {MAX_TEXT_LENGTH} characters."
        )
    return typed


@grader(QuestionType.MISSINGWORD)
def grade_missingword(question: Question, response: Any) -> Grade:
    if _is_choice_missing_word(question):
        return grade_multichoice(question, response)
    return grade_shortanswer(question, response)


@_validator(QuestionType.MISSINGWORD)
def _validate_missingword(question: Question, raw: Any) -> int | str:
    if _is_choice_missing_word(question):
        return _parse_index(question, raw)
    return _validate_text(question, raw)


# --- numbers --------------------------------------------------------------------------


def parse_number(raw: str) -> Decimal:
    """Read a typed number such as ``3.14``, ``-2`` or ``1e3``; refuse anything else."""
    text = raw.strip()
    if not text:
        raise ResponseInvalid("Please type a number.")
    if "," in text:
        raise ResponseInvalid(
            f"'{text}' has a comma. Use a full stop for decimals (3.14) and no commas."
        )
    if len(text) > 50 or not _NUMBER.fullmatch(text):
        raise ResponseInvalid(f"'{text[:50]}' is not a number. Type digits, like 42 or 3.14.")
    try:
        number = Decimal(text)
    except InvalidOperation as error:  # pragma: no cover - the pattern already guards this
        raise ResponseInvalid(f"'{text}' is not a number.") from error
    if not number.is_finite() or abs(number.adjusted()) > 300:
        raise ResponseInvalid(f"'{text}' is too large or too small a number.")
    return number


def _number_of(response: Any) -> tuple[Decimal, str]:
    if isinstance(response, bool):
        raise ResponseInvalid("Please type a number.")
    if isinstance(response, str):
        number = parse_number(response)
        return number, response.strip()
    if isinstance(response, int | float) and response == response and abs(response) != float("inf"):
        return exact(float(response)), format_number(float(response))
    raise ResponseInvalid("Please type a number.")


@grader(QuestionType.NUMERICAL)
def grade_numerical(question: Question, response: Any) -> Grade:
    number, shown = _number_of(response)
    matching = [a for a in question.numerical_answers if not a.is_catch_all and a.accepts(number)]
    best = max(matching, key=lambda a: a.fraction, default=None)
    if best is None:
        other = next((a for a in question.numerical_answers if a.is_catch_all), None)
        return make_grade(
            other.fraction if other else 0.0, [other.feedback if other else ""], shown
        )
    return make_grade(best.fraction, [best.feedback], shown)


@_validator(QuestionType.NUMERICAL)
def _validate_numerical(question: Question, raw: Any) -> float:
    if not isinstance(raw, str):
        raise ResponseInvalid("Please type a number.")
    return float(parse_number(raw))


# --- matching -------------------------------------------------------------------------


@grader(QuestionType.MATCHING)
def grade_matching(question: Question, response: Any) -> Grade:
    if not isinstance(response, Mapping):
        raise ResponseInvalid("Please choose a match for each item.")
    pairs = question.pairs
    offered = set(question.right_texts)
    for key, value in response.items():
        if isinstance(key, bool) or not isinstance(key, int) or not 0 <= key < len(pairs):
            raise ResponseInvalid("That item is not part of this question.")
        if not isinstance(value, str) or value not in offered:
            raise ResponseInvalid("That match is not one of the options offered.")
    right = sum(1 for i, pair in enumerate(pairs) if response.get(i) == pair.right)
    shown = "; ".join(f"{pairs[i].left} → {response[i]}" for i in sorted(response))
    return make_grade(right / len(pairs) if pairs else 0.0, [], shown)


@_validator(QuestionType.MATCHING)
def _validate_matching(question: Question, raw: Any) -> dict[int, str]:
    if not isinstance(raw, Mapping):
        raise ResponseInvalid("Please choose a match for each item.")
    pairs, offered = question.pairs, set(question.right_texts)
    chosen: dict[int, str] = {}
    for key, value in raw.items():
        text_key = str(key).strip()
        index = parse_whole_number(text_key, maximum=len(pairs) - 1)
        if index is None:
            raise ResponseInvalid("That item is not part of this question.")
        if not isinstance(value, str):
            raise ResponseInvalid("Please choose a match for each item.")
        if not value.strip():
            continue  # left on "Choose…": unanswered, marked wrong
        if value not in offered:
            raise ResponseInvalid(f"'{value[:80]}' is not one of the options for this question.")
        chosen[index] = value
    return chosen


# --- not marked automatically ---------------------------------------------------------


@_validator(QuestionType.ESSAY)
def _validate_essay(question: Question, raw: Any) -> str:
    """Essays are kept for a teacher to read; only the shape is checked here."""
    if not isinstance(raw, str) or not raw.strip():
        raise ResponseInvalid("Please write your answer.")
    if len(raw) > MAX_ESSAY_LENGTH:
        raise ResponseInvalid(
            f"Your answer is too long; keep it under {MAX_ESSAY_LENGTH} characters."
        )
    return raw.strip()
