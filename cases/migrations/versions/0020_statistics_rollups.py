"""Statistics rollups: each case's counted contribution, the sums per day and per month, the cases on a unit's
clock per unit and due date, returns per day and unit, and the zone their days are counted in; events indexed by action and time; the
indexes of the keyset-paginated lists (cases by status, published cases).

A database without cases starts with the rollups built (in the default office zone, Asia/Shanghai); one with
cases leaves them unbuilt, the figures counted from the cases as before, until ``flask --app web stats rebuild``.

Revision ID: 0020
Revises: 0019
"""
import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None

KEY = ("unit_id", "category_id", "kind", "channel", "area_id")
COUNTS = ("cases", "urgent", "answered", "on_time", "replied", "rated", "satisfied", "supervised", "signed",
          "signed_on_time", "sign_timed", "closed", "direct")
SUMS = ("feedback_ms", "sign_ms")


def _columns() -> list[sa.Column]:
    return [sa.Column("unit_id", sa.Integer(), nullable=False),
            sa.Column("category_id", sa.Integer(), nullable=False),
            sa.Column("kind", sa.String(20), nullable=False),
            sa.Column("channel", sa.String(20), nullable=False),
            sa.Column("area_id", sa.Integer(), nullable=False),
            *[sa.Column(name, sa.Integer(), nullable=False) for name in COUNTS],
            *[sa.Column(name, sa.BigInteger(), nullable=False) for name in SUMS]]


def upgrade() -> None:
    for table in ("stat_day", "stat_month"):
        op.create_table(table, sa.Column("day", sa.Date(), nullable=False), *_columns(),
                        sa.PrimaryKeyConstraint("day", *KEY, name=f"pk_{table}"))
    op.create_table("stat_case", sa.Column("case_id", sa.Integer(), primary_key=True),
                    sa.Column("day", sa.Date(), nullable=False), *_columns(),
                    sa.Column("open_unit", sa.Integer(), nullable=False),
                    sa.Column("open_due", sa.Date(), nullable=False),
                    sa.Column("open_supervised", sa.Integer(), nullable=False),
                    sa.Column("open_extensions", sa.Integer(), nullable=False))
    op.create_table("stat_open", sa.Column("unit_id", sa.Integer(), primary_key=True),
                    sa.Column("due_date", sa.Date(), primary_key=True),
                    sa.Column("cases", sa.Integer(), nullable=False),
                    sa.Column("supervised", sa.Integer(), nullable=False),
                    sa.Column("extensions", sa.Integer(), nullable=False))
    op.create_table("stat_return", sa.Column("day", sa.Date(), primary_key=True),
                    sa.Column("unit_id", sa.Integer(), primary_key=True),
                    sa.Column("returns", sa.Integer(), nullable=False))
    op.create_index("ix_event_action_at", "event", ["action", "at"])
    op.create_index("ix_case_file_status_received", "case_file", ["status", "received_at"])
    op.create_index("ix_publication_status_published", "publication", ["status", "published_at"])
    op.create_table("stat_state", sa.Column("id", sa.Integer(), primary_key=True),
                    sa.Column("zone", sa.String(64), nullable=True))
    has_cases = op.get_bind().execute(sa.text("SELECT 1 FROM case_file LIMIT 1")).first() is not None
    op.execute(sa.text("INSERT INTO stat_state (id, zone) VALUES (1, :zone)")
               .bindparams(zone=None if has_cases else "Asia/Shanghai"))


def downgrade() -> None:
    op.drop_index("ix_publication_status_published", table_name="publication")
    op.drop_index("ix_case_file_status_received", table_name="case_file")
    op.drop_index("ix_event_action_at", table_name="event")
    for table in ("stat_state", "stat_return", "stat_open", "stat_case", "stat_month", "stat_day"):
        op.drop_table(table)
