"""A model a source's complete listing names is listed, whether or not ratecard could read it.

Refreshes through the real flow (Scrapy over loopback HTTP, a real Prefect API, SQLite) of
epoch-2 worlds made here from the real recorded responses, each with one model's record broken:

- no value of the record can be read: a field every other one depends on, of another shape
  (`mode` of a transcription entry as a list: quarantined as "mode is not a name", and its
  per-second prices, whose medium the mode says, with it as unit-ambiguous), or every field
  of an OpenRouter entry of another shape (each field quarantined alone: no value left); and,
  beside them, one field of another shape quarantined alone (LiteLLM's legacy `max_tokens`:
  the entry's other values are read);
- every value it states is read, and every one is set aside by validation (every price of a
  Portkey entry written as a placeholder far over its unit's sane maximum).

For MISSING_AFTER refreshes of the otherwise complete listing, the record is quarantined each
run, the model's values stay in force and no "missing" item proposes its removal: a source can
only fail itself, and what it sent and ratecard could not read is not gone. The same model
left out of the listing for MISSING_AFTER refreshes opens its "missing" item, as before, unless
the source is secondary and the route's official source still states the model: a secondary's
absence cannot propose closing what the official source stands behind.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import and_, select

from catalog import store
from catalog.compare import MISSING_AFTER
from catalog.normalize import named_by
from catalog.tables import catalog_values, listings, quarantine, review_items, source_runs
from schemas.fetch import Uninterpretable
from schemas.records import ReviewKind
from schemas.sources import sources as configured_sources
from tests.conftest import WORLDS, copy_catalog
from tests.worlds import fault_world, replayed_run

# The broken sources, and OpenAI's page: the official source that makes gpt-4o a known model.
BASE_SOURCES = ["litellm", "openrouter", "portkey", "openai-page"]
# Routes whose official source (OpenAI's page) goes on stating the cases' models when dropped.
OFFICIALLY_STATED = frozenset({"openai"})
LITELLM = (
    "https://raw.githubusercontent.com/BerriAI/litellm/main/model_prices_and_context_window.json"
)
PORTKEY_OPENAI = "https://configs.portkey.ai/pricing/openai.json"


def recorded(url: str) -> Any:
    manifest = json.loads((WORLDS / "epoch-2.json").read_text())
    [entry] = [e for e in manifest["responses"] if e["url"] == url and "file" in e]
    return json.loads((WORLDS / entry["file"]).read_text())


def wrapped(entry: dict[str, Any], keys: tuple[str, ...]) -> None:
    """Each of `keys` of `entry` (all but `id` when empty) turned into a list of its value."""
    for key in keys or [k for k in entry if k != "id"]:
        entry[key] = [entry[key]]


PLACEHOLDER = 1_000_000  # over every unit's sane maximum (schemas/vocab.py MAGNITUDE_LIMITS)


def placeholders(value: Any) -> Any:
    """`value` with every number under it written as PLACEHOLDER (the free ones too)."""
    if isinstance(value, dict):
        return {k: placeholders(v) for k, v in value.items()}
    if isinstance(value, list):
        return [placeholders(v) for v in value]
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return value
    return PLACEHOLDER


@dataclass(frozen=True)
class Case:
    """One model's records broken at `source`: in each of `urls`, `breaks` breaks them in the
    parsed body, `drop` removes them."""

    source: str
    urls: tuple[str, ...]
    route: str
    model: str
    record: str  # how the quarantine names the record
    rule: str | None  # the rule it is quarantined with (None: any)
    breaks: Callable[[Any], None]
    drop: Callable[[Any], None]

    def world(self, tmp_path: Path, broken: bool) -> Path:
        overrides: dict[str, dict[str, Any]] = {}
        for url in self.urls:
            document = recorded(url)
            if broken:
                self.breaks(document)
            else:
                self.drop(document)
            overrides[url] = {"body": json.dumps(document)}
        folder = tmp_path / ("broken" if broken else "dropped")
        folder.mkdir()
        return fault_world(folder, overrides)


def _gpt4o(model: dict[str, Any]) -> bool:
    """An OpenRouter entry of gpt-4o: its own, or a variant of it (`openai/gpt-4o:batch`)."""
    return bool(model["id"].split(":")[0] == "openai/gpt-4o")


def _wrap_gpt4o(document: Any) -> None:
    for model in filter(_gpt4o, document["data"]):
        wrapped(model, ())


def _without_gpt4o(document: Any) -> None:
    """The listing as OpenRouter would send it without gpt-4o: its count says so too."""
    document["data"] = [m for m in document["data"] if not _gpt4o(m)]
    if "total_count" in document:
        document["total_count"] = len(document["data"])


def _changed(key: str, change: Callable[[dict[str, Any]], None]) -> Callable[[Any], None]:
    return lambda document: change(document[key])


def _without(key: str) -> Callable[[Any], None]:
    return lambda document: document.pop(key)


CASES = {
    # the legacy max_tokens of another shape: that field alone is quarantined ("not a number")
    "litellm max_tokens a list": Case(
        "litellm",
        (LITELLM,),
        "openai",
        "gpt-4o",
        "gpt-4o",
        "not a number",
        _changed("gpt-4o", lambda entry: wrapped(entry, ("max_tokens",))),
        _without("gpt-4o"),
    ),
    # a transcription entry's mode as a list: the mode, and the per-second prices it gives a
    # medium, are quarantined; no value of the entry is left
    "litellm mode a list": Case(
        "litellm",
        (LITELLM,),
        "azure",
        "whisper-1",
        "azure/whisper-1",
        "mode is not a name",
        _changed("azure/whisper-1", lambda entry: wrapped(entry, ("mode",))),
        _without("azure/whisper-1"),
    ),
    # every field but its id of another shape, in each entry of the model (gpt-4o and its
    # batch variant) in both listings: each field quarantined alone, no value left
    "openrouter every field a list": Case(
        "openrouter",
        configured_sources()["openrouter"].urls,
        "openrouter",
        "gpt-4o",
        "openai/gpt-4o",
        None,
        _wrap_gpt4o,
        _without_gpt4o,
    ),
    # every price read, and every one over its unit's sane maximum: set aside by validation
    "portkey every price set aside": Case(
        "portkey",
        (PORTKEY_OPENAI,),
        "openai",
        "gpt-4o",
        "openai/gpt-4o",
        None,
        _changed("gpt-4o", lambda entry: entry.update(placeholders(entry))),
        _without("gpt-4o"),
    ),
}


@pytest.fixture(scope="module")
def epoch2(prefect_api: None, tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("unread") / "catalog.db"
    replayed_run(f"sqlite:///{base}", WORLDS / "epoch-2.json", BASE_SOURCES, accept_new=True)
    return base


def counter(db: str, case: Case) -> int | None:
    """The model's absence counter in the source's listings (None: never listed)."""
    li = listings.c
    with store.connect(db).connect() as conn:
        found: int | None = conn.execute(
            select(li.missing_runs).where(
                li.source == case.source, li.route == case.route, li.model == case.model
            )
        ).scalar()
    return found


def missing_items(db: str, case: Case) -> list[Any]:
    ri = review_items.c
    with store.connect(db).connect() as conn:
        return list(
            conn.execute(
                select(ri.title, ri.sources).where(
                    ri.kind == ReviewKind.MISSING.value,
                    ri.route == case.route,
                    ri.model == case.model,
                )
            )
        )


def in_force(db: str, case: Case) -> list[tuple[Any, ...]]:
    cv = catalog_values.c
    with store.connect(db).connect() as conn:
        return [
            tuple(row)
            for row in conn.execute(
                select(catalog_values)
                .where(cv.route == case.route, cv.model == case.model, cv.valid_to.is_(None))
                .order_by(cv.id)
            )
        ]


def status(db: str, run_id: int, source: str) -> str:
    s = source_runs.c
    with store.connect(db).connect() as conn:
        found: str = conn.execute(
            select(s.status).where(and_(s.run_id == run_id, s.source == source))
        ).scalar_one()
    return found


def quarantined(db: str, run_id: int, case: Case) -> list[str]:
    """The rules the record is quarantined with in run `run_id` (carried on, or new)."""
    q = quarantine.c
    with store.connect(db).connect() as conn:
        return list(
            conn.execute(
                select(q.rule).where(
                    q.source == case.source, q.record == case.record, q.last_run_id == run_id
                )
            ).scalars()
        )


def world_of(tmp_path: Path, cases: list[Case], broken: bool) -> Path:
    """One epoch-2 world with every case's records broken (or left out), each URL once."""
    overrides: dict[str, Any] = {}
    for case in cases:
        for url in case.urls:
            document = overrides.setdefault(url, recorded(url))
            (case.breaks if broken else case.drop)(document)
    folder = tmp_path / ("broken" if broken else "dropped")
    folder.mkdir()
    return fault_world(folder, {url: {"body": json.dumps(doc)} for url, doc in overrides.items()})


