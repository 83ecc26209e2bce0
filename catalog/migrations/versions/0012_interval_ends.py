"""observation intervals end at an end row: an unchanged repeat moves one row per response

Revision ID: 0012
Revises: 0011

An observation interval's last end (`last_run_id`, `last_response_id`) was two columns of each
observation row, so confirming a byte-identical repeat of a source's responses rewrote every
interval those responses ended (111k rows for epoch-2). Now each response that ends some
interval has one `interval_ends` row, observations point at it (`end_id`), and the repeat moves
that row to the new response: one row per URL. The last run is the end response's run.

Existing catalogs are carried over: one end row per distinct `last_response_id`, each
observation pointed at its own; the downgrade writes both columns back from the end rows.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create interval_ends (one row per response that ends an interval), point each observation at
    its row (`end_id`) and drop observations' last_response_id and last_run_id."""
    op.create_table(
        "interval_ends",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "response_id",
            sa.Integer(),
            sa.ForeignKey("responses.id", name="fk_interval_ends_response_id"),
            nullable=False,
        ),
        sa.UniqueConstraint("response_id", name="uq_interval_ends_response"),
    )
    conn = op.get_bind()
    conn.execute(
        sa.text(
            "INSERT INTO interval_ends (response_id) "
            "SELECT DISTINCT last_response_id FROM observations ORDER BY last_response_id"
        )
    )
    with op.batch_alter_table("observations") as batch_op:
        batch_op.add_column(sa.Column("end_id", sa.Integer(), nullable=True))
    conn.execute(
        sa.text(
            "UPDATE observations SET end_id = (SELECT e.id FROM interval_ends e "
            "WHERE e.response_id = observations.last_response_id)"
        )
    )
    with op.batch_alter_table("observations") as batch_op:
        batch_op.alter_column("end_id", existing_type=sa.Integer(), nullable=False)
        batch_op.create_foreign_key("fk_observations_end_id", "interval_ends", ["end_id"], ["id"])
        batch_op.drop_column("last_response_id")
        batch_op.drop_column("last_run_id")


def downgrade() -> None:
    """Write last_response_id and last_run_id back onto each observation from its end row, then drop
    `end_id` and the interval_ends table."""
    with op.batch_alter_table("observations") as batch_op:
        batch_op.add_column(sa.Column("last_run_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("last_response_id", sa.Integer(), nullable=True))
    op.get_bind().execute(
        sa.text(
            "UPDATE observations SET "
            "last_response_id = (SELECT e.response_id FROM interval_ends e "
            "WHERE e.id = observations.end_id), "
            "last_run_id = (SELECT r.run_id FROM interval_ends e "
            "JOIN responses r ON r.id = e.response_id WHERE e.id = observations.end_id)"
        )
    )
    with op.batch_alter_table("observations") as batch_op:
        batch_op.alter_column("last_run_id", existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column("last_response_id", existing_type=sa.Integer(), nullable=False)
        batch_op.drop_constraint("fk_observations_end_id", type_="foreignkey")
        batch_op.drop_column("end_id")
    op.drop_table("interval_ends")
