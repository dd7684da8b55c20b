"""Academy-local time for forms and pages; everything stored stays in UTC."""

from __future__ import annotations

from datetime import UTC, date, datetime, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


def _local_zone() -> tzinfo:
    try:
        return ZoneInfo("Europe/London")
    except ZoneInfoNotFoundError:  # pragma: no cover - tzdata is a dependency
        return UTC


LOCAL_ZONE = _local_zone()


def from_local(value: datetime) -> datetime:
    """A wall-clock time typed into a form (UK time) as an aware UTC datetime."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=LOCAL_ZONE)
    return value.astimezone(UTC)


def to_local(value: datetime) -> datetime:
    return value.astimezone(LOCAL_ZONE)


def format_at(value: datetime | None) -> str:
    """E.g. ``Tue 4 March 2025, 14:05``; an empty string for no time."""
    if value is None:
        return ""
    local = to_local(value)
    return f"{local:%a} {local.day} {local:%B %Y, %H:%M}"


def format_on(value: date | datetime | None) -> str:
    """E.g. ``4 March 2025``."""
    if value is None:
        return ""
    local = to_local(value) if isinstance(value, datetime) else value
    return f"{local.day} {local:%B %Y}"
