"""observations: an index of the dated statements by the response their interval ends at

Revision ID: 0017
Revises: 0016

Whether a source's unchanged bytes may be confirmed now depends on the prices it scheduled for
a later date (catalog/unchanged.py): the dated statements standing at its last responses are
read each run for every source. Without an index that read scanned every observation of the
source (its whole history: 60,000 rows of models.dev's to find none); this partial index holds
only the few rows a source dates (Azure's, genai-prices').
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Index the observations that carry an effective date by the end of their interval."""
    op.create_index(
        "ix_observations_dated_end",
        "observations",
        ["end_id"],
        sqlite_where=sa.text("effective_from IS NOT NULL"),
        postgresql_where=sa.text("effective_from IS NOT NULL"),
    )


def downgrade() -> None:
    """Drop the index."""
    op.drop_index("ix_observations_dated_end", table_name="observations")
