"""paper channel: scan batches and recognised letter drafts

Revision ID: 0005
Revises: 0002
"""
from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('scan_batch',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('source', sa.String(length=20), nullable=False),
    sa.Column('mode', sa.String(length=10), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('total_pages', sa.Integer(), nullable=False),
    sa.Column('done_pages', sa.Integer(), nullable=False),
    sa.Column('error', sa.Text(), nullable=False),
    sa.Column('files', sa.JSON(), nullable=False),
    sa.Column('dedup_key', sa.String(length=100), nullable=True),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('heartbeat_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['created_by'], ['user_account.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('dedup_key')
    )
    with op.batch_alter_table('scan_batch', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_scan_batch_status'), ['status'], unique=False)

    op.create_table('scan_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('batch_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('file_index', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('originals', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('confidence', sa.Float(), nullable=True),
    sa.Column('pages', sa.JSON(), nullable=False),
    sa.Column('sender_name', sa.String(length=200), nullable=False),
    sa.Column('sender_address', sa.Text(), nullable=False),
    sa.Column('pdf_sha', sa.String(length=64), nullable=True),
    sa.Column('notes', sa.JSON(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('quarantine_id', sa.Integer(), nullable=True),
    sa.Column('case_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('registered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('registered_by', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['batch_id'], ['scan_batch.id'], ),
    sa.ForeignKeyConstraint(['case_id'], ['case_file.id'], ),
    sa.ForeignKeyConstraint(['quarantine_id'], ['quarantine.id'], ),
    sa.ForeignKeyConstraint(['registered_by'], ['user_account.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('batch_id', 'key', name='uq_scan_item_batch_key')
    )
    with op.batch_alter_table('scan_item', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_scan_item_batch_id'), ['batch_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_scan_item_status'), ['status'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('scan_item', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_scan_item_status'))
        batch_op.drop_index(batch_op.f('ix_scan_item_batch_id'))
    op.drop_table('scan_item')
    with op.batch_alter_table('scan_batch', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_scan_batch_status'))
    op.drop_table('scan_batch')
