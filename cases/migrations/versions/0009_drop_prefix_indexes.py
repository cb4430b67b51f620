"""Drop three indexes that a composite index already starts with.

``case_file.unit_id`` is the first column of ``ix_case_file_unit_received``, ``letter.external_id`` of the
unique ``uq_letter_external_raw`` and ``outbox.topic`` of ``ix_outbox_pending``: every query the single-column
index could answer, the composite one answers as well, while every new case paid for keeping all of them (a new
case writes a case, a letter and two or three outbox rows).

Revision ID: 0009
Revises: 0008
"""
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

DROPPED = (("case_file", "ix_case_file_unit_id", "unit_id"), ("letter", "ix_letter_external_id", "external_id"),
           ("outbox", "ix_outbox_topic", "topic"))


def upgrade() -> None:
    for table, index, _ in DROPPED:
        op.drop_index(index, table_name=table)


def downgrade() -> None:
    for table, index, column in DROPPED:
        op.create_index(index, table, [column])
