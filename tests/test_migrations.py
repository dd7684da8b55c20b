"""The Alembic migrations build exactly the schema the models describe, on both databases."""

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from elearn.db import Base
from elearn.migrate import current_revision, upgrade
from elearn.models import import_models


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
