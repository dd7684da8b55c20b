"""Numbers typed into URLs, parsed without surprises.

``str.isdigit`` is true for characters such as "²" that ``int`` refuses, so a bare
``int(raw) if raw.isdigit()`` answers 500 to a crafted link; these helpers never raise.
"""

from __future__ import annotations

# Nine digits: far beyond any id or page here, and small enough for every database's integer.
MAX_DIGITS = 9


def whole_number(raw: str | None) -> int | None:
    """A non-negative whole number written in ASCII digits, or None for anything else."""
    if raw is None or not raw.isascii() or not raw.isdigit() or len(raw) > MAX_DIGITS:
        return None
    return int(raw)
