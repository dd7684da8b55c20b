"""Whole numbers from URLs, query strings and forms: one parser for all of them.

Python's ``int`` and ``str.isdigit`` accept far more than a person types as a number:
``"²".isdigit()`` is true yet ``int("²")`` fails, ``int("٣")`` is 3, and a 30-digit id
overflows the database's 64-bit columns. Everything here accepts ASCII digits only, within
the range a database id can hold, and answers None (never an exception) for anything else.
"""

from __future__ import annotations

import re
from typing import Any

from werkzeug.routing import BaseConverter, Map, ValidationError
from wtforms import IntegerField

MAX_ID = 2**63 - 1
_ASCII_DIGITS = re.compile(r"[0-9]{1,19}")
# A minus sign is read only where the caller allows numbers below zero.
_SIGNED_ASCII_DIGITS = re.compile(r"-?[0-9]{1,19}")


def parse_whole_number(text: object, *, minimum: int = 0, maximum: int = MAX_ID) -> int | None:
    """The number ``text`` spells in ASCII digits, if it lies in ``minimum..maximum``."""
    if text is None:
        return None
    value = str(text).strip()
    pattern = _SIGNED_ASCII_DIGITS if minimum < 0 else _ASCII_DIGITS
    if not pattern.fullmatch(value):
        return None
    number = int(value)
    return number if minimum <= number <= maximum else None


def parse_id(text: object) -> int | None:
    """A database id (1 to 2**63-1), or None."""
    return parse_whole_number(text, minimum=1)


class IdConverter(BaseConverter):
    """Replaces Werkzeug's ``int`` converter: ``<int:user_id>`` matches only a real id.

    Anything else (Unicode digits, zero, a number too big for the database) does not match
    the rule, so the answer is 404 rather than an error deep in a query.
    """

    regex = r"[0-9]{1,19}"
    part_isolating = True
    weight = 50

    def __init__(self, map: Map, *args: Any, **kwargs: Any) -> None:
        super().__init__(map)

    def to_python(self, value: str) -> int:
        number = parse_id(value)
        if number is None:
            raise ValidationError()
        return number

    def to_url(self, value: Any) -> str:
        return str(int(value))


class WholeNumberField(IntegerField):
    """A form field for a whole number typed in ASCII digits (``IntegerField`` takes ``٣``)."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        if not valuelist:
            return
        raw = str(valuelist[0]).strip()
        if not raw:
            self.data = None
            return
        self.data = parse_whole_number(raw)
        if self.data is None:
            raise ValueError("Enter a whole number using the digits 0 to 9.")
