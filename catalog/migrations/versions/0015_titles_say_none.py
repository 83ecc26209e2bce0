"""review_items: a title says "none" where a field holds or proposes no value, not Python's None

Revision ID: 0015
Revises: 0014

A single-field item's title wrote a missing value as Python writes it ("cache_read: None → 0.31
usd_per_1m_tokens"); it now says "none" (catalog/compare.py `NO_VALUE`), as `review show` does.
Stored titles are written so too, so that the queue reads alike whatever run opened an item.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

_items = sa.table("review_items", sa.column("title", sa.Text))


def upgrade() -> None:
    """Rewrite the stored review item titles that write a missing value as "None" to say "none"."""
    title = _items.c.title
    for written in (": None → ", " → None "):
        op.execute(
            sa.update(_items)
            .where(title.contains(written, autoescape=True))
            .values(title=sa.func.replace(title, written, written.replace("None", "none")))
        )


def downgrade() -> None:
    """Titles stay as written: "none" is what they mean."""
