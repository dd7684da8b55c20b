"""How compliance writes dates for people: "3 March 2027", as UK schools write them."""

from __future__ import annotations

from datetime import date

# Spelled out rather than taken from the locale, which on a server is rarely en-GB.
MONTHS = (
    "January February March April May June July August September October November December"
).split()


def long_date(day: date | None) -> str:
    """A date the way it is written in UK letters; empty for no date."""
    if day is None:
        return ""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"
