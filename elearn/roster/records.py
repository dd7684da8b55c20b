"""The shapes a roster takes between parsing and planning. Frozen, plain data."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from elearn.auth.roles import Role, StaffKind

Format = Literal["oneroster", "simple"]


@dataclass(frozen=True, order=True)
class RowError:
    """One bad row (or a whole file's problem, on line 1): where it is and what is wrong."""

    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file} line {self.line}: {self.message}"


@dataclass(frozen=True)
class Where:
    file: str
    line: int

    def error(self, message: str) -> RowError:
        return RowError(self.file, self.line, message)

    def __str__(self) -> str:
        return f"{self.file} line {self.line}"


@dataclass(frozen=True)
class OrgRecord:
    """An academy from OneRoster's orgs.csv (schools only; the trust itself is skipped)."""

    where: Where
    source_id: str
    name: str
    identifier: str | None


@dataclass(frozen=True)
class AcademyRef:
    """Which academy a row names: a OneRoster org id, or an academy's code or name."""

    org_id: str | None = None
    name_or_code: str | None = None

    @property
    def is_trust(self) -> bool:
        return self.org_id is None and self.name_or_code is None


@dataclass(frozen=True)
class PersonRecord:
    where: Where
    source_id: str | None  # OneRoster sourcedId; the simple format has none
    username: str
    display_name: str
    email: str | None
    role: Role
    staff_kind: StaffKind | None
    academy: AcademyRef
    year_group: int | None = None
    start_on: date | None = None
    leaving: bool = False
    left_on: date | None = None
    # OneRoster ``enabledUser=false``: still on the roll, but may not sign in for now.
    curtailed: bool = False
    # The people this row links to: pupils for a parent's row, parents for a pupil's row.
    # OneRoster gives sourcedIds, the simple format usernames.
    links: tuple[str, ...] = ()


@dataclass(frozen=True)
class RosterData:
    format: Format
    orgs: tuple[OrgRecord, ...] = ()
    people: tuple[PersonRecord, ...] = ()
    errors: tuple[RowError, ...] = ()
    # A full (bulk) roster: roster-managed people missing from it have left.
    full: bool = False
    files: tuple[str, ...] = field(default_factory=tuple)
    # Rows in the file that were refused, by the id other rows use for them (a sourcedId, or
    # a username in the simple format), so a reference to one names the real problem.
    refused: tuple[tuple[str, Where], ...] = ()
    refused_orgs: tuple[tuple[str, Where], ...] = ()
