"""Planning the parent links an import asks for, from either side of the link."""

from __future__ import annotations

from dataclasses import dataclass

from elearn.auth.roles import Role
from elearn.roster.plan import ExistingPerson, LinkPlan, PersonValues, Snapshot
from elearn.roster.records import PersonRecord, RosterData, RowError, Where


@dataclass
class Accepted:
    """A file row that passed its checks: what it says, whom it matched, what they become."""

    record: PersonRecord
    existing: ExistingPerson | None
    values: PersonValues


def row_ref(data: RosterData, record: PersonRecord) -> str:
    """The id other rows use for this one: a sourcedId, or a username in the simple format."""
    return (record.source_id if data.format == "oneroster" else None) or record.username


def plan_links(
    data: RosterData,
    snapshot: Snapshot,
    accepted: list[Accepted],
    errors: list[RowError],
    refused: dict[str, Where],
) -> tuple[list[LinkPlan], list[LinkPlan], dict[str, str], set[Where]]:
    """Work out links to add and remove; returns them and each parent's child's academy."""
    in_file = {row_ref(data, a.record): a for a in accepted}
    badly_linked: set[Where] = set()
    people = {p.id: p for p in snapshot.people if not p.erased}
    by_roster = {p.roster_id: p for p in people.values() if p.roster_id}
    by_username = {p.username: p for p in people.values()}
    final_username = {p.id: p.username for p in people.values()}
    names = {p.username: p.display_name for p in people.values()}
    roles = {p.username: p.role for p in people.values()}
    for item in accepted:
        if item.existing is not None:
            final_username[item.existing.id] = item.values.username
        names[item.values.username] = item.values.display_name
        roles[item.values.username] = item.values.role

    def target(ref: str) -> str | None:
        if ref in in_file:
            return in_file[ref].values.username
        existing = by_roster.get(ref) if data.format == "oneroster" else by_username.get(ref)
        return final_username[existing.id] if existing is not None else None

    wanted: set[tuple[str, str]] = set()
    for item in accepted:
        for ref in item.record.links:
            other = target(ref)
            where = item.record.where
            if other is None:
                column = "agentSourcedIds" if data.format == "oneroster" else "parent of"
                if ref in refused:
                    # The real problem is on that row; say so rather than "not in the roster".
                    message = f"{column} names {ref}, but {ref}'s own row was refused"
                    message += f" ({refused[ref]})"
                else:
                    message = f"{column} names {ref}, who is not in the roster"
                errors.append(where.error(message))
                badly_linked.add(where)
                continue
            mine = item.values.username
            if item.values.role is Role.PARENT and roles[other] is Role.PUPIL:
                wanted.add((mine, other))
            elif item.values.role is Role.PUPIL and roles[other] is Role.PARENT:
                wanted.add((other, mine))
            else:
                errors.append(
                    where.error(f"{ref} cannot be linked: links join a parent to a pupil")
                )
                badly_linked.add(where)

    current = {
        (final_username[parent], final_username[pupil])
        for parent, pupil in snapshot.links
        if parent in final_username and pupil in final_username
    }
    # The file speaks for the parents and pupils it lists: a link between two people who are
    # both in it, but not linked by it, is removed. Links to leavers are left alone.
    parents_in_file = {a.values.username for a in accepted if a.values.role is Role.PARENT}
    pupils_in_file = {a.values.username for a in accepted if a.values.role is Role.PUPIL}

    def link(pair: tuple[str, str]) -> LinkPlan:
        return LinkPlan(pair[0], pair[1], names.get(pair[0], ""), names.get(pair[1], ""))

    added = [link(pair) for pair in sorted(wanted - current)]
    removed = [
        link(pair)
        for pair in sorted(current - wanted)
        if pair[0] in parents_in_file and pair[1] in pupils_in_file
    ]
    child_academy: dict[str, str] = {}
    for parent, pupil in sorted(wanted):
        child_academy.setdefault(parent, pupil)
    return added, removed, child_academy, badly_linked
