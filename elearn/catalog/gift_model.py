"""The question model behind GIFT banks: immutable questions and their answers.

Fractions follow Moodle: a weight of ``%50%`` is stored as ``0.5``; negative weights are
allowed and only clamp when a response is graded. ``line`` records where a question was
authored and is left out of equality, so a bank written out and read back compares equal.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

# Moodle treats a grade within a millionth of 100% as full marks; sums of thirds such as
# 3 x 33.33333% would otherwise miss by a hair.
FULL_MARKS = 0.999999


class QuestionType(StrEnum):
    """The kinds of question a GIFT bank can hold."""

    MULTICHOICE = "multichoice"
    MULTIRESPONSE = "multiresponse"
    TRUEFALSE = "truefalse"
    SHORTANSWER = "shortanswer"
    MATCHING = "matching"
    NUMERICAL = "numerical"
    MISSINGWORD = "missingword"
    ESSAY = "essay"
    DESCRIPTION = "description"


class TextFormat(StrEnum):
    """How the question text is marked up, from a leading ``[markdown]``-style tag."""

    MOODLE = "moodle"
    HTML = "html"
    PLAIN = "plain"
    MARKDOWN = "markdown"


class MissingWordStyle(StrEnum):
    """Whether a missing-word blank offers choices (``~``) or takes typed text (only ``=``)."""

    CHOICE = "choice"
    SHORT = "short"


@dataclass(frozen=True)
class Choice:
    """A selectable or typed answer: choice questions, short answers and missing words.

    ``text_format`` and ``feedback_format`` are set when the part carries its own tag
    (``~[plain]blue#[html]wrong``); ``None`` means the question's format.
    """

    text: str
    fraction: float
    feedback: str = ""
    text_format: TextFormat | None = None
    feedback_format: TextFormat | None = None

    @property
    def is_correct(self) -> bool:
        return self.fraction >= FULL_MARKS


def exact(number: float) -> Decimal:
    """The decimal a float was written as, so ``3.14 - 0.01`` is exactly ``3.13``."""
    return Decimal(repr(number))


@dataclass(frozen=True)
class NumericalAnswer:
    """One accepted number: ``value`` +/- ``tolerance``, or the range ``minimum..maximum``.

    With neither a value nor a range it is Moodle's catch-all (``~#feedback``): the
    feedback for any number that no other answer accepts.
    """

    fraction: float
    feedback: str = ""
    value: float | None = None
    tolerance: float = 0.0
    minimum: float | None = None
    maximum: float | None = None

    @property
    def is_range(self) -> bool:
        return self.minimum is not None and self.maximum is not None

    @property
    def is_catch_all(self) -> bool:
        return self.value is None and not self.is_range

    @property
    def is_correct(self) -> bool:
        return self.fraction >= FULL_MARKS

    def bounds(self) -> tuple[Decimal, Decimal] | None:
        """Inclusive accepted interval, or None for the catch-all."""
        if self.minimum is not None and self.maximum is not None:
            return exact(self.minimum), exact(self.maximum)
        if self.value is None:
            return None
        centre, spread = exact(self.value), exact(self.tolerance)
        return centre - spread, centre + spread

    def accepts(self, number: Decimal) -> bool:
        """True when ``number`` lies in this answer's interval (edges included)."""
        interval = self.bounds()
        return interval is not None and interval[0] <= number <= interval[1]

    def describe(self) -> str:
        """Human text such as ``3.14 ± 0.01`` or ``1 to 5``."""
        if self.minimum is not None and self.maximum is not None:
            return f"{format_number(self.minimum)} to {format_number(self.maximum)}"
        if self.value is None:
            return "any other answer"
        if self.tolerance:
            return f"{format_number(self.value)} ± {format_number(self.tolerance)}"
        return format_number(self.value)


@dataclass(frozen=True)
class MatchPair:
    """``=left -> right``. An empty ``left`` is an extra wrong right-hand option.

    ``left_format`` is set when the left side carries its own tag (``=[html]…``); Moodle
    reads no tag on the right-hand side.
    """

    left: str
    right: str
    left_format: TextFormat | None = None

    @property
    def is_distractor(self) -> bool:
        return not self.left


@dataclass(frozen=True)
class TrueFalseAnswer:
    """The right value and Moodle's two feedbacks (``{T#if wrong#if right}``)."""

    correct: bool
    feedback_wrong: str = ""
    feedback_right: str = ""


Answer = Choice | NumericalAnswer | MatchPair | TrueFalseAnswer

_CHOICE_TYPES = frozenset({QuestionType.MULTICHOICE, QuestionType.MULTIRESPONSE})
_UNGRADED = frozenset({QuestionType.ESSAY, QuestionType.DESCRIPTION})


@dataclass(frozen=True)
class Question:
    """One question from a bank.

    ``text`` is the stem; for a missing-word question it is the text before the blank
    and ``text_after`` the text after it. ``category`` is the latest ``$CATEGORY:`` above
    the question ("" when none). ``explicit_id`` says whether the id came from a
    ``// [id:…]`` comment rather than from the title or line.
    """

    id: str
    title: str
    qtype: QuestionType
    text: str
    answers: tuple[Answer, ...] = ()
    text_after: str = ""
    text_format: TextFormat = TextFormat.MOODLE
    general_feedback: str = ""
    category: str = ""
    tags: tuple[str, ...] = ()
    missing_word_style: MissingWordStyle | None = None
    line: int = field(default=0, compare=False)
    explicit_id: bool = field(default=True, compare=False)

    @property
    def choices(self) -> tuple[Choice, ...]:
        return tuple(a for a in self.answers if isinstance(a, Choice))

    @property
    def numerical_answers(self) -> tuple[NumericalAnswer, ...]:
        return tuple(a for a in self.answers if isinstance(a, NumericalAnswer))

    @property
    def pairs(self) -> tuple[MatchPair, ...]:
        """Matching pairs that are asked (extra right-hand options left out)."""
        return tuple(a for a in self.answers if isinstance(a, MatchPair) and a.left)

    @property
    def right_texts(self) -> tuple[str, ...]:
        """Every right-hand option a matching question offers, once each, as authored."""
        seen: dict[str, None] = {}
        for answer in self.answers:
            if isinstance(answer, MatchPair):
                seen.setdefault(answer.right)
        return tuple(seen)

    @property
    def truefalse(self) -> TrueFalseAnswer | None:
        for answer in self.answers:
            if isinstance(answer, TrueFalseAnswer):
                return answer
        return None

    @property
    def is_choice(self) -> bool:
        """Answered by picking from ``choices`` (radio buttons or checkboxes)."""
        return self.qtype in _CHOICE_TYPES or (
            self.qtype is QuestionType.MISSINGWORD
            and self.missing_word_style is MissingWordStyle.CHOICE
        )

    @property
    def is_typed_text(self) -> bool:
        """Answered by typing words that are compared with ``choices``."""
        return self.qtype is QuestionType.SHORTANSWER or (
            self.qtype is QuestionType.MISSINGWORD
            and self.missing_word_style is MissingWordStyle.SHORT
        )

    @property
    def is_gradable(self) -> bool:
        return self.qtype not in _UNGRADED

    @property
    def max_fraction(self) -> float:
        """The best mark any response can earn (before clamping to 1)."""
        if not self.is_gradable:
            return 0.0
        if self.qtype in (QuestionType.TRUEFALSE, QuestionType.MATCHING):
            return 1.0
        if self.qtype is QuestionType.MULTIRESPONSE:
            return sum(c.fraction for c in self.choices if c.fraction > 0)
        fractions = [getattr(a, "fraction", 0.0) for a in self.answers]
        return max(fractions, default=0.0)

    @property
    def correct_answers(self) -> tuple[Answer, ...]:
        """The answers a fully right response is made of.

        Multiple response: every positively weighted choice. Matching: every asked pair.
        True/false: the one answer. Otherwise: each answer worth full marks.
        """
        if self.qtype is QuestionType.MULTIRESPONSE:
            return tuple(c for c in self.choices if c.fraction > 0)
        if self.qtype is QuestionType.MATCHING:
            return self.pairs
        if self.qtype is QuestionType.TRUEFALSE:
            return self.answers
        return tuple(a for a in self.answers if getattr(a, "fraction", 0.0) >= FULL_MARKS)

    @property
    def has_correct_answer(self) -> bool:
        """False only for a gradable question that no response could get fully right."""
        return not self.is_gradable or self.max_fraction >= FULL_MARKS


def format_number(number: float) -> str:
    """Shortest text that reads back as the same float: ``3`` not ``3.0``."""
    if number.is_integer() and abs(number) < 1e15:
        return str(int(number))
    return repr(number)
