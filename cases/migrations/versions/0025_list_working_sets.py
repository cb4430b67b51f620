"""The overdue list reads a partial index of the cases on a clock (newest first, due date beside the time) instead
of walking every case; a unit's co-handling and passed-down queues start from its parts by unit and role; a unit's
inbox by status (and its count) reads a range of (unit, status, time).

Revision ID: 0025
Revises: 0022
"""
import sqlalchemy as sa
from alembic import op

revision = "0025"
down_revision = "0022"
branch_labels = None
depends_on = None

# cases.workflow.ON_A_CLOCK, written out: a migration keeps the values it was written with. On PostgreSQL the
# condition is on the text value: that is the form PostgreSQL prints back exactly as it reads it, so an index
# made again from its own printed definition (a bulk load) is the same index.
ON_A_CLOCK = "IN ('accepted', 'dispatched', 'received', 'registered', 'returned')"


def upgrade() -> None:
    op.create_index("ix_case_file_clock_received", "case_file", ["received_at", "id", "due_date"],
                    postgresql_where=sa.text(f"status::text {ON_A_CLOCK}"),
                    sqlite_where=sa.text(f"status {ON_A_CLOCK}"))
    op.create_index("ix_case_assignment_unit_role", "case_assignment", ["unit_id", "role", "active", "case_id"])
    op.create_index("ix_case_file_unit_status_received", "case_file", ["unit_id", "status", "received_at"])


def downgrade() -> None:
    op.drop_index("ix_case_file_unit_status_received", table_name="case_file")
    op.drop_index("ix_case_assignment_unit_role", table_name="case_assignment")
    op.drop_index("ix_case_file_clock_received", table_name="case_file")
