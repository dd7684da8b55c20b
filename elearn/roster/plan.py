"""What an import would do: the stored state it starts from and the changes it plans.

Plain frozen data, shared by the planner, the services that apply a plan and the pages and
command that show one.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import date

from elearn.auth.roles import Role, StaffKind
from elearn.roster.records import Format, RowError, Where


@dataclass(frozen=True)
class ExistingPerson:
    id: int
    username: str
    display_name: str
    email: str | None
    role: Role
    academy_id: int | None
    year_group: int | None
    staff_kind: StaffKind | None
    start_on: date | None
    roster_id: str | None
    active: bool
    erased: bool = False
    left_on: date | None = None


@dataclass(frozen=True)
class ExistingAcademy:
    id: int
    name: str
    code: str
    roster_id: str | None


@dataclass(frozen=True)
class Snapshot:
    people: tuple[ExistingPerson, ...] = ()
    academies: tuple[ExistingAcademy, ...] = ()
    links: frozenset[tuple[int, int]] = frozenset()  # (parent id, pupil id)


@dataclass(frozen=True)
class AcademyPlan:
    where: Where
    roster_id: str
    name: str
    code: str
    urn: str | None
    existing_id: int | None = None
    changes: tuple[str, ...] = ()


@dataclass(frozen=True)
class PersonValues:
    username: str
    display_name: str
    email: str | None
    role: Role
    staff_kind: StaffKind | None
    year_group: int | None
    start_on: date | None
    roster_id: str | None
    academy_id: int | None
    academy_roster_id: str | None  # an academy this same import creates
    academy_name: str
    # False when the roster curtails access (OneRoster enabledUser=false): on the roll, no
    # leaving date, but no sign-in.
    can_sign_in: bool = True


@dataclass(frozen=True)
class PersonPlan:
    where: Where | None
    values: PersonValues
    existing_id: int | None = None
    changes: tuple[str, ...] = ()
    reason: str = ""
    left_on: date | None = None


@dataclass(frozen=True)
class LinkPlan:
    parent: str  # usernames as they will be after the import
    pupil: str
    parent_name: str
    pupil_name: str


@dataclass(frozen=True)
class Plan:
    format: Format
    files: tuple[str, ...]
    as_of: date
    academies: tuple[AcademyPlan, ...] = ()
    creates: tuple[PersonPlan, ...] = ()
    updates: tuple[PersonPlan, ...] = ()
    deactivations: tuple[PersonPlan, ...] = ()
    links_added: tuple[LinkPlan, ...] = ()
    links_removed: tuple[LinkPlan, ...] = ()
    unchanged: int = 0
    errors: tuple[RowError, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def has_changes(self) -> bool:
        return any(
            (
                self.academies,
                self.creates,
                self.updates,
                self.deactivations,
                self.links_added,
                self.links_removed,
            )
        )

    @property
    def fingerprint(self) -> str:
        """Identifies exactly these changes: confirming applies only what was reviewed."""
        text = json.dumps(asdict(self), sort_keys=True, default=str)
        return hashlib.sha256(text.encode()).hexdigest()

    def summary(self) -> dict[str, int]:
        return {
            "academies": len(self.academies),
            "created": len(self.creates),
            "updated": len(self.updates),
            "deactivated": len(self.deactivations),
            "links_added": len(self.links_added),
            "links_removed": len(self.links_removed),
            "unchanged": self.unchanged,
            "errors": len(self.errors),
        }


CHANGE_LABELS = {
    "display_name": "name",
    "username": "username",
    "email": "e-mail",
    "academy": "academy",
    "year_group": "year group",
    "role": "role",
    "staff_kind": "kind of staff",
    "start_on": "start date",
    "roster_id": "roster id",
    "active": "back from leaving",
    "access_restored": "can sign in again",
    "curtailed": "access curtailed (cannot sign in, stays on the roll)",
}


def describe_changes(changes: Iterable[str]) -> str:
    return ", ".join(CHANGE_LABELS.get(c, c) for c in changes)
