"""Each case keeps its first feedback time and the deadline in force then, for the performance figures.

The unit performance table needs, per case, when the unit first answered and which deadline it was held to.
Computed at query time these were two joins over the feedback and event tables (the slowest dashboard query on
a year of cases); kept on the case row, the figures are one pass over the period's cases. The services set both
when a unit gives its first feedback; this migration back-fills existing cases from their feedback and
``deadline`` events (the last deadline set at or before the first feedback).

Revision ID: 0008
Revises: 0007
"""
import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("case_file") as batch:
        batch.add_column(sa.Column("first_feedback_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("due_at_feedback", sa.Date(), nullable=True))
    bind = op.get_bind()
    case_file = sa.table("case_file", sa.column("id", sa.Integer), sa.column("first_feedback_at", sa.DateTime),
                         sa.column("due_at_feedback", sa.Date))
    feedback = sa.table("feedback", sa.column("case_id", sa.Integer), sa.column("created_at", sa.DateTime))
    event = sa.table("event", sa.column("id", sa.Integer), sa.column("case_id", sa.Integer),
                     sa.column("action", sa.String), sa.column("at", sa.DateTime), sa.column("data", sa.JSON))
    first = (sa.select(sa.func.min(feedback.c.created_at)).where(feedback.c.case_id == case_file.c.id)
             .scalar_subquery())
    bind.execute(sa.update(case_file).values(first_feedback_at=first))
    due = event.c.data["to"].as_string()
    if bind.dialect.name == "postgresql":
        due = sa.cast(due, sa.Date)  # SQLite keeps dates as ISO text already; a CAST there would make a number
    in_force = (sa.select(due).where(event.c.case_id == case_file.c.id, event.c.action == "deadline",
                                     event.c.at <= case_file.c.first_feedback_at)
                .order_by(event.c.at.desc(), event.c.id.desc()).limit(1).scalar_subquery())
    bind.execute(sa.update(case_file).where(case_file.c.first_feedback_at.is_not(None))
                 .values(due_at_feedback=in_force))


def downgrade() -> None:
    with op.batch_alter_table("case_file") as batch:
        batch.drop_column("due_at_feedback")
        batch.drop_column("first_feedback_at")
