"""review_items triage: priority, change set, lead source, field count, escalation state

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add review_items' triage columns (priority, set_id, lead_source, fields, escalated) and the
    indexes by set and by status, due date and priority."""
    with op.batch_alter_table("review_items") as batch_op:
        batch_op.add_column(sa.Column("priority", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("set_id", sa.String(length=400), nullable=True))
        batch_op.add_column(sa.Column("lead_source", sa.String(length=50), nullable=True))
        batch_op.add_column(sa.Column("fields", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("escalated", sa.String(length=20), nullable=True))
        batch_op.create_index("ix_review_set", ["set_id", "status"], unique=False)
        batch_op.create_index(
            "ix_review_status_due_priority", ["status", "due_at", "priority"], unique=False
        )


def downgrade() -> None:
    """Drop the triage columns and their indexes."""
    with op.batch_alter_table("review_items") as batch_op:
        batch_op.drop_index("ix_review_status_due_priority")
        batch_op.drop_index("ix_review_set")
        batch_op.drop_column("escalated")
        batch_op.drop_column("fields")
        batch_op.drop_column("lead_source")
        batch_op.drop_column("set_id")
        batch_op.drop_column("priority")
