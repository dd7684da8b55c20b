"""Reading CSV text with the line number each record starts on, and tidying common values.

Files come from school systems and from spreadsheets, so: a byte-order mark, Windows-1252
text, header names in any case, blank lines and dates written the British way are all fine.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
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


# No value in a roster is anywhere near this long (the longest, a list of a parent's
# children's ids, is a few hundred characters); a longer field is a broken or hostile file.
MAX_FIELD_CHARS = 2000
# The csv module's own ceiling stops a single field of megabytes being built in memory at all
# (it refuses the field mid-read); the length check below gives the clearer message.
_CSV_FIELD_LIMIT = 8 * MAX_FIELD_CHARS
if csv.field_size_limit() > _CSV_FIELD_LIMIT:
    csv.field_size_limit(_CSV_FIELD_LIMIT)


class CsvProblem(ValueError):
    """A file that cannot be read as a roster table at all; ``line`` is where it went wrong."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


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
    """Parse CSV text; each row's values are keyed by normalised header (aliases applied).

    Raises CsvProblem naming the line when a field is longer than ``MAX_FIELD_CHARS``.
    """
    aliases = aliases or {}
    reader = csv.reader(io.StringIO(text, newline=""))
    headers: list[str] | None = None
    rows: list[CsvRow] = []
    line = 1
    try:
        for line, record in _records(reader):
            if not any(cell.strip() for cell in record):
                continue
            if any(len(cell) > MAX_FIELD_CHARS for cell in record):
                raise CsvProblem(
                    line, f"a value is longer than {MAX_FIELD_CHARS} characters; nothing was read"
                )
            if headers is None:
                keys = [header_key(cell) for cell in record]
                headers = [aliases.get(key, key) for key in keys]
                continue
            padded = record + [""] * (len(headers) - len(record))
            rows.append(CsvRow(line, dict(zip(headers, padded, strict=False))))
    except csv.Error as error:
        # The reader stops inside the bad record; it started after the last good one.
        where = reader.line_num if "field larger" not in str(error) else line + 1
        if "field larger" in str(error):
            message = f"a value is longer than {MAX_FIELD_CHARS} characters; nothing was read"
        else:
            message = f"this is not readable CSV ({error})"
        raise CsvProblem(max(where, 1), message) from error
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
# Nursery (the two pre-school years some academies have) is stored below Reception, so year
# groups still sort in school order in one integer column: Nursery 1 is -2, Nursery 2 is -1.
NURSERY_1, NURSERY_2 = -2, -1
_NURSERY = {
    "n1": NURSERY_1,
    "nursery1": NURSERY_1,
    "n2": NURSERY_2,
    "nursery2": NURSERY_2,
}


def parse_year(value: str) -> int:
    """A year group from ``5``, ``05``, ``Year 5``, ``Y5``, ``Reception``/``R`` (0) or Nursery
    ``N1``/``N2`` (-2 and -1)."""
    raw = re.sub(r"[\s_\-]+", "", value.strip().lower())
    if raw in _RECEPTION:
        return 0
    if raw in _NURSERY:
        return _NURSERY[raw]
    if raw in ("n", "nursery", "pk", "yearn"):
        raise ValueError(f"'{value}' could be either nursery year: write N1 or N2")
    match = re.fullmatch(r"(?:year|yr|y)?0*(\d{1,2})", raw)
    if not match or not 0 <= int(match.group(1)) <= 13:
        raise ValueError(
            f"'{value}' is not a year group; use N1, N2, Reception or 1 to 13 (Year 5, Y5, 05)"
        )
    return int(match.group(1))


# Letters of any alphabet (aoife.o'neill, zoë.smith), digits and . ' @ - _; starting and
# ending with a letter or digit. Checked after ``normalise_username``.
_USERNAME_CHARS = re.compile(r"^[\w.'@-]+$")
USERNAME_MAX = 80


def normalise_username(value: str) -> str:
    """How a username is stored and compared: trimmed, one Unicode form (so an accent typed
    as one character or two is the same name), lower case, and a typographic apostrophe
    written as the plain one."""
    text = unicodedata.normalize("NFC", value.strip()).lower()
    return text.replace("\u2019", "'").replace("\u2018", "'")


def username_problem(username: str) -> str | None:
    if not username:
        return "the username is empty"
    if (
        not 3 <= len(username) <= USERNAME_MAX
        or not _USERNAME_CHARS.match(username)
        or not (username[0].isalnum() and username[-1].isalnum())
    ):
        return (
            f"the username '{username}' is not usable: use 3 to {USERNAME_MAX} letters, digits, "
            "dots, apostrophes, @, dashes or underscores, starting and ending with a letter "
            "or digit"
        )
    return None


EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def email_problem(email: str | None) -> str | None:
    if email is not None and (len(email) > 254 or not EMAIL.match(email)):
        return f"'{email}' is not an e-mail address"
    return None
