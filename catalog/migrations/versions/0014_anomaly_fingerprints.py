"""review_items: anomaly items about values set aside fingerprinted with each number written one way

Revision ID: 0014
Revises: 0013

Such an item's fingerprint took its detail's text as written, numbers included, so a source that
wrote the same values anew ("5e-06" where it wrote "0.000005") superseded the open item and opened
it again, and reopened one a reviewer had decided. The fingerprint now reads each number one way
(catalog/compare.py `anomaly_identity`); the stored items are fingerprinted again from their
stored detail, so a catalog carried over finds them as a new one would.
"""

from __future__ import annotations

from alembic import op

from catalog.store import refingerprint_anomalies

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Fingerprint the stored anomaly items again from their detail, each number read one way
    (`refingerprint_anomalies`)."""
    refingerprint_anomalies(op.get_bind())


def downgrade() -> None:
    """The earlier fingerprints are not kept: a downgrade leaves these as they are (the earlier
    code then supersedes and reopens each such open item once, as it did on a format change)."""
