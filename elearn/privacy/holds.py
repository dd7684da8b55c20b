"""Reasons a person's records must be kept, which block erasure.

Domains register a check at import time; each returns a human reason or None. Erasure is
refused while any check gives a reason (e.g. an open safeguarding record).
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

Hold = Callable[[Session, int], str | None]

HOLDS: list[Hold] = []


def register_hold(check: Hold) -> Hold:
    HOLDS.append(check)
    return check


def reasons_to_keep(session: Session, user_id: int) -> list[str]:
    return [reason for check in HOLDS if (reason := check(session, user_id))]
