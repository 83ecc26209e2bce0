"""Who stands behind a value is who states it as of the reading time.

A fault round (h54): on a catalog of OpenRouter's epoch-1 then epoch-2 (nothing decided), the
exports and `/api/values` listed openrouter as stating claude-sonnet-latest's input of 3, dated
2026-05-20, while OpenRouter, the route's own source, states 2 now and an open item proposes it:
the exports read every source that had ever confirmed the value. A source whose latest statement
of the field by the reading time gives another value no longer stands behind it; read as of a
day before it moved, it does (README: "a source whose latest statement differs is listed as
disagreeing, not also as corroborating").

The catalog is conftest's `refreshed_catalog` (real refreshes of the recorded worlds).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from catalog import queries, reader, store
from tests.conftest import copy_catalog

pytestmark = pytest.mark.integration

ROUTE, MODEL = "openrouter", "claude-sonnet-latest"


def _input(url: str, day: date | None) -> reader.PublishedValue:
    with store.connect(url).connect() as conn:
        found = reader.published_values(conn, reader.as_of(day), route=ROUTE, model=MODEL)
    [value] = [p for p in found if p.value.component.value == "input" and not p.value.dimensions]
    return value


def test_a_source_stating_another_value_now_no_longer_stands_behind_it(
    refreshed_catalog: Path, tmp_path: Path
) -> None:
    url = copy_catalog(refreshed_catalog, tmp_path / "catalog.db")
    now = _input(url, None)
    assert str(now.value.value) == "3" and now.value.accepted_source == "openrouter"
    with store.connect(url).connect() as conn:
        view = queries.model_view(conn, ROUTE, MODEL)
    [field] = [f for f in view.fields if f.component.value == "input" and not f.dimensions]
    assert "openrouter" in {s.source for s in field.disagreeing}  # it states 2 now
    assert "openrouter" not in {s.source for s in now.stated_by}
    then = _input(url, date(2026, 6, 1))  # after epoch-1's answer, before epoch-2's
    assert "openrouter" in {s.source for s in then.stated_by}
