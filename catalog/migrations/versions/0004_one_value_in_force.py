"""one value in force per field: a unique partial index on catalog_values WHERE valid_to IS NULL

Fields that already hold more than one value in force (left by racing decisions or overlapping
loads before this revision) keep one: the latest accepted (greatest valid_from, then greatest id).
Each other one is closed from the kept value's valid_from, and the closing is reported: a warning
line per field and an audit_log record (actor migration:0004, action close-duplicate, target
value:<id>) with the value closed and the value kept. Downgrade drops the index; values it closed
stay closed (their history is kept either way).

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from alembic import op

import catalog.tables

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

INDEX = "uq_catalog_in_force"
FIELD = ("route", "model", "kind", "component", "unit", "dimensions")

log = logging.getLogger("alembic.runtime.migration")

values = sa.table(
    "catalog_values",
    *(sa.column(name, sa.String()) for name in FIELD),
    sa.column("id", sa.Integer()),
    sa.column("value", sa.String()),
    sa.column("valid_from", catalog.tables.UTCDateTime()),
    sa.column("valid_to", catalog.tables.UTCDateTime()),
)
audit = sa.table(
    "audit_log",
    sa.column("at", catalog.tables.UTCDateTime()),
    sa.column("actor", sa.String()),
    sa.column("channel", sa.String()),
    sa.column("action", sa.String()),
    sa.column("target", sa.String()),
    sa.column("reason", sa.Text()),
    sa.column("before", sa.JSON()),
    sa.column("after", sa.JSON()),
)


def _as_json(row: Any) -> dict[str, Any]:
    return {
        k: v.isoformat() if isinstance(v, datetime) else v for k, v in dict(row._mapping).items()
    }


def close_duplicates(conn: sa.Connection, now: datetime) -> int:
    """Close every in-force value but the latest of each field that has several; how many."""
    rows = conn.execute(
        sa.select(values).where(values.c.valid_to.is_(None)).order_by(values.c.id)
    ).all()
    by_field: dict[tuple[str, ...], list[Any]] = defaultdict(list)
    for row in rows:
        by_field[tuple(getattr(row, name) for name in FIELD)].append(row)
    closed = 0
    for field, held in sorted(by_field.items()):
        if len(held) < 2:
            continue
        kept = max(held, key=lambda r: (r.valid_from, r.id))
        for row in held:
            if row.id == kept.id:
                continue
            conn.execute(
                sa.update(values).where(values.c.id == row.id).values(valid_to=kept.valid_from)
            )
            reason = (
                f"a second value in force for {'/'.join(field)}: value {kept.id} "
                f"({kept.value}, from {kept.valid_from.isoformat()}) kept"
            )
            conn.execute(
                sa.insert(audit).values(
                    at=now,
                    actor="migration:0004",
                    channel="migration",
                    action="close-duplicate",
                    target=f"value:{row.id}",
                    reason=reason,
                    before={"values": [_as_json(row)]},
                    after={"values": [{**_as_json(row), "valid_to": kept.valid_from.isoformat()}]},
                )
            )
            log.warning("closed catalog value %s (%s): %s", row.id, row.value, reason)
            closed += 1
    return closed


def upgrade() -> None:
    """Close every field's duplicate values in force but the latest (each reported in the log and
    audit_log), then add the unique partial index uq_catalog_in_force (WHERE valid_to IS NULL)."""
    close_duplicates(op.get_bind(), datetime.now(UTC))
    op.create_index(
        INDEX,
        "catalog_values",
        list(FIELD),
        unique=True,
        sqlite_where=sa.text("valid_to IS NULL"),
        postgresql_where=sa.text("valid_to IS NULL"),
    )


def downgrade() -> None:
    """Drop the unique index; the values the upgrade closed stay closed."""
    op.drop_index(INDEX, table_name="catalog_values")
