"""Finding and removing a person's name, username and e-mail address inside stored text.

Erasure anonymises the person's own row, but copies of those details can sit in other
records: an audit entry's detail, the name someone gave an LRS credential, a roster file
waiting for confirmation. Erasers use these helpers to find such records with one query per
table and to replace each copy with ``REMOVED``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, Text, cast, false, func, or_

from elearn.auth.models import User

REMOVED = "[removed]"
# Shorter strings would match too much unrelated text to be worth replacing.
_SHORTEST = 3


def identifiers_of(user: User) -> tuple[str, ...]:
    """The strings that name this person: display name, username and e-mail address."""
    found = []
    for value in (user.display_name, user.username, user.email):
        value = (value or "").strip()
        if len(value) >= _SHORTEST and value.lower() not in (v.lower() for v in found):
            found.append(value)
    return tuple(found)


def _json_form(term: str) -> str:
    """How ``term`` appears inside stored JSON text (non-ASCII letters are escaped)."""
    return json.dumps(term)[1:-1]


def mentions(column: Any, terms: Sequence[str], *, stored_as_json: bool = False) -> ColumnElement:
    """A condition true for rows whose column contains any of ``terms`` (any case)."""
    if not terms:
        return false()
    text = func.lower(cast(column, Text)) if stored_as_json else func.lower(column)
    forms = [_json_form(t) if stored_as_json else t for t in terms]
    return or_(*(text.contains(form.lower(), autoescape=True) for form in forms))


def _pattern(terms: Sequence[str]) -> re.Pattern[str]:
    # Longest first, so an e-mail address goes as a whole rather than its username part.
    alternatives = "|".join(re.escape(t) for t in sorted(terms, key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)


def scrub_text(text: str, terms: Sequence[str]) -> str:
    """``text`` with every whole occurrence of each term replaced by ``REMOVED``."""
    return _pattern(terms).sub(REMOVED, text) if terms and text else text


def scrub(value: Any, terms: Sequence[str]) -> Any:
    """A copy of JSON-like ``value`` with the terms removed from every string (keys too)."""
    if isinstance(value, str):
        return scrub_text(value, terms)
    if isinstance(value, list):
        return [scrub(item, terms) for item in value]
    if isinstance(value, dict):
        return {scrub_text(str(k), terms): scrub(v, terms) for k, v in value.items()}
    return value
