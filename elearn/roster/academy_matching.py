"""Matching the academies a roster names to those already stored."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from elearn.roster.plan import AcademyPlan, ExistingAcademy, Snapshot
from elearn.roster.records import AcademyRef, RosterData, RowError


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:40].strip("-") or "academy"


def _unique_code(base: str, taken: set[str]) -> str:
    code, n = _slug(base), 2
    while code in taken:
        suffix = f"-{n}"
        code, n = _slug(base)[: 40 - len(suffix)] + suffix, n + 1
    taken.add(code)
    return code


@dataclass
class Academies:
    """Where each academy reference in the file points: (existing id, new roster id, name)."""

    by_org: dict[str, tuple[int | None, str | None, str]] = field(default_factory=dict)
    by_key: dict[str, ExistingAcademy] = field(default_factory=dict)
    refused: dict[str, str] = field(default_factory=dict)  # org id → where its row is

    def resolve(self, ref: AcademyRef) -> tuple[int | None, str | None, str] | str:
        if ref.is_trust:
            return (None, None, "The trust")
        if ref.org_id is not None:
            found = self.by_org.get(ref.org_id)
            if found is None and ref.org_id in self.refused:
                return f"its school {ref.org_id} was refused ({self.refused[ref.org_id]})"
            if found is None:
                return f"its school {ref.org_id} could not be read from orgs.csv"
            return found
        academy = self.by_key.get((ref.name_or_code or "").lower())
        if academy is None:
            return f"there is no academy with the code or name '{ref.name_or_code}'"
        return (academy.id, None, academy.name)


def plan_academies(
    data: RosterData, snapshot: Snapshot, errors: list[RowError]
) -> tuple[list[AcademyPlan], Academies]:
    academies = Academies()
    for academy in snapshot.academies:
        academies.by_key[academy.code.lower()] = academy
        academies.by_key.setdefault(academy.name.lower(), academy)
    by_roster = {a.roster_id: a for a in snapshot.academies if a.roster_id}
    by_name = {a.name.lower(): a for a in snapshot.academies}
    codes = {a.code for a in snapshot.academies}
    plans: list[AcademyPlan] = []
    for org in data.orgs:
        existing = by_roster.get(org.source_id)
        named = by_name.get(org.name.lower())
        if existing is None and named is not None and named.roster_id is None:
            existing = named  # an academy added by hand before the first import: adopt it
        if existing is not None:
            if named is not None and named.id != existing.id:
                errors.append(org.where.error(f"another academy is already called {org.name}"))
                academies.refused[org.source_id] = str(org.where)
                continue
            changes = tuple(
                label
                for label, differs in (
                    ("roster id", existing.roster_id != org.source_id),
                    ("name", existing.name != org.name),
                )
                if differs
            )
            if changes:
                plans.append(
                    AcademyPlan(
                        org.where,
                        org.source_id,
                        org.name,
                        existing.code,
                        org.identifier,
                        existing.id,
                        changes,
                    )
                )
            academies.by_org[org.source_id] = (existing.id, None, org.name)
            continue
        if named is not None:
            errors.append(
                org.where.error(
                    f"an academy called {org.name} already exists with a different sourcedId"
                )
            )
            academies.refused[org.source_id] = str(org.where)
            continue
        code = _unique_code(org.name, codes)
        plans.append(AcademyPlan(org.where, org.source_id, org.name, code, org.identifier))
        academies.by_org[org.source_id] = (None, org.source_id, org.name)
    return plans, academies
