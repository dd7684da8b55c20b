"""The Alembic migrations build exactly the schema the models describe, on both databases."""

from datetime import UTC, datetime

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text

from elearn.db import Base
from elearn.migrate import current_revision, upgrade
from elearn.models import import_models

NOW = datetime(2026, 11, 2, 7, 0, tzinfo=UTC)


def test_migrated_schema_matches_the_models(empty_database):
    import_models()
    upgrade(empty_database)
    assert current_revision(empty_database) is not None
    with empty_database.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)
    assert differences == []
    tables = set(inspect(empty_database).get_table_names())
    assert set(Base.metadata.tables) <= tables


def test_upgrading_twice_is_harmless(empty_database):
    upgrade(empty_database)
    first = current_revision(empty_database)
    upgrade(empty_database)
    assert current_revision(empty_database) == first


def test_reminders_sent_twice_in_a_day_before_0004_keep_one_row(empty_database):
    # 0004 makes (person, course, day) unique: the claim two reminder runs race for.
    upgrade(empty_database, "0003")
    with empty_database.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO users (username, display_name, role, active, xapi_id, created_at,"
                " updated_at, must_change_password)"
                " VALUES ('sam', 'Sam', 'staff', :yes, 'x-1', :now, :now, :no)"
            ),
            {"yes": True, "no": False, "now": NOW},
        )
        person = conn.execute(text("SELECT id FROM users")).scalar_one()
        for kind, repeat in (("due_soon", 0), ("overdue", 0), ("overdue", 1)):
            conn.execute(
                text(
                    "INSERT INTO compliance_reminders"
                    " (user_id, course_id, kind, refers_to_on, repeat, sent_on, sent_at)"
                    " VALUES (:person, 'staff-induction', :kind, :day, :repeat, :day, :now)"
                ),
                {"person": person, "kind": kind, "repeat": repeat, "day": NOW.date(), "now": NOW},
            )

    upgrade(empty_database)

    with empty_database.connect() as conn:
        kept = conn.execute(text("SELECT count(*) FROM compliance_reminders")).scalar_one()
    assert kept == 1
