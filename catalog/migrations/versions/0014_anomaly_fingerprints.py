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

import sqlalchemy as sa
from alembic import op

from catalog.compare import anomaly_identity, fingerprint

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

_items = sa.table(
    "review_items",
    sa.column("id", sa.Integer),
    sa.column("kind", sa.String),
    sa.column("route", sa.String),
    sa.column("model", sa.String),
    sa.column("sources", sa.JSON),
    sa.column("changes", sa.JSON),
    sa.column("detail", sa.Text),
    sa.column("fingerprint", sa.String),
)


def upgrade() -> None:
    conn = op.get_bind()
    rows = conn.execute(
        sa.select(
            _items.c.id,
            _items.c.route,
            _items.c.model,
            _items.c.sources,
            _items.c.changes,
            _items.c.detail,
            _items.c.fingerprint,
        ).where(_items.c.kind == "anomaly")
    ).all()
    updates = [
        {"item": row.id, "new": new}
        for row in rows
        if not row.changes
        and len(row.sources or ()) == 1
        and (
            new := fingerprint(
                "anomaly", row.route, row.model, anomaly_identity(row.sources[0], row.detail)
            )
        )
        != row.fingerprint
    ]
    if updates:
        conn.execute(
            sa.update(_items)
            .where(_items.c.id == sa.bindparam("item"))
            .values(fingerprint=sa.bindparam("new")),
            updates,
        )


def downgrade() -> None:
    """The earlier fingerprints are not kept: a downgrade leaves these as they are (the earlier
    code then supersedes and reopens each such open item once, as it did on a format change)."""
