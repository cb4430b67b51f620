"""reply letters: template versions, letter details of replies, postal batches

Revision ID: 0004
Revises: 0002
"""
from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('letter_template',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('purpose', sa.String(length=40), nullable=False),
    sa.Column('lang', sa.String(length=5), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('source', sa.Text(), nullable=False),
    sa.Column('note', sa.String(length=300), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('purpose', 'lang', 'version', name='uq_letter_template_version')
    )
    op.create_index('uq_letter_template_active', 'letter_template', ['purpose', 'lang'], unique=True,
                    sqlite_where=sa.text('active = 1'), postgresql_where=sa.text('active = true'))
    op.create_table('postal_batch',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('pdf_sha256', sa.String(length=64), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_postal_batch_created_at', 'postal_batch', ['created_at'], unique=False)
    op.create_table('reply_letter',
    sa.Column('reply_id', sa.Integer(), nullable=False),
    sa.Column('purpose', sa.String(length=40), nullable=False),
    sa.Column('lang', sa.String(length=5), nullable=False),
    sa.Column('template_version', sa.Integer(), nullable=True),
    sa.Column('tracking_url', sa.Text(), nullable=False),
    sa.Column('email_html', sa.Text(), nullable=True),
    sa.Column('review_note', sa.Text(), nullable=False),
    sa.Column('reviewed_by_id', sa.Integer(), nullable=True),
    sa.Column('reviewed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('call_outcome', sa.Text(), nullable=False),
    sa.Column('batch_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['batch_id'], ['postal_batch.id'], ),
    sa.ForeignKeyConstraint(['reply_id'], ['reply.id'], ),
    sa.ForeignKeyConstraint(['reviewed_by_id'], ['user_account.id'], ),
    sa.PrimaryKeyConstraint('reply_id')
    )
    op.create_index('ix_reply_letter_batch_id', 'reply_letter', ['batch_id'], unique=False)
    # The print queue and the approval list look replies up by status.
    op.create_index('ix_reply_status', 'reply', ['status'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_reply_status', table_name='reply')
    op.drop_index('ix_reply_letter_batch_id', table_name='reply_letter')
    op.drop_table('reply_letter')
    op.drop_index('ix_postal_batch_created_at', table_name='postal_batch')
    op.drop_table('postal_batch')
    op.drop_index('uq_letter_template_active', table_name='letter_template')
    op.drop_table('letter_template')