@pytest.mark.integration
def test_a_model_whose_record_cannot_be_read_is_not_missing(epoch2: Path, tmp_path: Path) -> None:
    """Every case at once (their records are apart), so the refreshes are shared."""
    cases = [CASES[name] for name in sorted(CASES)]
    sources = sorted({case.source for case in cases})
    db = copy_catalog(epoch2, tmp_path / "unread.db")
    values = {}
    for case in cases:
        assert counter(db, case) == 0, f"{case}: the model is listed after epoch-2"
        values[case] = in_force(db, case)
        assert values[case], case
    world = world_of(tmp_path, cases, broken=True)
    for _ in range(MISSING_AFTER):
        run_id = replayed_run(db, world, sources)
        for case in cases:
            assert status(db, run_id, case.source) == "ok"  # a complete listing
            rules = quarantined(db, run_id, case)
            assert rules, f"run {run_id}: {case.record} is not reported"
            assert case.rule is None or case.rule in rules, (case.record, rules)
            assert counter(db, case) == 0, f"run {run_id}: {case} counted absent"
    for case in cases:
        assert not missing_items(db, case), case
        assert in_force(db, case) == values[case], case

    # left out of the listing, the same models are missing after MISSING_AFTER refreshes
    db = copy_catalog(epoch2, tmp_path / "dropped.db")
    world = world_of(tmp_path, cases, broken=False)
    for _ in range(MISSING_AFTER):
        replayed_run(db, world, sources)
    for case in cases:
        assert counter(db, case) == MISSING_AFTER, case
        mine = [t for t, named in missing_items(db, case) if named == [case.source]]
        if case.route in OFFICIALLY_STATED:
            # a secondary's absence proposes nothing on what the official source states
            assert not mine, case
            assert in_force(db, case) == values[case], case
            continue
        [title] = mine
        assert f"complete listings of {case.source}" in title
    assert {case.route for case in cases} - OFFICIALLY_STATED  # an item is still asserted


