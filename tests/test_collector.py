"""A refresh pauses the cyclic garbage collector while its stages build records and keeps what
they built out of later collections while it runs (flows/refresh.py `collection_paused`); when
the refresh ends, nothing stays frozen and the collector runs again: a process that refreshes
repeatedly (a served deployment) must not keep each run's objects out of collection.

Refreshes through the real flow (Scrapy over loopback HTTP, a real Prefect API, SQLite) of the
recorded epoch-1 world.
"""

from __future__ import annotations

import gc
from pathlib import Path

import pytest

from tests.conftest import WORLDS
from tests.worlds import replayed_run

pytestmark = pytest.mark.integration


def test_nothing_stays_frozen_after_a_refresh(prefect_api: None, tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'catalog.db'}"
    assert gc.get_freeze_count() == 0
    for accept_new in (True, False):
        replayed_run(db, WORLDS / "epoch-1.json", ["litellm", "openrouter"], accept_new=accept_new)
        assert gc.isenabled()
        assert gc.get_freeze_count() == 0
