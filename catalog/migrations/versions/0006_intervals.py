"""observations, stamps and quarantine as intervals: a repeat moves an interval's last end

Revision ID: 0006
Revises: 0004

Existing catalogs are carried over: consecutive observations of one value by one source from
consecutive responses of the same URL become one interval row (a gap keeps them apart), and each
source's stamps of one catalog value become one row from its first to its last confirmation.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import sqlalchemy as sa
from alembic import op

import catalog.tables

revision = "0006"
down_revision = "0004"
branch_labels = None
depends_on = None

_KEY = "source, route, model, source_model, kind, component, unit, dimensions, value"


def upgrade() -> None:
    """Add the interval columns (observations' last_run_id and last_response_id, stamps'
    first_observed_at and last_run_id, quarantine's last_run_id), collapse the existing rows into
    intervals, then make the columns required, index them and make stamps unique per (value, source,
    official)."""
    with op.batch_alter_table("observations") as batch_op:
        batch_op.add_column(sa.Column("last_run_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("last_response_id", sa.Integer(), nullable=True))
    with op.batch_alter_table("stamps") as batch_op:
        batch_op.add_column(
            sa.Column("first_observed_at", catalog.tables.UTCDateTime(), nullable=True)
        )
        batch_op.add_column(sa.Column("last_run_id", sa.Integer(), nullable=True))
    with op.batch_alter_table("quarantine") as batch_op:
        batch_op.add_column(sa.Column("last_run_id", sa.Integer(), nullable=True))
    conn = op.get_bind()
    conn.execute(sa.text("UPDATE quarantine SET last_run_id = run_id"))
    _collapse_observations(conn)
    _collapse_stamps(conn)
    with op.batch_alter_table("observations") as batch_op:
        batch_op.alter_column("last_run_id", existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column("last_response_id", existing_type=sa.Integer(), nullable=False)
        batch_op.create_index("ix_observations_last_response", ["last_response_id"])
        batch_op.create_index("ix_observations_source_last_run", ["source", "last_run_id"])
    with op.batch_alter_table("quarantine") as batch_op:
        batch_op.alter_column("last_run_id", existing_type=sa.Integer(), nullable=False)
        batch_op.create_index("ix_quarantine_last_run_id", ["last_run_id"])
    with op.batch_alter_table("stamps") as batch_op:
        batch_op.alter_column(
            "first_observed_at", existing_type=catalog.tables.UTCDateTime(), nullable=False
        )
        batch_op.alter_column("last_run_id", existing_type=sa.Integer(), nullable=False)
        batch_op.create_unique_constraint(
            "uq_stamps_value_source", ["value_id", "source", "official"]
        )


def _collapse_observations(conn: Any) -> None:
    """Merge each run of one value stated by consecutive responses of one URL into one row."""
    url_of: dict[int, tuple[str, str]] = {}
    previous: dict[int, int | None] = {}
    latest: dict[tuple[str, str], int] = {}
    for rid, source, url in conn.execute(
        sa.text("SELECT id, source, url FROM responses ORDER BY id")
    ):
        url_of[rid] = (source, url)
        previous[rid] = latest.get((source, url))
        latest[(source, url)] = rid
    open_rows: dict[tuple[Any, ...], list[int]] = {}  # key -> [row id, last run, last response]
    intervals: list[list[int]] = []
    merged: list[int] = []
    rows = conn.execute(
        sa.text(
            f"SELECT id, run_id, response_id, {_KEY} FROM observations ORDER BY response_id, id"
        )
    )
    for row in rows:
        oid, run_id, response_id, *rest = row
        key = (url_of.get(response_id), *rest)
        interval = open_rows.get(key)
        if interval is not None and previous.get(response_id) == interval[2]:
            interval[1], interval[2] = run_id, response_id
            merged.append(oid)
        else:
            open_rows[key] = [oid, run_id, response_id]
            intervals.append(open_rows[key])
    if merged:
        for start in range(0, len(merged), 500):
            chunk = merged[start : start + 500]
            conn.execute(
                sa.text("DELETE FROM observations WHERE id IN :ids").bindparams(
                    sa.bindparam("ids", expanding=True)
                ),
                {"ids": chunk},
            )
    updates = [{"i": i, "r": r, "p": p} for i, r, p in intervals]
    if updates:
        conn.execute(
            sa.text(
                "UPDATE observations SET last_run_id = :r, last_response_id = :p WHERE id = :i"
            ),
            updates,
        )


def _collapse_stamps(conn: Any) -> None:
    """One row per (value, source, official): first and last confirmation, first and last run."""
    groups: dict[tuple[Any, ...], list[Any]] = defaultdict(list)
    for row in conn.execute(
        sa.text("SELECT id, value_id, source, official, run_id, observed_at FROM stamps")
    ):
        groups[(row.value_id, row.source, row.official)].append(row)
    keep: list[dict[str, Any]] = []
    drop: list[int] = []
    for found in groups.values():
        first = min(found, key=lambda r: (str(r.observed_at), r.id))
        last = max(found, key=lambda r: (str(r.observed_at), r.id))
        kept = min(r.id for r in found)
        keep.append(
            {
                "i": kept,
                "first": first.observed_at,
                "last": last.observed_at,
                "run": min(r.run_id for r in found),
                "last_run": max(r.run_id for r in found),
            }
        )
        drop.extend(r.id for r in found if r.id != kept)
    for start in range(0, len(drop), 500):
        conn.execute(
            sa.text("DELETE FROM stamps WHERE id IN :ids").bindparams(
                sa.bindparam("ids", expanding=True)
            ),
            {"ids": drop[start : start + 500]},
        )
    if keep:
        conn.execute(
            sa.text(
                "UPDATE stamps SET first_observed_at = :first, observed_at = :last, "
                "run_id = :run, last_run_id = :last_run WHERE id = :i"
            ),
            keep,
        )


def downgrade() -> None:
    """Drop the interval columns, their indexes and the stamps' unique constraint; the rows merged
    into intervals stay merged."""
    with op.batch_alter_table("quarantine") as batch_op:
        batch_op.drop_index("ix_quarantine_last_run_id")
        batch_op.drop_column("last_run_id")
    with op.batch_alter_table("stamps") as batch_op:
        batch_op.drop_constraint("uq_stamps_value_source", type_="unique")
        batch_op.drop_column("last_run_id")
        batch_op.drop_column("first_observed_at")
    with op.batch_alter_table("observations") as batch_op:
        batch_op.drop_index("ix_observations_source_last_run")
        batch_op.drop_index("ix_observations_last_response")
        batch_op.drop_column("last_response_id")
        batch_op.drop_column("last_run_id")
