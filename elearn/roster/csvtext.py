"""Reading CSV text with the line number each record starts on, and tidying common values.

Files come from school systems and from spreadsheets, so: a byte-order mark, Windows-1252
text, header names in any case, blank lines and dates written the British way are all fine.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime


def decode(data: bytes) -> str:
    """Text of an uploaded file: UTF-8 (with or without BOM), else Windows-1252."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def header_key(name: str) -> str:
    """``Given Name``, ``given_name`` and ``givenName`` all become ``givenname``."""
    return re.sub(r"[\s_\-]+", "", name.strip().lower())


@dataclass(frozen=True)
class CsvRow:
    line: int
    values: dict[str, str]

    def get(self, key: str) -> str:
        return (self.values.get(key) or "").strip()


@dataclass(frozen=True)
class CsvTable:
    headers: tuple[str, ...]  # as keys (see ``header_key``)
    rows: tuple[CsvRow, ...]


def read_table(text: str, aliases: dict[str, str] | None = None) -> CsvTable:
    """Parse CSV text; each row's values are keyed by normalised header (aliases applied)."""
    aliases = aliases or {}
    reader = csv.reader(io.StringIO(text, newline=""))
    headers: list[str] | None = None
    rows: list[CsvRow] = []
    for line, record in _records(reader):
        if not any(cell.strip() for cell in record):
            continue
        if headers is None:
            keys = [header_key(cell) for cell in record]
            headers = [aliases.get(key, key) for key in keys]
            continue
        padded = record + [""] * (len(headers) - len(record))
        rows.append(CsvRow(line, dict(zip(headers, padded, strict=False))))
    return CsvTable(tuple(headers or ()), tuple(rows))


def _records(reader: Iterator[list[str]]) -> Iterator[tuple[int, list[str]]]:
    # csv's line_num counts physical lines read so far, so a record starts one after the
    # previous record ended (quoted fields may span several lines).
    previous_end = 0
    for record in reader:
        yield previous_end + 1, record
        previous_end = reader.line_num  # type: ignore[attr-defined]


def split_list(value: str) -> tuple[str, ...]:
    """OneRoster lists are comma separated; people also type semicolons or spaces."""
    return tuple(part for part in re.split(r"[,;\s]+", value.strip()) if part)


def parse_date(value: str) -> date:
    """ISO dates (2025-09-01) or British ones (01/09/2025); raises ValueError otherwise."""
    value = value.strip()
    for pattern in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y"):
        try:
            return datetime.strptime(value, pattern).date()
        except ValueError:
            continue
    # OneRoster allows full timestamps in date columns.
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).date()
    except ValueError as error:
        raise ValueError(f"'{value}' is not a date; write it as 2025-09-01") from error


_RECEPTION = {"r", "rec", "reception", "kg", "yr", "yearr", "yearreception"}


def parse_year(value: str) -> int:
    """A year group from ``5``, ``05``, ``Year 5``, ``Y5`` or ``Reception``; 0 is Reception."""
    raw = re.sub(r"\s+", "", value.strip().lower())
    if raw in _RECEPTION:
        return 0
    match = re.fullmatch(r"(?:year|yr|y)?0*(\d{1,2})", raw)
    if not match or not 0 <= int(match.group(1)) <= 13:
        raise ValueError(f"'{value}' is not a year group; use Reception or 1 to 13")
    return int(match.group(1))


USERNAME = re.compile(r"^[a-z0-9][a-z0-9._@-]{1,78}[a-z0-9]$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def username_problem(username: str) -> str | None:
    if not username:
        return "the username is empty"
    if not USERNAME.match(username):
        return (
            f"the username '{username}' is not usable: use 3 to 80 letters, digits, dots, @, "
            "dashes or underscores"
        )
    return None


def email_problem(email: str | None) -> str | None:
    if email is not None and (len(email) > 254 or not EMAIL.match(email)):
        return f"'{email}' is not an e-mail address"
    return None
