"""Template filters for how dates and times read in a UK school."""

from __future__ import annotations

from datetime import date, datetime

from flask import Flask

from elearn.compliance.formatting import long_date
from elearn.compliance.rules import UK


def ukdate(value: date | datetime | None) -> str:
    """``3 March 2027``; times are shown as their London date."""
    if isinstance(value, datetime):
        value = value.astimezone(UK).date()
    return long_date(value)


def ukdatetime(value: datetime | None) -> str:
    """``3 March 2027, 14:05`` in London time."""
    if value is None:
        return ""
    local = value.astimezone(UK)
    return f"{long_date(local.date())}, {local:%H:%M}"


def init_app(app: Flask) -> None:
    app.jinja_env.filters["ukdate"] = ukdate
    app.jinja_env.filters["ukdatetime"] = ukdatetime
