"""Parts of a case's work shared across units: passed down to a sub-unit (二级派单) or given to a co-handling unit
(协办) beside the lead unit (主办).

Revision ID: 0016
Revises: 0015
"""
import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "case_assignment",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("case_id", sa.Integer(), sa.ForeignKey("case_file.id"), nullable=False),
        sa.Column("unit_id", sa.Integer(), sa.ForeignKey("unit.id"), nullable=False),
        sa.Column("role", sa.String(10), nullable=False),
        sa.Column("from_unit_id", sa.Integer(), sa.ForeignKey("unit.id"), nullable=True),
        sa.Column("parent_id", sa.Integer(), sa.ForeignKey("case_assignment.id"), nullable=True),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("instructions", sa.Text(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("answer", sa.Text(), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("answered_by_id", sa.Integer(), sa.ForeignKey("user_account.id"), nullable=True),
        sa.Column("review_note", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), sa.ForeignKey("user_account.id"), nullable=True),
    )
    op.create_index("ix_case_assignment_case_id", "case_assignment", ["case_id"])
    op.create_index("ix_case_assignment_unit", "case_assignment", ["unit_id", "active", "case_id"])


def downgrade() -> None:
    op.drop_index("ix_case_assignment_unit", table_name="case_assignment")
    op.drop_index("ix_case_assignment_case_id", table_name="case_assignment")
    op.drop_table("case_assignment")
