"""Places: areas (GeoJSON polygons with their unit), the address list, where each case happened, and surges of
similar cases in one area.

Revision ID: 0017
Revises: 0016
"""
import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "area",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False, unique=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("unit_id", sa.Integer(), sa.ForeignKey("unit.id"), nullable=True),
        sa.Column("parent_id", sa.Integer(), sa.ForeignKey("area.id"), nullable=True),
        sa.Column("geometry", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "street_address",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("address", sa.String(300), nullable=False),
        sa.Column("key", sa.String(300), nullable=False, unique=True),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
    )
    op.create_table(
        "case_place",
        sa.Column("case_id", sa.Integer(), sa.ForeignKey("case_file.id"), primary_key=True, autoincrement=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("address", sa.String(300), nullable=False),
        sa.Column("area_id", sa.Integer(), sa.ForeignKey("area.id"), nullable=True),
        sa.Column("source", sa.String(20), nullable=False),
        sa.Column("located_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_case_place_area_id", "case_place", ["area_id"])
    op.create_table(
        "surge",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("area_id", sa.Integer(), sa.ForeignKey("area.id"), nullable=False),
        sa.Column("case_id", sa.Integer(), sa.ForeignKey("case_file.id"), nullable=False),
        sa.Column("alert_id", sa.Integer(), sa.ForeignKey("emergency_alert.id"), nullable=True),
        sa.Column("case_ids", sa.JSON(), nullable=False),
        sa.Column("terms", sa.Text(), nullable=False),
        sa.Column("first_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
    )
    op.create_index("ix_surge_area_id", "surge", ["area_id"])
    op.create_index("ix_surge_last_at", "surge", ["last_at"])


def downgrade() -> None:
    op.drop_index("ix_surge_last_at", "surge")
    op.drop_index("ix_surge_area_id", "surge")
    op.drop_table("surge")
    op.drop_index("ix_case_place_area_id", "case_place")
    op.drop_table("case_place")
    op.drop_table("street_address")
    op.drop_table("area")
