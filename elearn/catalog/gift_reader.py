"""The text-level half of the GIFT parser: escapes, and reading one question's text.

``gift.parse_gift`` splits a bank into questions and handles comments, categories and
ids; ``QuestionReader`` turns one question's lines into a ``Question``, reporting each
problem on the exact line it is on.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import NamedTuple

from elearn.catalog.errors import ContentError
from elearn.catalog.gift_model import (
    FULL_MARKS,
    Choice,
    MatchPair,
    MissingWordStyle,
    NumericalAnswer,
    Question,
    QuestionType,
    TextFormat,
    TrueFalseAnswer,
    format_number,
)

ESCAPABLE = "\\~=#{}:"
_ESCAPE = re.compile(r"\\(.)", re.DOTALL)
_FORMAT_TAG = re.compile(r"\[(markdown|html|plain|moodle)\]", re.IGNORECASE)
_WEIGHT = re.compile(r"%(-?\d+(?:\.\d+)?)%")
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
# Moodle compares these case-sensitively: "{true}" is a short answer whose answer is "true".
_TRUE_WORDS = frozenset({"T", "TRUE"})
_FALSE_WORDS = frozenset({"F", "FALSE"})
# Moodle's import refuses any other grade (question_bank's full list of fractions).
_MOODLE_PERCENTS = (
    100.0, 90.0, 83.33333, 80.0, 75.0, 70.0, 66.66667, 60.0, 50.0, 40.0, 33.33333,
    30.0, 25.0, 20.0, 16.66667, 14.28571, 12.5, 11.11111, 10.0, 5.0, 0.0,
)  # fmt: skip
_PERCENT_SLACK = 0.001


def unescape(text: str) -> str:
    r"""Turn GIFT escapes (``\~ \= \# \{ \} \: \\`` and ``\n``) into the characters they mean."""

    def one(match: re.Match[str]) -> str:
        char = match.group(1)
        if char == "n":
            return "\n"
        return char if char in ESCAPABLE else match.group(0)

    return _ESCAPE.sub(one, text)


def escape(text: str) -> str:
    """Write text so GIFT reads it back unchanged (the inverse of ``unescape``)."""
    out = []
    for char in text:
        if char in ESCAPABLE:
            out.append("\\" + char)
        elif char == "\n":
            out.append("\\n")
        elif char != "\r":
            out.append(char)
    return "".join(out)


class Segment(NamedTuple):
    """One answer inside ``{…}``: its marker (``=``/``~``) at ``at``, its text from ``body``.

    Moodle also reads text before the first marker as an answer (``{Paris =paris}``); that
    segment's marker is implied by the question and ``at == body``.
    """

    at: int
    marker: str
    body: int
    end: int


@dataclass
class Source:
    """The question's text lines joined, with escapes masked so searches skip them."""

    raw: str
    masked: str
    starts: list[int] = field(default_factory=list)
    numbers: list[int] = field(default_factory=list)

    @classmethod
    def of(cls, body: list[tuple[int, str]]) -> Source:
        raw = "\n".join(line for _, line in body)
        # Same length as raw, so an offset found in one is valid in the other.
        masked = _ESCAPE.sub(lambda m: "\0\0", raw)
        starts, offset = [], 0
        for _, line in body:
            starts.append(offset)
            offset += len(line) + 1
        return cls(raw, masked, starts, [number for number, _ in body])

    def line(self, offset: int) -> int:
        return self.numbers[max(bisect_right(self.starts, offset) - 1, 0)]

    def text(self, start: int, end: int) -> str:
        return unescape(self.raw[start:end]).strip()

    def part(self, start: int, end: int) -> tuple[str, TextFormat | None]:
        """An answer or feedback: its own ``[format]`` tag, if any, and its text.

        Continuation lines lose their indentation: authors indent answer blocks for
        layout, and kept indentation would turn into a code block in Markdown.
        """
        pos = self.skip_space(start, end)
        text_format = None
        tag = _FORMAT_TAG.match(self.masked, pos, end)
        if tag:
            text_format, start = TextFormat(tag.group(1).lower()), tag.end()
        lines = unescape(self.raw[start:end]).strip().split("\n")
        return "\n".join(line.strip() for line in lines), text_format

    def skip_space(self, start: int, end: int) -> int:
        while start < end and self.masked[start].isspace():
            start += 1
        return start

    def is_blank(self, start: int, end: int) -> bool:
        return not self.masked[start:end].strip()

    def markers(self, start: int, end: int, chars: str) -> list[int]:
        return [i for i in range(start, end) if self.masked[i] in chars]


class QuestionReader:
    """Parses one question's text; problems go to ``errors`` with their exact line."""

    def __init__(self, source: Source, path: str, errors: list[ContentError]) -> None:
        self.src = source
        self.path = path
        self.errors = errors
        self.text_format = TextFormat.MOODLE

    def error(self, offset: int, message: str) -> None:
        self.errors.append(ContentError(self.path, self.src.line(offset), message))

    def read(self, category: str, tags: tuple[str, ...]) -> Question | None:
        src, masked = self.src, self.src.masked
        end = len(masked)
        pos = src.skip_space(0, end)
        start_line = src.line(pos)
        title = ""
        if masked.startswith("::", pos):
            close = masked.find("::", pos + 2)
            if close < 0:
                # As Moodle: the :: is dropped and the question goes untitled.
                pos = src.skip_space(pos + 2, end)
            else:
                title = src.text(pos + 2, close)
                pos = src.skip_space(close + 2, end)
        text_format = TextFormat.MOODLE
        tag = _FORMAT_TAG.match(masked, pos)
        if tag:
            text_format = TextFormat(tag.group(1).lower())
            pos = tag.end()
        self.text_format = text_format
        base = Question(
            id="",
            title=title,
            qtype=QuestionType.DESCRIPTION,
            text="",
            text_format=text_format,
            category=category,
            tags=tuple(dict.fromkeys(tags)),
            line=start_line,
        )
        opening, closing = masked.find("{", pos), masked.find("}", pos)
        if opening < 0 and closing < 0:
            text = src.text(pos, end)
            if not text:
                self.error(pos, "the question has no text")
                return None
            return replace(base, text=text)
        if opening < 0 or 0 <= closing < opening:
            self.error(closing, "found } without a { before it (write \\} for a literal brace)")
            return None
        if closing < 0:
            self.error(opening, "unclosed {: the answer block has no closing }")
            return None
        inner_open = masked.find("{", opening + 1, closing)
        if inner_open >= 0:
            self.error(opening, "unclosed {: another { starts before this answer block is closed")
            return None
        stray = min((i for i in (masked.find(c, closing + 1) for c in "{}") if i >= 0), default=-1)
        if stray >= 0:
            self.error(
                stray,
                "only one answer block {…} is allowed per question "
                "(write \\{ or \\} for a literal brace)",
            )
            return None
        text, text_after = src.text(pos, opening), src.text(closing + 1, end)
        if not text and not text_after:
            self.error(opening, "the question has no text before its answers")
            return None
        question = self._answers(replace(base, text=text), opening + 1, closing)
        if question is None or not text_after:
            return question
        if question.qtype is QuestionType.MULTICHOICE:
            style = MissingWordStyle.CHOICE
        elif question.qtype is QuestionType.SHORTANSWER:
            style = MissingWordStyle.SHORT
        else:
            # Moodle puts the blank where the block was for every type ("{#3.14:0.01}.").
            return replace(question, text_after=text_after)
        return replace(
            question,
            qtype=QuestionType.MISSINGWORD,
            text_after=text_after,
            missing_word_style=style,
        )

    def _answers(self, base: Question, start: int, end: int) -> Question | None:
        src, masked = self.src, self.src.masked
        general = masked.rfind("####", start, end)
        if general >= 0:
            base = replace(base, general_feedback=src.part(general + 4, end)[0])
            end = general
        first = src.skip_space(start, end)
        if src.is_blank(first, end):
            return replace(base, qtype=QuestionType.ESSAY)
        if masked[first] == "#":
            return self._numerical(base, first + 1, end)
        hash_at = masked.find("#", first, end)
        head = masked[first : hash_at if hash_at >= 0 else end].strip()
        if head in _TRUE_WORDS or head in _FALSE_WORDS:
            return self._truefalse(base, head in _TRUE_WORDS, hash_at, end)
        marks = src.markers(first, end, "=~")
        tildes = any(masked[m] == "~" for m in marks)
        ends = [*marks[1:], end] if marks else []
        segments = [Segment(m, masked[m], m + 1, e) for m, e in zip(marks, ends, strict=True)]
        if not marks or marks[0] != first:
            implied = "~" if tildes else "="
            segments.insert(0, Segment(first, implied, first, marks[0] if marks else end))
        arrows = [masked.find("->", s.body, s.end) >= 0 for s in segments]
        if any(arrows):
            if tildes or not all(arrows):
                self.error(
                    first,
                    "a matching question may only hold =left -> right pairs; "
                    "do not mix them with ~ or = choices",
                )
                return None
            return self._matching(base, segments, first)
        if tildes:
            return self._choice(base, segments, first)
        return self._short(base, segments, first)

    def _weighted(self, start: int, end: int, default: float) -> tuple[float, int] | None:
        """Read an optional ``%weight%`` at ``start``; return the fraction and where text starts."""
        src = self.src
        pos = src.skip_space(start, end)
        if pos >= end or src.masked[pos] != "%":
            return default, pos
        weight = _WEIGHT.match(src.masked, pos, end)
        if weight is None:
            snippet = src.raw[pos:end].split(maxsplit=1)[0][:20]
            self.error(
                pos,
                f"unknown weight syntax '{snippet}': write a percentage between percent "
                "signs, such as %50% or %-25%",
            )
            return None
        percent = float(weight.group(1))
        for allowed in _MOODLE_PERCENTS:
            if abs(abs(percent) - allowed) <= _PERCENT_SLACK:
                signed = allowed if percent >= 0 else -allowed
                return round(signed / 100, 7), weight.end()
        self.error(
            pos,
            f"weight {weight.group(0)} is not one Moodle accepts; use 100, 90, 83.33333, 80, "
            "75, 70, 66.66667, 60, 50, 40, 33.33333, 30, 25, 20, 16.66667, 14.28571, 12.5, "
            "11.11111, 10, 5 or 0 (or minus one of them)",
        )
        return None

    def _part(self, start: int, end: int) -> tuple[str, TextFormat | None]:
        """A part's text and its format, ``None`` where that is the question's own."""
        text, text_format = self.src.part(start, end)
        return text, None if text_format is self.text_format else text_format

    def _split_feedback(
        self, start: int, end: int
    ) -> tuple[str, TextFormat | None, str, TextFormat | None]:
        """An answer's text and its ``#feedback``, each with its own format tag if any."""
        hash_at = self.src.masked.find("#", start, end)
        if hash_at < 0:
            return *self._part(start, end), "", None
        return *self._part(start, hash_at), *self._part(hash_at + 1, end)

    def _choice_answers(
        self, segments: list[Segment], default: Callable[[str], float]
    ) -> list[Choice] | None:
        answers, ok = [], True
        for segment in segments:
            weighted = self._weighted(segment.body, segment.end, default(segment.marker))
            if weighted is None:
                ok = False
                continue
            fraction, text_start = weighted
            text, text_format, feedback, feedback_format = self._split_feedback(
                text_start, segment.end
            )
            if not text:
                self.error(segment.at, f"empty answer after {segment.marker}")
                ok = False
            answers.append(Choice(text, fraction, feedback, text_format, feedback_format))
        return answers if ok else None

    def _choice(self, base: Question, segments: list[Segment], at: int) -> Question | None:
        masked = self.src.masked
        single = any(s.marker == "=" for s in segments)
        for segment in segments:
            weight_at = self.src.skip_space(segment.body, segment.end)
            if segment.marker == "=" and masked[weight_at : weight_at + 1] == "%":
                self.error(
                    segment.at,
                    "in a choice question = always means 100%; "
                    "give part marks with ~ and a weight, such as ~%50%",
                )
                return None
        choices = self._choice_answers(segments, lambda m: 1.0 if m == "=" else 0.0)
        if choices is None:
            return None
        if len(choices) < 2:
            self.error(at, "a choice question needs at least 2 choices")
            return None
        if single:
            return replace(base, qtype=QuestionType.MULTICHOICE, answers=tuple(choices))
        positive = sum(c.fraction for c in choices if c.fraction > 0)
        if positive <= 0:
            self.error(
                at,
                "no correct answer: mark the right choice with =, or give the right "
                "choices weights such as ~%50% that add up to 100%",
            )
            return None
        if abs(positive - 1) > _PERCENT_SLACK:
            total = format_number(round(positive * 100, 5))
            self.error(
                at,
                f"the weights of the right choices add up to {total}%; they must add up to 100%",
            )
            return None
        return replace(base, qtype=QuestionType.MULTIRESPONSE, answers=tuple(choices))

    def _short(self, base: Question, segments: list[Segment], at: int) -> Question | None:
        answers = self._choice_answers(segments, lambda _: 1.0)
        if answers is None:
            return None
        if not any(a.fraction >= FULL_MARKS for a in answers):
            self.error(at, "no correct answer: at least one = answer must be worth 100%")
            return None
        return replace(base, qtype=QuestionType.SHORTANSWER, answers=tuple(answers))

    def _matching(self, base: Question, segments: list[Segment], at: int) -> Question | None:
        masked, pairs, ok = self.src.masked, [], True
        for seg_start, _, body, seg_end in segments:
            if masked.find("#", seg_start, seg_end) >= 0:
                self.error(
                    seg_start,
                    "matching pairs cannot have # feedback; use #### general feedback "
                    "(or write \\# for a literal #)",
                )
                ok = False
                continue
            arrow = masked.find("->", body, seg_end)
            left, left_format = self._part(body, arrow)
            right = self.src.text(arrow + 2, seg_end)
            if not right:
                self.error(seg_start, "a matching pair needs text after ->")
                ok = False
            pairs.append(MatchPair(left, right, left_format))
        if not ok:
            return None
        asked = sum(1 for p in pairs if p.left)
        if asked < 2:
            self.error(at, f"a matching question needs at least 2 pairs; it has {asked}")
            return None
        return replace(base, qtype=QuestionType.MATCHING, answers=tuple(pairs))

    def _truefalse(self, base: Question, correct: bool, hash_at: int, end: int) -> Question:
        wrong = right = ""
        if hash_at >= 0:
            second = self.src.masked.find("#", hash_at + 1, end)
            if second < 0:
                wrong = self.src.part(hash_at + 1, end)[0]
            else:
                wrong = self.src.part(hash_at + 1, second)[0]
                right = self.src.part(second + 1, end)[0]
        answer = TrueFalseAnswer(correct, wrong, right)
        return replace(base, qtype=QuestionType.TRUEFALSE, answers=(answer,))

    def _numerical(self, base: Question, start: int, end: int) -> Question | None:
        src = self.src
        marks = src.markers(start, end, "=~")
        # The "#" stands in as the marker of an answer written without "=" ("{#3:2~#No}").
        if not marks or not src.is_blank(start, marks[0]):
            marks.insert(0, start - 1)
        segments = list(zip(marks, [*marks[1:], end], strict=True))
        answers: list[NumericalAnswer] = []
        ok = True
        for seg_start, seg_end in segments:
            answer = self._number_answer(seg_start, seg_end)
            if answer is None:
                ok = False
            elif answer.is_catch_all and any(a.is_catch_all for a in answers):
                self.error(seg_start, "only one ~ (any other answer) is allowed")
                ok = False
            else:
                answers.append(answer)
        if not ok:
            return None
        if not any(a.is_correct for a in answers):
            self.error(start, "no correct answer: at least one number must be worth 100%")
            return None
        return replace(base, qtype=QuestionType.NUMERICAL, answers=tuple(answers))

    def _number_answer(self, seg_start: int, seg_end: int) -> NumericalAnswer | None:
        src = self.src
        catch_all = src.masked[seg_start] == "~"
        weighted = self._weighted(seg_start + 1, seg_end, 0.0 if catch_all else 1.0)
        if weighted is None:
            return None
        fraction, text_start = weighted
        spec, _, feedback, _ = self._split_feedback(text_start, seg_end)
        if catch_all:
            if spec:
                self.error(
                    seg_start,
                    "in a numerical question ~ gives feedback for any other answer; "
                    "write ~#feedback without a number",
                )
                return None
            return NumericalAnswer(fraction, feedback)
        if not spec:
            self.error(seg_start, "a numerical answer needs a number")
            return None
        line_at = src.skip_space(text_start, seg_end)
        if ".." in spec:
            low_text, high_text = (part.strip() for part in spec.split("..", 1))
            low, high = self._number(low_text, line_at), self._number(high_text, line_at)
            if low is None or high is None:
                return None
            if low > high:
                self.error(line_at, f"the range {spec} starts above where it ends")
                return None
            return NumericalAnswer(fraction, feedback, minimum=low, maximum=high)
        value_text, _, tolerance_text = spec.partition(":")
        value = self._number(value_text.strip(), line_at)
        tolerance = self._number(tolerance_text.strip(), line_at) if tolerance_text else 0.0
        if value is None or tolerance is None:
            return None
        if tolerance < 0:
            self.error(line_at, f"the tolerance in {spec} must not be negative")
            return None
        return NumericalAnswer(fraction, feedback, value=value, tolerance=tolerance)

    def _number(self, text: str, offset: int) -> float | None:
        if _NUMBER.fullmatch(text):
            number = float(text)
            if abs(number) != float("inf"):
                return number
        hint = " (use a full stop for decimals, not a comma)" if "," in text else ""
        self.error(offset, f"numerical answer '{text}' is not a number{hint}")
        return None
