"""Work inside units: a unit-head flag on accounts, the handler a case is assigned to, and internal notes.

Revision ID: 0015
Revises: 0014
"""
import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMNs: a batch copy of case_file would drop the table, which SQLite refuses while other tables'
    # rows refer to it.
    op.add_column("user_account", sa.Column("unit_head", sa.Boolean(), nullable=False, server_default=sa.false()))
    if op.get_bind().dialect.name == "sqlite":
        # SQLite takes a reference only inside ADD COLUMN (Alembic would add it as a separate constraint).
        op.execute("ALTER TABLE case_file ADD COLUMN assignee_id INTEGER REFERENCES user_account (id)")
    else:
        op.add_column("case_file", sa.Column("assignee_id", sa.Integer(), sa.ForeignKey("user_account.id"),
                                             nullable=True))
    op.create_index("ix_case_file_assignee_id", "case_file", ["assignee_id"])
    op.create_table(
        "case_note",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("case_id", sa.Integer(), sa.ForeignKey("case_file.id"), nullable=False),
        sa.Column("author_id", sa.Integer(), sa.ForeignKey("user_account.id"), nullable=True),
        sa.Column("author_name", sa.String(200), nullable=False),
        sa.Column("unit_id", sa.Integer(), sa.ForeignKey("unit.id"), nullable=True),
        sa.Column("reply_to_id", sa.Integer(), sa.ForeignKey("case_note.id"), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_case_note_case_id", "case_note", ["case_id"])


def downgrade() -> None:
    op.drop_index("ix_case_note_case_id", "case_note")
    op.drop_table("case_note")
    op.drop_index("ix_case_file_assignee_id", "case_file")
    op.drop_column("case_file", "assignee_id")
    op.drop_column("user_account", "unit_head")
