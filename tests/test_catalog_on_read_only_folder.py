"""A catalog whose folder SQLite cannot write beside it says so, not that the file is unreadable.

A fault round (h54): a copy of a catalog on a read-only bind mount made every command say
"cannot read …/ro.db: unable to open database file", though the file reads: the catalog is in
WAL mode, and SQLite makes its -wal and -shm files beside it. The folder's state is what this
machine's system calls report (a mount needs privileges a test does not have): `os.access`
says the folder is not writable, and SQLite's open fails as it does there.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from catalog import store


def test_a_catalog_in_a_folder_sqlite_cannot_write_names_the_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "ro.db"
    store.open_catalog(f"sqlite:///{path}", create=True).dispose()
    for side in ("-wal", "-shm"):
        path.with_name(path.name + side).unlink(missing_ok=True)
    writable = os.access

    def access(target: Any, mode: int) -> bool:
        return False if Path(target) == tmp_path and mode == os.W_OK else writable(target, mode)

    def refused(*args: Any, **kwargs: Any) -> sqlite3.Connection:
        raise sqlite3.OperationalError("unable to open database file")

    monkeypatch.setattr(os, "access", access)
    monkeypatch.setattr(sqlite3, "connect", refused)
    with pytest.raises(store.CatalogUnavailable) as refusal:
        store.open_catalog(f"sqlite:///{path}")
    assert str(refusal.value) == (
        f"sqlite:///{path}: cannot open {path}: its folder {tmp_path} is not writable, and "
        "SQLite makes the catalog's -wal and -shm files beside it (copy the catalog to a "
        "writable folder)"
    )
