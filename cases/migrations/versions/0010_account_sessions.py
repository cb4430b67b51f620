"""Staff accounts: a session version that ends every session of a user at once, and a forced password change.

``session_version`` is copied into the session at log-in and compared on every request: raising it (log-out,
password change, deactivation, role change) ends every session of that user. ``must_change_password`` is set by an
administrator's password reset and sends the user to the change-password page until they choose their own.

Revision ID: 0010
Revises: 0009
"""
import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("user_account") as batch:
        batch.add_column(sa.Column("session_version", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("must_change_password", sa.Boolean(), nullable=False,
                                   server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("user_account") as batch:
        batch.drop_column("must_change_password")
        batch.drop_column("session_version")
