"""Issue 9's done-when on the recorded epoch-2 world, refreshed once onto an empty catalog with
the accept-new policy (`ratecard refresh --replay .../epoch-2.json --accept-new`; the session's
catalog of tests/published.py), asserted by SQL on the catalog."""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Iterator
from contextlib import closing
from decimal import Decimal
from pathlib import Path

import pytest

from tests.published import epoch2_catalog

pytestmark = pytest.mark.integration

# A binary-float artefact in decimal text: six or more 9s or 0s inside the significant digits,
# then a last digit or two (0.7499999999999999, 0.30000000000000004).
FLOAT_NOISE = re.compile(r"^-?\d*\.?0*[1-9]\d*?(9{6,}\d{0,2}|0{6,}[1-9]\d?)$")


@pytest.fixture(scope="module")
def catalog_path(prefect_api: None, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return epoch2_catalog(tmp_path_factory)


@pytest.fixture(scope="module")
def db(catalog_path: Path) -> Iterator[sqlite3.Connection]:
    with closing(sqlite3.connect(f"file:{catalog_path}?mode=ro", uri=True)) as conn:
        yield conn


def test_no_ttl_less_cache_write_beside_a_ttl_one(db: sqlite3.Connection) -> None:
    """(a) one field per real price: no in-force cache write without a lifetime on a (route,
    model) whose cache writes have lifetimes (whatever their other dimensions)."""
    rows = db.execute(
        """
        with cw as (
          select route, model, dimensions from catalog_values
          where component = 'cache_write' and valid_to is null
        )
        select a.route, a.model, a.dimensions from cw a
        where ';' || a.dimensions || ';' not like '%;cache_ttl=%'
          and exists (
            select 1 from cw b
            where b.route = a.route and b.model = a.model
              and ';' || b.dimensions || ';' like '%;cache_ttl=%'
          )
        """
    ).fetchall()
    assert rows == []
    # and the openrouter route has its Claude writes per lifetime
    lifetimes = db.execute(
        "select count(*) from catalog_values where route = 'openrouter' and valid_to is null"
        " and component = 'cache_write' and dimensions like '%cache_ttl=5m%'"
    ).fetchone()[0]
    assert lifetimes > 20


def test_no_none_to_none_titles(db: sqlite3.Connection) -> None:
    """(b) a title says what the sources state."""
    assert db.execute("select count(*) from review_items where title like '%None%'").fetchone() == (
        0,
    )
    titles = [
        t for (t,) in db.execute("select title from review_items where kind = 'disagreement'")
    ]
    assert titles and all(" vs " in t or "→" in t or "fields" in t for t in titles)


def test_no_speech_model_price_per_token(db: sqlite3.Connection) -> None:
    """(c) models priced per minute, second, hour or character by sources that never price them
    per token, and per token by no official source, have no per-token value in force."""
    rows = db.execute(
        """
        with untokened as (
          select distinct model from observations
          where kind = 'price' and model is not null
            and unit in ('usd_per_minute', 'usd_per_second', 'usd_per_hour', 'usd_per_character')
        )
        select v.route, v.model, v.component, v.value from catalog_values v
        join untokened u on u.model = v.model
        where v.valid_to is null and v.unit = 'usd_per_1m_tokens'
          and v.model in ('whisper-1', 'tts-1', 'tts-1-hd', 'whisper-large-v3',
                          'nova-3', 'gpt-realtime-whisper', 'grok-stt-1.0', 's1', 'speech-2.8-hd')
        """
    ).fetchall()
    assert rows == []
    speech_per_minute = db.execute(
        "select value, unit from catalog_values where route = 'openai' and model = 'whisper-1'"
        " and valid_to is null and component = 'input'"
    ).fetchall()
    assert speech_per_minute == [("0.006", "usd_per_minute")]


def _noise(text: str | None) -> bool:
    return text is not None and bool(FLOAT_NOISE.match(text))


def test_no_value_or_item_differing_only_by_float_noise(db: sqlite3.Connection) -> None:
    """(d) no stored value is a float artefact, and no item's values differ only by one."""
    values = [v for (v,) in db.execute("select value from catalog_values")]
    assert values and not [v for v in values if _noise(v)]
    for title, changes in db.execute("select title, changes from review_items"):
        for change in json.loads(changes):
            stated = [change.get("current"), change.get("proposed")] + [
                s["value"] for s in change.get("sources", [])
            ]
            assert not [v for v in stated if _noise(v)], title
            numbers = {Decimal(v) for v in stated if v is not None}
            if len(numbers) > 1:
                rounded = {n.quantize(Decimal(1).scaleb(n.adjusted() - 9)) for n in numbers if n}
                assert len(rounded) > 1 or 0 in numbers, title


def test_cache_read_check_quarantines_only_cache_reads_above_input(db: sqlite3.Connection) -> None:
    """(e) every row the cache-read check set aside is a cache read above its own source's
    input for the same route, model, unit and dimensions."""
    rows = db.execute(
        """
        select q.source, json_extract(q.payload, '$.route'),
               coalesce(json_extract(q.payload, '$.model'),
                        json_extract(q.payload, '$.source_model')),
               json_extract(q.payload, '$.component'),
               json_extract(q.payload, '$.unit'),
               json_extract(q.payload, '$.value'),
               json_extract(q.payload, '$.dimensions')
        from quarantine q where q.rule like '%cache_read_le_input%'
        """
    ).fetchall()
    assert rows
    for source, route, model, component, unit, value, dims in rows:
        assert component == "cache_read", (source, route, model, component)
        key = ";".join(f"{k}={v}" for k, v in sorted(json.loads(dims).items()))
        inputs = [
            Decimal(v)
            for (v,) in db.execute(
                "select value from observations where source = ? and route = ? and"
                " coalesce(model, source_model) = ? and component = 'input' and unit = ?"
                " and dimensions = ?",
                (source, route, model, unit, key),
            )
        ] + [
            Decimal(v)
            for v, d in db.execute(
                "select json_extract(payload, '$.value'), json_extract(payload, '$.dimensions')"
                " from quarantine where source = ? and json_extract(payload, '$.route') = ?"
                " and coalesce(json_extract(payload, '$.model'),"
                " json_extract(payload, '$.source_model')) = ?"
                " and json_extract(payload, '$.component') = 'input'"
                " and json_extract(payload, '$.unit') = ?",
                (source, route, model, unit),
            )
            if ";".join(f"{k}={v}" for k, v in sorted(json.loads(d).items())) == key
        ]
        assert inputs and Decimal(value) > min(inputs), (source, route, model, value, inputs)


def test_scheduled_price_is_recorded_not_current(db: sqlite3.Connection) -> None:
    """Row 7: genai-prices' claude-sonnet-5 $3 from 2026-09-01 is recorded with its date; the
    catalog holds no value from it."""
    scheduled = db.execute(
        "select value, effective_from from observations where source = 'genai-prices'"
        " and route = 'anthropic' and source_model = 'claude-sonnet-5' and component = 'input'"
        " and dimensions = ''"
    ).fetchall()
    assert sorted(scheduled) == [("2", None), ("3", "2026-09-01")]
    assert not db.execute(
        "select 1 from catalog_values where route = 'anthropic' and model = 'claude-sonnet-5'"
        " and value = '3' and component = 'input' and dimensions = ''"
    ).fetchall()


def test_contradicting_threshold_makes_no_tier(db: sqlite3.Connection) -> None:
    """Row 4: no context_above=128000 field for google/gemini-2.5-pro; the flag is quarantined."""
    assert not db.execute(
        "select 1 from catalog_values where route = 'google' and model = 'gemini-2.5-pro'"
        " and dimensions like '%context_above=128000%'"
    ).fetchall()
    assert (
        db.execute(
            "select count(*) from quarantine where source = 'portkey'"
            " and rule = 'threshold contradicts' and detail like '%for google/gemini-2.5-pro'"
        ).fetchone()[0]
        == 7
    )
