"""The privacy area: ``access_log`` (append-only: the database refuses UPDATE, DELETE and TRUNCATE on it) and
``case_erasure`` (cases whose personal data was erased).

Revision ID: 0012
Revises: 0011
"""
import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

REFUSAL = "access_log is append-only"
SQLITE_TRIGGERS = {
    "access_log_no_update": f"CREATE TRIGGER access_log_no_update BEFORE UPDATE ON access_log "
                            f"BEGIN SELECT RAISE(ABORT, '{REFUSAL}'); END",
    "access_log_no_delete": f"CREATE TRIGGER access_log_no_delete BEFORE DELETE ON access_log "
                            f"BEGIN SELECT RAISE(ABORT, '{REFUSAL}'); END",
}
POSTGRES_FUNCTION = (f"CREATE FUNCTION access_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
                     f"BEGIN RAISE EXCEPTION '{REFUSAL}'; END $$")
POSTGRES_TRIGGERS = {
    "access_log_no_change": "CREATE TRIGGER access_log_no_change BEFORE UPDATE OR DELETE ON access_log "
                            "FOR EACH ROW EXECUTE FUNCTION access_log_append_only()",
    "access_log_no_truncate": "CREATE TRIGGER access_log_no_truncate BEFORE TRUNCATE ON access_log "
                              "FOR EACH STATEMENT EXECUTE FUNCTION access_log_append_only()",
}


def upgrade() -> None:
    op.create_table(
        "access_log",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("user_account.id"), nullable=True),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("action", sa.String(40), nullable=False),
        sa.Column("case_number", sa.String(20), nullable=True),
        sa.Column("target", sa.String(200), nullable=False),
        sa.Column("address", sa.String(64), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
    )
    op.create_index("ix_access_log_at", "access_log", ["at"])
    op.create_index("ix_access_log_action", "access_log", ["action"])
    op.create_index("ix_access_log_case_number", "access_log", ["case_number"])
    op.create_index("ix_access_log_user_id", "access_log", ["user_id", "id"])
    op.create_table(
        "case_erasure",
        sa.Column("case_id", sa.Integer(), sa.ForeignKey("case_file.id"), primary_key=True, autoincrement=False),
        sa.Column("erased_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.String(20), nullable=False),
        sa.Column("files", sa.Integer(), nullable=False),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(POSTGRES_FUNCTION)
        for sql in POSTGRES_TRIGGERS.values():
            op.execute(sql)
    else:
        for sql in SQLITE_TRIGGERS.values():
            op.execute(sql)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for name in POSTGRES_TRIGGERS:
            op.execute(f"DROP TRIGGER {name} ON access_log")
        op.execute("DROP FUNCTION access_log_append_only()")
    else:
        for name in SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER {name}")
    op.drop_table("case_erasure")
    op.drop_index("ix_access_log_user_id", table_name="access_log")
    op.drop_index("ix_access_log_case_number", table_name="access_log")
    op.drop_index("ix_access_log_action", table_name="access_log")
    op.drop_index("ix_access_log_at", table_name="access_log")
    op.drop_table("access_log")
