"""email channel: the dedup key of a letter (unique), the next send attempt of an outbox item

Revision ID: 0003
Revises: 0002
"""
from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('letter') as batch:
        batch.add_column(sa.Column('dedup_key', sa.String(length=64), nullable=True))
        batch.create_index('ix_letter_dedup_key', ['dedup_key'], unique=True)


def downgrade() -> None:
    with op.batch_alter_table('letter') as batch:
        batch.drop_index('ix_letter_dedup_key')
        batch.drop_column('dedup_key')
