"""Weekly reports in every UI language: one edition (HTML and PDF) per language of each kept report.

Reports kept before this have no editions; they are served as they were generated.

Revision ID: 0018
Revises: 0017
"""
import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "weekly_report_edition",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("report_id", sa.Integer(), sa.ForeignKey("weekly_report.id"), nullable=False),
        sa.Column("locale", sa.String(10), nullable=False),
        sa.Column("html", sa.Text(), nullable=False),
        sa.Column("pdf_sha256", sa.String(64), nullable=False),
        sa.UniqueConstraint("report_id", "locale", name="uq_weekly_report_edition"),
    )
    op.create_index("ix_weekly_report_edition_report_id", "weekly_report_edition", ["report_id"])


def downgrade() -> None:
    op.drop_index("ix_weekly_report_edition_report_id", table_name="weekly_report_edition")
    op.drop_table("weekly_report_edition")
