"""The desk answers on the spot: direct answers, the knowledge base, the category tree with routing, and names
of units and categories in every language.

Revision ID: 0013
Revises: 0012
"""
import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def _stamp(name: str) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=True)


def upgrade() -> None:
    with op.batch_alter_table("category") as batch:
        batch.add_column(sa.Column("parent_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("unit_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("answer_days", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("name_zh", sa.String(100), nullable=False, server_default=""))
        batch.add_column(sa.Column("name_es", sa.String(100), nullable=False, server_default=""))
        batch.create_foreign_key("fk_category_parent_id_category", "category", ["parent_id"], ["id"])
        batch.create_foreign_key("fk_category_unit_id_unit", "unit", ["unit_id"], ["id"])
    with op.batch_alter_table("citizen") as batch:
        batch.add_column(sa.Column("phone_key", sa.String(20), nullable=False, server_default=""))
    citizen = sa.table("citizen", sa.column("phone", sa.String), sa.column("phone_key", sa.String))
    digits = citizen.c.phone
    for mark in (" ", "-", "(", ")", "+", "."):
        digits = sa.func.replace(digits, mark, "")
    # The last 11 digits, as cases.callers.phone_key keeps them.
    start = sa.case((sa.func.length(digits) > 11, sa.func.length(digits) - 10), else_=1)
    op.get_bind().execute(sa.update(citizen).values(phone_key=sa.func.substr(digits, start)))
    op.create_index("ix_citizen_phone_key", "citizen", ["phone_key"])
    op.create_index("ix_citizen_email", "citizen", ["email"])
    with op.batch_alter_table("unit") as batch:
        batch.add_column(sa.Column("name_zh", sa.String(200), nullable=False, server_default=""))
        batch.add_column(sa.Column("name_es", sa.String(200), nullable=False, server_default=""))
    op.create_table(
        "direct_answer",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("case_id", sa.Integer(), sa.ForeignKey("case_file.id"), nullable=False),
        sa.Column("author_id", sa.Integer(), sa.ForeignKey("user_account.id"), nullable=True),
        sa.Column("channel", sa.String(10), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("article_ids", sa.JSON(), nullable=False),
        sa.Column("reply_id", sa.Integer(), sa.ForeignKey("reply.id"), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_direct_answer_case_id", "direct_answer", ["case_id"])
    op.create_index("ix_direct_answer_created_at", "direct_answer", ["created_at"])
    op.create_table(
        "kb_article",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("lang", sa.String(5), nullable=False),
        sa.Column("question", sa.String(500), nullable=False),
        sa.Column("answer", sa.Text(), nullable=False),
        sa.Column("category_id", sa.Integer(), sa.ForeignKey("category.id"), nullable=True),
        sa.Column("unit_id", sa.Integer(), sa.ForeignKey("unit.id"), nullable=True),
        sa.Column("source", sa.String(1000), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=True),
        sa.Column("valid_until", sa.Date(), nullable=True),
        sa.Column("review_date", sa.Date(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_kb_article_unit_id", "kb_article", ["unit_id"])
    op.create_index("ix_kb_article_review_date", "kb_article", ["review_date"])
    op.create_table(
        "kb_article_version",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("article_id", sa.Integer(), sa.ForeignKey("kb_article.id"), nullable=False),
        sa.Column("version", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("lang", sa.String(5), nullable=False),
        sa.Column("question", sa.String(500), nullable=False),
        sa.Column("answer", sa.Text(), nullable=False),
        sa.Column("category_id", sa.Integer(), sa.ForeignKey("category.id"), nullable=True),
        sa.Column("source", sa.String(1000), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=True),
        sa.Column("valid_until", sa.Date(), nullable=True),
        sa.Column("review_date", sa.Date(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("proposed_by_id", sa.Integer(), sa.ForeignKey("user_account.id"), nullable=True),
        sa.Column("proposed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), sa.ForeignKey("user_account.id"), nullable=True),
        _stamp("decided_at"),
        sa.Column("decision_note", sa.Text(), nullable=False),
        sa.UniqueConstraint("article_id", "version", name="uq_kb_article_version"),
    )
    op.create_index("ix_kb_article_version_article_id", "kb_article_version", ["article_id"])
    op.create_index("ix_kb_article_version_status", "kb_article_version", ["status"])


def downgrade() -> None:
    op.drop_table("kb_article_version")
    op.drop_table("kb_article")
    op.drop_table("direct_answer")
    op.drop_index("ix_citizen_email", table_name="citizen")
    op.drop_index("ix_citizen_phone_key", table_name="citizen")
    with op.batch_alter_table("citizen") as batch:
        batch.drop_column("phone_key")
    with op.batch_alter_table("unit") as batch:
        batch.drop_column("name_es")
        batch.drop_column("name_zh")
    with op.batch_alter_table("category") as batch:
        batch.drop_constraint("fk_category_unit_id_unit", type_="foreignkey")
        batch.drop_constraint("fk_category_parent_id_category", type_="foreignkey")
        batch.drop_column("name_es")
        batch.drop_column("name_zh")
        batch.drop_column("answer_days")
        batch.drop_column("unit_id")
        batch.drop_column("parent_id")
