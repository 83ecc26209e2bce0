"""review_items: anomaly items fingerprinted with a double's noise read away from the numbers

Revision ID: 0018
Revises: 0017

A source that wrote the values it states with a double's noise in their last place one day
(LiteLLM's `3.000000000000001e-06` for `3e-06`, a price recomputed in floating point) gave each
anomaly about values set aside that quotes one of them another fingerprint: the open item was
superseded and opened again, and one a reviewer had decided came back, though the values read
(spiders/parsing.py `without_float_noise`) were the same. The fingerprint now reads a number
written with more than 15 significant digits as that rule reads it (catalog/compare.py
`anomaly_identity`); the stored items are fingerprinted again from their stored detail, as 0014
and 0016 did.
"""

from __future__ import annotations

from alembic import op

from catalog.store import refingerprint_anomalies

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Fingerprint the stored anomaly items again from their detail, a double's noise read away
    from the numbers it quotes (`refingerprint_anomalies`)."""
    refingerprint_anomalies(op.get_bind())


def downgrade() -> None:
    """The earlier fingerprints are not kept: a downgrade leaves these as they are (the earlier
    code then supersedes and reopens each such open item quoting a number with a double's
    noise once)."""