# Parsers that name a record's models (spiders/parsing.py `names`): every source's.
NAMING = sorted(configured_sources())
# A row of DeepSeek's page names the models of its table, whether or not it prices each.
TABLE_WIDE = frozenset({"deepseek-page"})


@pytest.mark.parametrize("source", NAMING)
def test_a_record_names_the_models_its_drafts_state(source: str) -> None:
    """`names` reads what `normalize` writes on its drafts, record by record, over every
    recorded response: a name it got wrong would vouch for another model, or for none."""
    parser = configured_sources()[source].parser
    assert hasattr(parser, "names")
    compared = 0
    for url in configured_sources()[source].urls:
        manifest = json.loads((WORLDS / "epoch-2.json").read_text())
        files = [e["file"] for e in manifest["responses"] if e["url"] == url and "file" in e]
        for file in files:
            for record in parser.parse((WORLDS / file).read_bytes(), url).records:
                try:
                    drafts = parser.normalize(record)
                except Exception:
                    continue
                stated = {(d.route, d.source_model) for d in drafts}
                if stated:
                    named = set(named_by(parser.names, record))
                    assert stated <= named if source in TABLE_WIDE else stated == named, record
                    compared += 1
    assert compared  # not vacuous


def test_an_azure_meter_that_is_no_usage_price_names_no_model() -> None:
    """Azure sends training, hosting and provisioned-throughput meters every run, each set aside
    ("not a usage price"): naming their models would keep a model whose usage prices Azure no
    longer lists from ever going missing."""
    parser = configured_sources()["azure"].parser
    manifest = json.loads((WORLDS / "epoch-2.json").read_text())
    set_aside = 0
    for entry in manifest["responses"]:
        if "file" not in entry or not entry["url"].startswith("https://prices.azure.com/"):
            continue
        for record in parser.parse((WORLDS / entry["file"]).read_bytes(), entry["url"]).records:
            try:
                parser.normalize(record)
            except Uninterpretable as exc:
                if exc.rule == "not a usage price":
                    assert named_by(parser.names, record) == [], record
                    set_aside += 1
    assert set_aside > 20
