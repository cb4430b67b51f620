"""Outbox lookups by topic and key; UIDVALIDITY as a 64-bit column.

Revision ID: 0007
Revises: 0006
"""
import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.drop_index("ix_outbox_pending")
        batch.create_index("ix_outbox_pending", ["topic", "key", "done_at"])
    with op.batch_alter_table("mail_folder_state") as batch:
        batch.alter_column("uidvalidity", type_=sa.BigInteger(), existing_type=sa.Integer(), existing_nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("mail_folder_state") as batch:
        batch.alter_column("uidvalidity", type_=sa.Integer(), existing_type=sa.BigInteger(), existing_nullable=False)
    with op.batch_alter_table("outbox") as batch:
        batch.drop_index("ix_outbox_pending")
        batch.create_index("ix_outbox_pending", ["topic", "done_at"])
