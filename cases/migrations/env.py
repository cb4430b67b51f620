"""Alembic environment: runs on the connection the app hands in (``cases.db.upgrade``) or on ``sqlalchemy.url``."""
from alembic import context
from sqlalchemy import create_engine

from cases.models import Base
from cases.partitions import schema_filter
import cases.models_desk  # noqa: F401
import cases.models_disclosure  # noqa: F401
import cases.models_scans  # noqa: F401
import cases.models_letters  # noqa: F401
import cases.models_sms  # noqa: F401
import cases.models_emergency  # noqa: F401
import cases.models_levels  # noqa: F401
import cases.models_reports  # noqa: F401
import cases.models_rollups  # noqa: F401
import cases.models_lists  # noqa: F401

config = context.config
target_metadata = Base.metadata


def run() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True,
                          include_object=schema_filter(connection.dialect.name))
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = create_engine(config.get_main_option("sqlalchemy.url"))
    with engine.begin() as conn:
        context.configure(connection=conn, target_metadata=target_metadata, render_as_batch=True,
                          include_object=schema_filter(conn.dialect.name))
        with context.begin_transaction():
            context.run_migrations()


run()
