"""The Alembic migrations build exactly the schema the models describe, on both databases."""

import uuid

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from elearn.db import Base, import_models, make_engine
from elearn.migrate import current_revision, upgrade


@pytest.fixture
def empty_database(database_url, tmp_path):
    if database_url.startswith("sqlite"):
        engine = make_engine(f"sqlite:///{tmp_path / 'migrated.sqlite'}")
        yield engine
        engine.dispose()
        return
    name = f"elearn_migr_{uuid.uuid4().hex[:10]}"
    admin = create_engine(database_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine = make_engine(make_url(database_url).set(database=name).render_as_string(False))
    yield engine
    engine.dispose()
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


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
