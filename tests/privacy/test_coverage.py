"""Every table that holds something about a person takes part in exports and erasure.

The walk starts from the tables that point at ``users`` or hold a person's sign-in name,
e-mail address, name or xAPI actor, then follows foreign keys to the tables that hang off
those (a quiz answer belongs to an attempt, an index row to a statement).
"""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, Integer, MetaData, String, Table

from elearn.db import Base
from elearn.privacy import registry

# Tables that name a person but belong to a school: what hangs off them is not that person's
# (an academy names its contact DSL; a class's card job is not about the DSL).
SHARED_TABLES = {"academies"}
# Columns that hold a person's identity without a foreign key to ``users``.
PERSON_COLUMNS = {"username", "email", "display_name", "holder_name", "actor_key", "agent_key"}


def tables_about_people(metadata: MetaData) -> set[str]:
    found = {
        table.name
        for table in metadata.sorted_tables
        if any(column.name in PERSON_COLUMNS for column in table.columns)
        or any(fk.column.table.name == "users" for fk in table.foreign_keys)
    }
    grown = True
    while grown:
        children = {
            table.name
            for table in metadata.sorted_tables
            if table.name not in found
            and any(fk.column.table.name in found - SHARED_TABLES for fk in table.foreign_keys)
        }
        found |= children
        grown = bool(children)
    return found


def uncovered(metadata: MetaData) -> dict[str, list[str]]:
    """Table -> what it lacks ("export", "erasure")."""
    gaps: dict[str, list[str]] = {}
    for table in sorted(tables_about_people(metadata)):
        missing = [
            part
            for part, covered in (
                ("export", registry.EXPORTED_TABLES),
                ("erasure", registry.ERASED_TABLES),
            )
            if not covered.get(table)
        ]
        if missing:
            gaps[table] = missing
    return gaps


def test_every_table_about_a_person_is_exported_and_erased(app):
    gaps = uncovered(Base.metadata)
    assert not gaps, "tables holding personal data without " + "; ".join(
        f"{table}: no {' and no '.join(parts)}" for table, parts in gaps.items()
    )


def test_registrations_name_real_tables(app):
    known = set(Base.metadata.tables)
    assert set(registry.EXPORTED_TABLES) - known == set()
    assert set(registry.ERASED_TABLES) - known == set()


def test_the_walk_finds_a_new_table_that_points_at_a_person(app):
    metadata = MetaData()
    Table(
        "users", metadata, Column("id", Integer, primary_key=True), Column("username", String(80))
    )
    Table("academies", metadata, Column("id", Integer, primary_key=True))
    Table(
        "badges",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("owner_id", ForeignKey("users.id")),
    )
    Table(
        "badge_notes",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("badge_id", ForeignKey("badges.id")),
    )
    Table(
        "guest_book",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("email", String(200)),
    )
    Table(
        "lookup",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("academy_id", ForeignKey("academies.id")),
    )

    assert tables_about_people(metadata) == {"users", "badges", "badge_notes", "guest_book"}
    gaps = uncovered(metadata)
    assert gaps["badges"] == ["export", "erasure"] and "users" not in gaps
