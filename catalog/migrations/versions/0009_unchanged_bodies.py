"""responses carry their body's sha256 and the first response of an unchanged line; bodies kept
once per hash; stamps indexed by (source, last run)

Revision ID: 0009
Revises: 0008

Existing catalogs are carried over as they are: their responses have no hash (None), so each
source's first refresh after the upgrade goes the normal way and records the hashes that later
refreshes compare with.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add responses' content_hash and same_as_id with their indexes, index stamps by (source,
    last_run_id), and create the bodies table (one body per sha256)."""
    with op.batch_alter_table("responses") as batch_op:
        batch_op.add_column(sa.Column("content_hash", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("same_as_id", sa.Integer(), nullable=True))
        batch_op.create_index("ix_responses_source_url", ["source", "url"])
        batch_op.create_index("ix_responses_content_hash", ["content_hash"])
    op.create_index("ix_stamps_source_last_run", "stamps", ["source", "last_run_id"])
    op.create_table(
        "bodies",
        sa.Column("content_hash", sa.String(length=64), primary_key=True),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.Column("first_run_id", sa.Integer(), nullable=False),
    )


def downgrade() -> None:
    """Drop the bodies table, the stamps index and responses' two columns with their indexes."""
    op.drop_table("bodies")
    op.drop_index("ix_stamps_source_last_run", table_name="stamps")
    with op.batch_alter_table("responses") as batch_op:
        batch_op.drop_index("ix_responses_content_hash")
        batch_op.drop_index("ix_responses_source_url")
        batch_op.drop_column("same_as_id")
        batch_op.drop_column("content_hash")
