"""The value formats xAPI statements use: recognising them, and writing the ones elearn writes.

Shared by the validator, the statement comparison and the statement builders, so all three agree
on what a UUID, IRI, language tag, timestamp or duration looks like.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
# An absolute IRI: a scheme, a colon, then none of the characters RFC 3987 never allows.
_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:[^\s<>\"{}|\\^`]+$")
_MAILTO = re.compile(r"^mailto:[^@\s]+@[^@\s]+\.[^@\s]+$")
_SHA1 = re.compile(r"^[0-9a-fA-F]{40}$")
# SHA-224, SHA-256, SHA-384 or SHA-512, hex-encoded.
_SHA2 = re.compile(r"^(?:[0-9a-fA-F]{56}|[0-9a-fA-F]{64}|[0-9a-fA-F]{96}|[0-9a-fA-F]{128})$")
_MEDIA_TYPE = re.compile(r"^[\w.+\-]+/[\w.+\-]+(?:\s*;.*)?$")
# The patch number may be left out: "1.0" is a 1.0.x statement.
_VERSION = re.compile(r"^(?:1\.0|2\.0)(?:\.\d+)?$")
# ISO 8601 date and time, extended or basic, which must end in a zone designator. A negative
# zero offset (-00, -0000, -00:00) says "the local offset is unknown" (RFC 3339), so the
# instant is unknown too: xAPI refuses it.
_TIMESTAMP = re.compile(
    r"^\d{4}-?\d{2}-?\d{2}T\d{2}(?::?\d{2}(?::?\d{2}(?:[.,]\d+)?)?)?"
    r"(?:Z|\+\d{2}(?::?\d{2})?|-(?!00(?::?00)?$)\d{2}(?::?\d{2})?)$"
)
_N = r"\d+(?:[.,]\d+)?"
# ISO 8601 duration in the designator format (PnYnMnDTnHnMnS or PnW), never the alternative
# format that looks like a time of day.
_DURATION = re.compile(
    rf"^P(?:{_N}W|(?=\d|T\d)(?:{_N}Y)?(?:{_N}M)?(?:{_N}D)?"
    rf"(?:T(?=\d)(?:{_N}H)?(?:{_N}M)?(?:{_N}S)?)?)$"
)
# RFC 5646 language tag: language, script, region, variants, extensions, private use.
_LANGTAG = re.compile(
    r"^(?:(?:[A-Za-z]{2,3}(?:-[A-Za-z]{3}){0,3}|[A-Za-z]{4,8})"
    r"(?:-[A-Za-z]{4})?(?:-(?:[A-Za-z]{2}|\d{3}))?"
    r"(?:-(?:[A-Za-z\d]{5,8}|\d[A-Za-z\d]{3}))*"
    r"(?:-[0-9A-WY-Za-wy-z](?:-[A-Za-z\d]{2,8})+)*"
    r"(?:-x(?:-[A-Za-z\d]{1,8})+)?|x(?:-[A-Za-z\d]{1,8})+)$"
)
# Tags registered before RFC 5646's grammar that it still accepts whole.
_GRANDFATHERED = frozenset(
    "en-gb-oed i-ami i-bnn i-default i-enochian i-hak i-klingon i-lux i-mingo i-navajo i-pwn "
    "i-tao i-tay i-tsu sgn-be-fr sgn-be-nl sgn-ch-de".split()
)


def is_uuid(value: Any) -> bool:
    """A UUID in standard string form (8-4-4-4-12 hexadecimal digits)."""
    return isinstance(value, str) and bool(_UUID.match(value))


def is_iri(value: Any) -> bool:
    """An absolute IRI: it has a scheme and no characters an IRI cannot hold."""
    return isinstance(value, str) and bool(_IRI.match(value))


def is_irl(value: Any) -> bool:
    """An IRI that can be resolved: for http(s) that means it names a host."""
    if not is_iri(value):
        return False
    parts = urlsplit(value)
    return parts.scheme.lower() not in ("http", "https") or bool(parts.hostname)


def is_mailto(value: Any) -> bool:
    return isinstance(value, str) and bool(_MAILTO.match(value))


def is_sha1(value: Any) -> bool:
    return isinstance(value, str) and bool(_SHA1.match(value))


def is_sha2(value: Any) -> bool:
    return isinstance(value, str) and bool(_SHA2.match(value))


def is_media_type(value: Any) -> bool:
    return isinstance(value, str) and bool(_MEDIA_TYPE.match(value))


def is_version(value: Any) -> bool:
    """A statement version an LRS accepts: 1.0.x or 2.0.x (1.0 and 2.0 included)."""
    return isinstance(value, str) and bool(_VERSION.match(value))


def is_language_tag(value: Any) -> bool:
    return isinstance(value, str) and (
        bool(_LANGTAG.match(value)) or value.lower() in _GRANDFATHERED
    )


def is_duration(value: Any) -> bool:
    return isinstance(value, str) and bool(_DURATION.match(value))


def is_timestamp(value: Any) -> bool:
    try:
        parse_timestamp(value)
    except ValueError:
        return False
    return True


def parse_timestamp(value: Any) -> datetime:
    """Parse an xAPI timestamp (ISO 8601 with a zone) to an aware datetime; ValueError if bad."""
    if not isinstance(value, str) or not _TIMESTAMP.match(value):
        raise ValueError(f"not an ISO 8601 timestamp with a time zone: {value!r}")
    return datetime.fromisoformat(value)


def utc(when: datetime) -> datetime:
    """``when`` in UTC; ValueError for a naive datetime, whose instant is unknown."""
    if when.tzinfo is None or when.utcoffset() is None:
        raise ValueError("timestamp must be a timezone-aware datetime")
    return when.astimezone(UTC)


def format_timestamp(when: datetime) -> str:
    """An aware datetime as UTC to the millisecond, e.g. ``2024-09-01T09:30:00.250Z``."""
    when = utc(when)
    return when.strftime("%Y-%m-%dT%H:%M:%S") + f".{when.microsecond // 1000:03d}Z"


def format_duration(duration: timedelta) -> str:
    """A duration in ISO 8601 seconds to 0.01 s, e.g. ``PT75S`` or ``PT75.5S``."""
    if duration < timedelta(0):
        raise ValueError("a duration cannot be negative")
    whole, hundredths = divmod(duration // timedelta(milliseconds=10), 100)
    if not hundredths:
        return f"PT{whole}S"
    return f"PT{whole}.{hundredths:02d}".rstrip("0") + "S"
