"""reviewers.signed_out_at: signing out of the web app ends every session started before it

Revision ID: 0013
Revises: 0012

A web session was a signed cookie only, so signing out deleted the browser's copy and any other
copy of the cookie still decided items until it expired (12 hours). A reviewer's sessions are now
valid only when started after the reviewer's last sign-out (and while the reviewer is active).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import catalog.tables

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add reviewers.signed_out_at (null: never signed out)."""
    with op.batch_alter_table("reviewers") as batch_op:
        batch_op.add_column(sa.Column("signed_out_at", catalog.tables.UTCDateTime(), nullable=True))


def downgrade() -> None:
    """Drop reviewers.signed_out_at."""
    with op.batch_alter_table("reviewers") as batch_op:
        batch_op.drop_column("signed_out_at")
