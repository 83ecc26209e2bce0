"""observations.effective_from: the day a stated price takes effect (a scheduled price)

Revision ID: 0008
Revises: 0007

Null for every existing row: no source's effective date was kept before.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add observations.effective_from (a date, null for every existing row)."""
    with op.batch_alter_table("observations") as batch_op:
        batch_op.add_column(sa.Column("effective_from", sa.Date(), nullable=True))


def downgrade() -> None:
    """Drop observations.effective_from."""
    with op.batch_alter_table("observations") as batch_op:
        batch_op.drop_column("effective_from")
