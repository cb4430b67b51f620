"""The migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""
from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from cases.db import make_engine
from cases.models import Base
from cases.partitions import schema_filter


def test_migrated_schema_matches_the_models(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn, opts={"include_object": schema_filter(conn.dialect.name)}),
                                    Base.metadata)
    finally:
        engine.dispose()
    assert diff == []
