"""Turn parsed roster data and a snapshot of what is stored into a plan of changes.

Pure: no database, no clock. People are matched by roster id (OneRoster ``sourcedId``), then
by username, so importing the same file twice finds nothing to do the second time. Any bad
row makes the whole plan unusable: an import is all or nothing.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import date

from elearn.auth.roles import Role, StaffKind
from elearn.roster.academy_matching import Academies, plan_academies
from elearn.roster.csvtext import normalise_username
from elearn.roster.links import Accepted, plan_links, row_ref
from elearn.roster.plan import (
    CHANGE_LABELS,
    AcademyPlan,
    ExistingAcademy,
    ExistingPerson,
    LinkPlan,
    PersonPlan,
    PersonValues,
    Plan,
    Snapshot,
    describe_changes,
)
from elearn.roster.records import Format, PersonRecord, RosterData, RowError, Where

__all__ = [
    "CHANGE_LABELS",
    "AcademyPlan",
    "ExistingAcademy",
    "ExistingPerson",
    "LinkPlan",
    "PersonPlan",
    "PersonValues",
    "Plan",
    "Snapshot",
    "describe_changes",
    "plan_import",
]


def _category(role: Role) -> str:
    return "staff" if role.is_staff else role.value


def _role_for(record: PersonRecord, existing: ExistingPerson | None) -> Role:
    if existing is None:
        return record.role
    # An import never takes away a role given by hand: "staff" in a file keeps a DSL a DSL.
    if existing.role is Role.ADMIN:
        return Role.ADMIN
    if record.role is Role.STAFF and existing.role in (Role.DSL, Role.HEAD):
        return existing.role
    return record.role


def _kind_for(
    fmt: Format, record: PersonRecord, existing: ExistingPerson | None, academy_id: object
) -> StaffKind | None:
    if not record.role.is_staff:
        return None
    trust_level = academy_id is None
    wanted = record.staff_kind
    if trust_level:
        wanted = StaffKind.TRUST
    elif wanted is StaffKind.TRUST:
        wanted = StaffKind.TEACHER
    if existing is None or existing.staff_kind is None:
        return wanted or StaffKind.TEACHER
    if (existing.staff_kind is StaffKind.TRUST) != trust_level:
        return wanted or StaffKind.TEACHER
    # OneRoster has no volunteers: keep a kind set by hand. The simple format says it plainly.
    if fmt == "simple" and record.staff_kind is not None:
        return wanted
    return existing.staff_kind


def _match(
    record: PersonRecord,
    by_roster: dict[str, ExistingPerson],
    by_username: dict[str, ExistingPerson],
    problems: list[str],
) -> ExistingPerson | None:
    existing = by_roster.get(record.source_id) if record.source_id else None
    holder = by_username.get(record.username)
    if existing is not None:
        if holder is not None and holder.id != existing.id:
            problems.append(f"the username {record.username} already belongs to someone else")
        return existing
    if holder is None:
        return None
    if holder.erased:
        problems.append(f"the username {record.username} cannot be used again; choose another")
        return None
    if record.source_id and holder.roster_id and holder.roster_id != record.source_id:
        problems.append(
            f"the username {record.username} already belongs to someone else in the roster"
        )
        return None
    return holder


def _people(
    data: RosterData,
    snapshot: Snapshot,
    academies: Academies,
    errors: list[RowError],
    refused: dict[str, Where],
) -> tuple[list[Accepted], list[tuple[PersonRecord, ExistingPerson | None]], set[int]]:
    by_roster = {p.roster_id: p for p in snapshot.people if p.roster_id and not p.erased}
    by_username = {normalise_username(p.username): p for p in snapshot.people}
    email_owner = {p.email.lower(): p.id for p in snapshot.people if p.email}
    first: dict[tuple[str, str], int] = {}
    accepted: list[Accepted] = []
    leavers: list[tuple[PersonRecord, ExistingPerson | None]] = []
    matched: set[int] = set()
    for record in data.people:
        problems: list[str] = []
        for kind, value in (
            ("sourcedId", record.source_id),
            ("username", record.username),
            ("e-mail", record.email),
        ):
            if not value:
                continue
            key = (kind, value)
            if key in first:
                problems.append(f"{kind} {value} appears twice (first on line {first[key]})")
            else:
                first[key] = record.where.line
        existing = _match(record, by_roster, by_username, problems)
        if record.email:
            owner = email_owner.get(record.email)
            if owner is not None and (existing is None or owner != existing.id):
                problems.append(f"the e-mail address {record.email} belongs to someone else")
        if existing is not None:
            if existing.id in matched:
                problems.append("this person is already on another row")
            matched.add(existing.id)
            if _category(existing.role) != _category(record.role):
                problems.append(
                    f"{record.username} is a {_category(existing.role)} here but a "
                    f"{_category(record.role)} in the file; change their role on the People "
                    "page first"
                )
        if problems:
            errors.extend(record.where.error(p) for p in problems)
            refused.setdefault(row_ref(data, record), record.where)
            continue
        if record.leaving:
            leavers.append((record, existing))
            continue
        resolved = academies.resolve(record.academy)
        if isinstance(resolved, str):
            errors.append(record.where.error(resolved))
            refused.setdefault(row_ref(data, record), record.where)
            continue
        academy_id, academy_roster, academy_name = resolved
        role = _role_for(record, existing)
        if role is Role.ADMIN:
            academy_id, academy_roster, academy_name = None, None, "The trust"
        place = academy_id if academy_id is not None else academy_roster
        if role is Role.PUPIL and place is None:
            errors.append(record.where.error("a pupil must belong to an academy"))
            refused.setdefault(row_ref(data, record), record.where)
            continue
        if role in (Role.DSL, Role.HEAD) and place is None:
            errors.append(record.where.error(f"a {role.label.lower()} must belong to an academy"))
            refused.setdefault(row_ref(data, record), record.where)
            continue
        values = PersonValues(
            username=record.username,
            display_name=record.display_name,
            email=record.email if record.email is not None else (existing and existing.email),
            role=role,
            staff_kind=_kind_for(data.format, record, existing, place),
            year_group=record.year_group if role is Role.PUPIL else None,
            start_on=(record.start_on or (existing and existing.start_on))
            if role.is_staff
            else None,
            roster_id=record.source_id or (existing and existing.roster_id),
            academy_id=academy_id,
            academy_roster_id=academy_roster,
            academy_name=academy_name,
            can_sign_in=not record.curtailed,
        )
        accepted.append(Accepted(record, existing, values))
    return accepted, leavers, matched


def _changes(existing: ExistingPerson, values: PersonValues) -> tuple[str, ...]:
    changes = [
        name
        for name, before, after in (
            ("display_name", existing.display_name, values.display_name),
            ("username", existing.username, values.username),
            ("email", (existing.email or None), values.email),
            ("role", existing.role, values.role),
            ("staff_kind", existing.staff_kind, values.staff_kind),
            ("year_group", existing.year_group, values.year_group),
            ("start_on", existing.start_on, values.start_on),
            ("roster_id", existing.roster_id, values.roster_id),
        )
        if before != after
    ]
    if values.academy_roster_id is not None or existing.academy_id != values.academy_id:
        changes.append("academy")
    if values.can_sign_in and not existing.active:
        changes.append("active" if existing.left_on is not None else "access_restored")
    elif not values.can_sign_in and (existing.active or existing.left_on is not None):
        # A leaver the file lists again, disabled, is on the roll: the leaving date goes.
        changes.append("curtailed")
    return tuple(changes)


def plan_import(data: RosterData, snapshot: Snapshot, *, as_of: date) -> Plan:
    errors: list[RowError] = list(data.errors)
    academy_plans, academies = plan_academies(data, snapshot, errors)
    refused: dict[str, Where] = dict(data.refused)
    accepted, leavers, matched = _people(data, snapshot, academies, errors, refused)
    added, removed, child_of, badly_linked = plan_links(data, snapshot, accepted, errors, refused)

    values_by_username = {a.values.username: a.values for a in accepted}
    existing_by_id = {p.id: p for p in snapshot.people}
    academy_names = {a.id: a.name for a in snapshot.academies}
    creates: list[PersonPlan] = []
    updates: list[PersonPlan] = []
    unchanged = 0
    for item in accepted:
        values = item.values
        if (
            values.role is Role.PARENT
            and values.academy_id is None
            and not values.academy_roster_id
        ):
            # A parent with no academy of their own belongs with their (first) child.
            child = child_of.get(values.username)
            child_values = values_by_username.get(child or "")
            child_existing = next((p for p in existing_by_id.values() if p.username == child), None)
            if child_values is not None:
                values = _with_academy(values, child_values)
            elif child_existing is not None and child_existing.academy_id is not None:
                values = _replace_academy(
                    values,
                    child_existing.academy_id,
                    academy_names.get(child_existing.academy_id, ""),
                )
            else:
                if item.record.where not in badly_linked:  # already told why
                    errors.append(
                        item.record.where.error("a parent needs an academy or a linked pupil")
                    )
                continue
        if item.existing is None:
            creates.append(PersonPlan(item.record.where, values))
            continue
        changes = _changes(item.existing, values)
        if changes:
            updates.append(PersonPlan(item.record.where, values, item.existing.id, changes))
        else:
            unchanged += 1

    deactivations: list[PersonPlan] = []
    for record, existing in leavers:
        if existing is not None and existing.active:
            deactivations.append(
                _leaving(existing, record.where, "marked as left in the file", record.left_on)
            )
    if data.full:
        covered = {a[0] for a in academies.by_org.values() if a[0] is not None}
        for person in snapshot.people:
            if (
                person.active
                and not person.erased
                and person.roster_id
                and person.id not in matched
                and person.role is not Role.ADMIN
                and (person.academy_id is None or person.academy_id in covered)
            ):
                deactivations.append(_leaving(person, None, "no longer in the roster", None))

    return Plan(
        format=data.format,
        files=data.files,
        as_of=as_of,
        academies=tuple(academy_plans),
        creates=tuple(creates),
        updates=tuple(updates),
        deactivations=tuple(deactivations),
        links_added=tuple(added),
        links_removed=tuple(removed),
        unchanged=unchanged,
        errors=tuple(sorted(set(errors))),
    )


def _with_academy(values: PersonValues, other: PersonValues) -> PersonValues:
    return PersonValues(
        **{
            **asdict(values),
            "academy_id": other.academy_id,
            "academy_roster_id": other.academy_roster_id,
            "academy_name": other.academy_name,
        }
    )


def _replace_academy(values: PersonValues, academy_id: int, name: str) -> PersonValues:
    return PersonValues(
        **{
            **asdict(values),
            "academy_id": academy_id,
            "academy_roster_id": None,
            "academy_name": name,
        }
    )


def _leaving(
    person: ExistingPerson, where: Where | None, reason: str, left_on: date | None
) -> PersonPlan:
    values = PersonValues(
        username=person.username,
        display_name=person.display_name,
        email=person.email,
        role=person.role,
        staff_kind=person.staff_kind,
        year_group=person.year_group,
        start_on=person.start_on,
        roster_id=person.roster_id,
        academy_id=person.academy_id,
        academy_roster_id=None,
        academy_name="",
    )
    return PersonPlan(where, values, person.id, ("active",), reason, left_on)
