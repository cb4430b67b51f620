"""Deadlines in hours: dispatch, sign-for (签收) and feedback moments on each case, and how they were computed;
SMS messages (with cost and delivery reports) and opted-out numbers; major-emergency alerts.

Existing cases keep their day deadlines; their ``due_at`` is the end of ``due_date`` in the office's day, which the
services set from now on for every deadline, and ``deadline_basis`` stays empty until the clock next moves.

Revision ID: 0014
Revises: 0013
"""
import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMNs: a batch copy of case_file would drop the table, which SQLite refuses while other tables'
    # rows refer to it.
    op.add_column("case_file", sa.Column("dispatched_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("case_file", sa.Column("sign_due_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("case_file", sa.Column("signed_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("case_file", sa.Column("due_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("case_file", sa.Column("due_hourly", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.add_column("case_file", sa.Column("deadline_basis", sa.Text(), nullable=False, server_default=""))
    op.create_table(
        "sms_message",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("direction", sa.String(3), nullable=False),
        sa.Column("key", sa.String(100), nullable=False, unique=True),
        sa.Column("number", sa.String(32), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("purpose", sa.String(20), nullable=False),
        sa.Column("case_id", sa.Integer(), sa.ForeignKey("case_file.id"), nullable=True),
        sa.Column("encoding", sa.String(5), nullable=False),
        sa.Column("segments", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("dlr_status", sa.Integer(), nullable=True),
        sa.Column("dlr_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_sms_message_number", "sms_message", ["number"])
    op.create_index("ix_sms_message_case_id", "sms_message", ["case_id"])
    op.create_index("ix_sms_message_number_sent", "sms_message", ["number", "direction", "created_at"])
    op.create_table(
        "emergency_alert",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("case_id", sa.Integer(), sa.ForeignKey("case_file.id"), nullable=False),
        sa.Column("raised_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("raised_by_id", sa.Integer(), sa.ForeignKey("user_account.id"), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("acknowledged_by_id", sa.Integer(), sa.ForeignKey("user_account.id"), nullable=True),
        sa.Column("report_sha256", sa.String(64), nullable=False),
    )
    op.create_index("ix_emergency_alert_case_id", "emergency_alert", ["case_id"])
    op.create_index("ix_emergency_alert_acknowledged_at", "emergency_alert", ["acknowledged_at"])
    op.create_table(
        "sms_opt_out",
        sa.Column("number", sa.String(32), primary_key=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_index("ix_emergency_alert_acknowledged_at", "emergency_alert")
    op.drop_index("ix_emergency_alert_case_id", "emergency_alert")
    op.drop_table("emergency_alert")
    op.drop_table("sms_opt_out")
    op.drop_index("ix_sms_message_number_sent", "sms_message")
    op.drop_index("ix_sms_message_case_id", "sms_message")
    op.drop_index("ix_sms_message_number", "sms_message")
    op.drop_table("sms_message")
    with op.batch_alter_table("case_file") as batch:
        batch.drop_column("deadline_basis")
        batch.drop_column("due_hourly")
        batch.drop_column("due_at")
        batch.drop_column("signed_at")
        batch.drop_column("sign_due_at")
        batch.drop_column("dispatched_at")
