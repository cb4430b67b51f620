"""The supervisors' list of extension requests reads a partial index of the cases waiting for a decision, newest
first, instead of scanning every case (a request is open on a handful of cases at any time).

Revision ID: 0022
Revises: 0021
"""
import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None

WAITING = sa.text("extension_requested_days IS NOT NULL")


def upgrade() -> None:
    op.create_index("ix_case_file_extension_received", "case_file", ["received_at"], postgresql_where=WAITING,
                    sqlite_where=WAITING)


def downgrade() -> None:
    op.drop_index("ix_case_file_extension_received", table_name="case_file")
