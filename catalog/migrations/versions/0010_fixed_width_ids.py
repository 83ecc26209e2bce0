"""SQLite: ids of runs and responses start where their stored width stays fixed for decades

Revision ID: 0010
Revises: 0009

SQLite stores an integer in as few bytes as its value needs (0 and 1 in none, up to 127 in one,
up to 32,767 in two, up to 8,388,607 in three, up to 2,147,483,647 in four). An unchanged refresh
moves observation and stamp interval ends (`last_run_id`, `last_response_id`) to the new run in
place; each time the new id needs one byte more than the old, every such row lengthens and its
packed page splits (3.5 MB for the second refresh of a fresh epoch-2 catalog). So ids are
allocated from a sequence (AUTOINCREMENT) seeded where the width holds for the catalog's life:

- runs from 32,768: three bytes until run 8,388,607 (5,700 years at four refreshes a day);
- responses from 8,388,608: four bytes until 2,147,483,647 (PostgreSQL INTEGER's own limit).

An existing catalog keeps the ids it has given; each of its rows lengthens once, the first time
a new run confirms it, and never again. PostgreSQL stores INTEGER in four bytes whatever the
value, so its sequences are left as they are.
"""

from __future__ import annotations

from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

# table -> the id its sequence hands out first on a fresh catalog
FIRST_ID = {"runs": 2**15, "responses": 2**23}


def _recreate(autoincrement: bool) -> None:
    for table in FIRST_ID:
        with op.batch_alter_table(
            table, recreate="always", table_kwargs={"sqlite_autoincrement": autoincrement}
        ):
            pass


def upgrade() -> None:
    """On SQLite only: rebuild runs and responses with AUTOINCREMENT and seed their sequences at
    FIRST_ID (or the largest id already given, whichever is greater)."""
    if op.get_bind().dialect.name != "sqlite":
        return
    _recreate(True)
    for table, first in FIRST_ID.items():
        op.execute(f"DELETE FROM sqlite_sequence WHERE name = '{table}'")
        op.execute(
            f"INSERT INTO sqlite_sequence (name, seq) "
            f"SELECT '{table}', max(coalesce(max(id), 0), {first - 1}) FROM {table}"
        )


def downgrade() -> None:
    """On SQLite only: rebuild runs and responses without AUTOINCREMENT."""
    if op.get_bind().dialect.name != "sqlite":
        return
    _recreate(False)
