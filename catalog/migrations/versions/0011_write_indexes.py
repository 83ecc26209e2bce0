"""observations and stamps keep only the indexes a query reads, none on an interval's last end

Revision ID: 0011
Revises: 0010

Every index on a column a refresh moves (an interval's last end: `last_run_id`,
`last_response_id`) is rewritten for each row an unchanged source confirms; most of the time of
that confirmation went there. Queries by (source, last run) find a source's rows through the
(source, first run) index instead, which no update moves. Dropped:

- observations: run_id, last_response_id and (source, last_run_id);
- stamps: value_id (the unique (value_id, source, official) constraint starts with it), run_id
  and (source, last_run_id), replaced by (source).

No query filters observations or stamps by run_id alone, and no row of runs is ever deleted.
"""

from __future__ import annotations

from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Drop the observations and stamps indexes on run ids and interval ends, and index stamps by
    source."""
    op.drop_index("ix_observations_run_id", table_name="observations")
    op.drop_index("ix_observations_last_response", table_name="observations")
    op.drop_index("ix_observations_source_last_run", table_name="observations")
    op.drop_index("ix_stamps_value_id", table_name="stamps")
    op.drop_index("ix_stamps_run_id", table_name="stamps")
    op.drop_index("ix_stamps_source_last_run", table_name="stamps")
    op.create_index("ix_stamps_source", "stamps", ["source"])


def downgrade() -> None:
    """Restore the indexes the upgrade dropped, and drop the stamps index by source."""
    op.drop_index("ix_stamps_source", table_name="stamps")
    op.create_index("ix_stamps_source_last_run", "stamps", ["source", "last_run_id"])
    op.create_index("ix_stamps_run_id", "stamps", ["run_id"])
    op.create_index("ix_stamps_value_id", "stamps", ["value_id"])
    op.create_index("ix_observations_source_last_run", "observations", ["source", "last_run_id"])
    op.create_index("ix_observations_last_response", "observations", ["last_response_id"])
    op.create_index("ix_observations_run_id", "observations", ["run_id"])
