"""Fault tolerance: who holds a mail folder's lease, and the submission key that makes a form post idempotent.

Revision ID: 0011
Revises: 0010
"""
import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("mail_folder_state") as batch:
        batch.add_column(sa.Column("locked_by", sa.String(length=120), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("mail_folder_state") as batch:
        batch.drop_column("locked_by")
