"""responses table: provenance (URL, landing URL, date) once per response, not per observation

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import catalog.tables

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

FK = "fk_observations_response_id"


def upgrade() -> None:
    """Create responses (one row per distinct run, source, URL, landing URL and date of the existing
    observations), point each observation at its response (`response_id`) and drop the observations'
    url, landing_url and observed_at."""
    op.create_table(
        "responses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=50), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("landing_url", sa.Text(), nullable=False),
        sa.Column("observed_at", catalog.tables.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["run_id"], ["runs.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_responses_run_id", "responses", ["run_id"])
    with op.batch_alter_table("observations") as batch_op:
        batch_op.add_column(sa.Column("response_id", sa.Integer(), nullable=True))
    op.execute(
        "INSERT INTO responses (run_id, source, url, landing_url, observed_at) "
        "SELECT DISTINCT run_id, source, url, landing_url, observed_at FROM observations"
    )
    op.execute(
        "UPDATE observations SET response_id = (SELECT r.id FROM responses r "
        "WHERE r.run_id = observations.run_id AND r.source = observations.source "
        "AND r.url = observations.url AND r.landing_url = observations.landing_url "
        "AND r.observed_at = observations.observed_at)"
    )
    with op.batch_alter_table("observations") as batch_op:
        batch_op.alter_column("response_id", existing_type=sa.Integer(), nullable=False)
        batch_op.create_foreign_key(FK, "responses", ["response_id"], ["id"])
        batch_op.create_index("ix_observations_source_run", ["source", "run_id"])
        batch_op.drop_column("observed_at")
        batch_op.drop_column("landing_url")
        batch_op.drop_column("url")


def downgrade() -> None:
    """Write url, landing_url and observed_at back onto each observation from its response, then
    drop `response_id` and the responses table."""
    with op.batch_alter_table("observations") as batch_op:
        batch_op.add_column(sa.Column("url", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("landing_url", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("observed_at", catalog.tables.UTCDateTime(), nullable=True))
    for column in ("url", "landing_url", "observed_at"):
        op.execute(
            f"UPDATE observations SET {column} = (SELECT r.{column} FROM responses r "
            "WHERE r.id = observations.response_id)"
        )
    with op.batch_alter_table("observations") as batch_op:
        for column, kind in (
            ("url", sa.Text()),
            ("landing_url", sa.Text()),
            ("observed_at", catalog.tables.UTCDateTime()),
        ):
            batch_op.alter_column(column, existing_type=kind, nullable=False)
        batch_op.drop_index("ix_observations_source_run")
        batch_op.drop_constraint(FK, type_="foreignkey")
        batch_op.drop_column("response_id")
    op.drop_index("ix_responses_run_id", table_name="responses")
    op.drop_table("responses")
