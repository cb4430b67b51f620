"""Deadlines in hours: dispatch, sign-for (签收) and feedback moments on each case, and how they were computed.

Existing cases keep their day deadlines; their ``due_at`` is the end of ``due_date`` in the office's day, which the
services set from now on for every deadline, and ``deadline_basis`` stays empty until the clock next moves.

Revision ID: 0014
Revises: 0009
"""
import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("case_file") as batch:
        batch.add_column(sa.Column("dispatched_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("sign_due_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("signed_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("due_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("deadline_basis", sa.Text(), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("case_file") as batch:
        batch.drop_column("deadline_basis")
        batch.drop_column("due_at")
        batch.drop_column("signed_at")
        batch.drop_column("sign_due_at")
        batch.drop_column("dispatched_at")
