"""Quiz questions as xAPI interactions: their interaction types and response formats.

The spec fixes how a learner's response (and each correct response pattern) is written for each
interaction type, e.g. choice ids joined with ``[,]`` or matching pairs as ``source[.]target``.
:func:`format_response` is the one place elearn writes those strings.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any


class InteractionKind(StrEnum):
    """The xAPI interaction types elearn's question kinds map to."""

    CHOICE = "choice"
    TRUE_FALSE = "true-false"
    FILL_IN = "fill-in"
    LONG_FILL_IN = "long-fill-in"
    NUMERIC = "numeric"
    MATCHING = "matching"
    OTHER = "other"


# The quiz bank's GIFT question types, by the names Moodle uses. A missing-word question can be
# choice-style or short-answer-style, so the caller must say which (choice or fill-in).
_GIFT_KINDS: dict[str, InteractionKind] = {
    "multichoice": InteractionKind.CHOICE,
    "multiresponse": InteractionKind.CHOICE,
    "truefalse": InteractionKind.TRUE_FALSE,
    "shortanswer": InteractionKind.FILL_IN,
    "numerical": InteractionKind.NUMERIC,
    "matching": InteractionKind.MATCHING,
    "essay": InteractionKind.LONG_FILL_IN,
    "description": InteractionKind.OTHER,
}


def interaction_kind(kind: str) -> InteractionKind:
    """The interaction type for a question kind: an xAPI name or a GIFT question type."""
    kind = str(kind)
    if kind in _GIFT_KINDS:
        return _GIFT_KINDS[kind]
    if kind == "missingword":
        raise ValueError("a missingword question is choice or fill-in: pass whichever it is")
    try:
        return InteractionKind(kind)
    except ValueError:
        known = ", ".join([*(k.value for k in InteractionKind), *_GIFT_KINDS])
        raise ValueError(f"no interaction type for question kind {kind!r}; use {known}") from None


def format_response(kind: InteractionKind | str, value: Any) -> str:
    """Write a learner's response (or a correct response) in the spec's format for ``kind``.

    - choice: a choice id or a sequence of ids, joined with ``[,]``
    - true-false: a bool, written ``true`` / ``false``
    - fill-in, long-fill-in: a string or a sequence of strings, joined with ``[,]``
    - matching: ``(source_id, target_id)`` pairs, written ``source[.]target[,]…``
    - numeric: a number (int, float, Decimal or numeric text), or a ``(low, high)`` range with
      None for an open end, written ``low[:]high``
    - other: a string, as it is
    """
    kind = interaction_kind(kind)
    if kind is InteractionKind.TRUE_FALSE:
        if not isinstance(value, bool):
            raise TypeError("a true-false response must be a bool")
        return "true" if value else "false"
    if kind is InteractionKind.NUMERIC:
        if isinstance(value, tuple):
            low, high = value
            return (
                f"{'' if low is None else _number(low)}[:]{'' if high is None else _number(high)}"
            )
        return _number(value)
    if kind is InteractionKind.MATCHING:
        return "[,]".join(f"{_text(s)}[.]{_text(t)}" for s, t in value)
    if kind in (InteractionKind.CHOICE, InteractionKind.FILL_IN, InteractionKind.LONG_FILL_IN):
        items = [value] if isinstance(value, str) else list(value)
        return "[,]".join(_text(item) for item in items)
    return _text(value)


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError(f"expected text, got {type(value).__name__}")
    return value


def _number(value: Any) -> str:
    if isinstance(value, bool):
        raise TypeError("a numeric response must be a number, not a bool")
    if isinstance(value, int):
        return str(value)
    try:
        number = Decimal(str(value).strip()) if isinstance(value, str | float) else Decimal(value)
    except (InvalidOperation, TypeError) as exc:
        raise ValueError(f"not a number: {value!r}") from exc
    if not number.is_finite():
        raise ValueError(f"not a finite number: {value!r}")
    # Fixed-point text without exponent or trailing zeros: 2.50 -> 2.5, 1E+2 -> 100.
    text = format(number.normalize(), "f")
    return "0" if text in ("-0", "") else text
