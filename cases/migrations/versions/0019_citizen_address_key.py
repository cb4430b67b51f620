"""The citizen's address key (``cases.callers.address_key``): the caller history finds a citizen's earlier cases by
postal address, however it was spelt (full-width digits, spaces, 號/号, case).

Revision ID: 0019
Revises: 0018
"""
import sqlalchemy as sa
from alembic import op

from cases.callers import address_key

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None

BATCH = 1000


def upgrade() -> None:
    # A plain ADD COLUMN: a batch copy of the table would drop it, which SQLite refuses while cases refer to it.
    op.add_column("citizen", sa.Column("address_key", sa.String(200), nullable=False, server_default=""))
    citizen = sa.table("citizen", sa.column("id", sa.Integer), sa.column("address", sa.Text),
                       sa.column("address_key", sa.String))
    bind, last = op.get_bind(), 0
    while True:
        rows = bind.execute(sa.select(citizen.c.id, citizen.c.address).where(citizen.c.id > last)
                            .where(citizen.c.address != "").order_by(citizen.c.id).limit(BATCH)).all()
        if not rows:
            break
        keys = [{"ident": row.id, "key": address_key(row.address)} for row in rows]
        bind.execute(sa.update(citizen).where(citizen.c.id == sa.bindparam("ident"))
                     .values(address_key=sa.bindparam("key")), keys)
        last = rows[-1].id
    op.create_index("ix_citizen_address_key", "citizen", ["address_key"])


def downgrade() -> None:
    op.drop_index("ix_citizen_address_key", table_name="citizen")
    op.drop_column("citizen", "address_key")
