"""review_items: anomaly items fingerprinted with a number quoted as text read as the number

Revision ID: 0016
Revises: 0015

A source that wrote a value it states as a JSON string one day and as a JSON number the next
(OpenRouter's `pricing.image="3e-7"`, then `3E-7`) gave the same anomaly another fingerprint: the
open item was superseded and opened again, and one a reviewer had decided came back; so did
one whose value two records state alike, when the places were listed in another order. The
fingerprint now reads a number quoted whole as that number and the places as a set
(catalog/compare.py `anomaly_identity`); the stored items are fingerprinted again from their
stored detail, as 0014 did for numbers written in other notations.
"""

from __future__ import annotations

from alembic import op

from catalog.store import refingerprint_anomalies

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Fingerprint the stored anomaly items again from their detail, a number quoted as text read as
    the number and the places as a set (`refingerprint_anomalies`)."""
    refingerprint_anomalies(op.get_bind())


def downgrade() -> None:
    """The earlier fingerprints are not kept: a downgrade leaves these as they are (the earlier
    code then supersedes and reopens each such open item quoting a number once)."""
