"""An interruption raised inside a statement releases SQLite's write lock at once (fault round
29): a SIGTERM a second into the apply landed inside executemany, SQLAlchemy invalidated the
connection instead of rolling it back, and the catalog stayed locked while the exception lived:
the run could not be recorded ended ('database is locked' after the busy timeout, a traceback,
the run left 'running')."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from catalog import store


class Interrupting:
    """A parameter whose adaptation (SQLite calls back into Python mid-executemany) is where the
    signal lands: the 50th raises KeyboardInterrupt, as a signal handler would."""

    adapted = 0


def _adapt(_: Interrupting) -> int:
    Interrupting.adapted += 1
    if Interrupting.adapted == 50:
        raise KeyboardInterrupt
    return Interrupting.adapted


sqlite3.register_adapter(Interrupting, _adapt)


def test_an_interruption_inside_executemany_leaves_the_catalog_writable(tmp_path: Path) -> None:
    path = tmp_path / "catalog.db"
    engine = store.connect(f"sqlite:///{path}")
    with pytest.raises(KeyboardInterrupt), store.write_transaction(engine) as conn:
        conn.exec_driver_sql("CREATE TEMP TABLE scratch (n INTEGER)")
        conn.exec_driver_sql(
            "INSERT INTO runs (started_at, status, policy, summary) VALUES (?, ?, ?, ?)",
            [("2026-08-21 00:00:00", "running", "test", "{}")] * 3,
        )
        conn.exec_driver_sql(
            "INSERT INTO scratch (n) VALUES (?)", [(Interrupting(),) for _ in range(100)]
        )
    # another writer gets the lock at once (no waiting out a busy timeout), and nothing of the
    # interrupted transaction was kept
    with closing(sqlite3.connect(path, timeout=0.5)) as other:
        other.execute("BEGIN IMMEDIATE")
        assert other.execute("SELECT count(*) FROM runs").fetchone() == (0,)
        other.rollback()
