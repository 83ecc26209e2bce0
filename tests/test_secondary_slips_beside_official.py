"""A secondary's slip beside what the route's official source states is set aside, not proposed.

Fault kinds from the sources' public bug reports (fault round 22), each made here from the
recorded LiteLLM map of epoch-2:

- a model's prices stated per 1K tokens where the key says per token (BerriAI/litellm#38167):
  LiteLLM's `azure/gpt-4.1-mini` at 400 per 1M beside Azure's 0.4 Global meter. Stated without
  a deployment scope, and equal to no scope's meter, it was proposed as an unscoped price of its
  own, a thousand times Azure's;
- a tier key renamed (BerriAI/litellm#9807): `claude-sonnet-4-5`'s `*_above_200k_tokens` keys as
  `*_above_128k_tokens`, while its dated key still states 200k. The dated key's 200k excused the
  other key's 128k, and a 128k tier Anthropic's page contradicts was proposed;
- a cache read written as the input price (BerriAI/litellm#9833) on `gpt-4.1-mini` only: LiteLLM
  then priced its dated key apart from it, and `gpt-4.1-mini-2025-04-14` became a model of its
  own on every route, OpenAI's own statements of it with it. The same under the spelling
  `gpt-41-mini`, and (fault round 24) the converse: OpenAI's page misprinting a base price must
  not fold a dated id that Portkey prices apart.

Refreshes through the real flow (Scrapy over loopback HTTP, a real Prefect API, SQLite).
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from catalog import store
from catalog.intake import OFF_OFFICIAL_RULE
from catalog.tables import catalog_values, quarantine, review_items
from catalog.thresholds import THRESHOLD_RULE
from schemas.batch import STATED_TWICE_RULE
from tests.conftest import WORLDS, copy_catalog, replayed_catalog
from tests.test_fault_kinds import urls
from tests.worlds import epoch2_loaded, fault_world, recorded_text, replayed_run, reported

pytestmark = pytest.mark.integration


def _litellm_changed(tmp_path: Path, change: dict[str, dict[str, object]]) -> Path:
    """Epoch-2 with LiteLLM's map as recorded but the entries in `change` replaced."""
    url = urls("litellm")[0]
    document = json.loads(recorded_text(url))
    for key, entry in change.items():
        assert key in document
        document[key] = entry
    return fault_world(tmp_path, {url: {"body": json.dumps(document)}})


def _opened_and_set_aside(db: str, run_id: int, model: str) -> tuple[list[str], list[str]]:
    """The review items run `run_id` opened about `model` (kind: title) and the rules its
    quarantine rows of LiteLLM name `model` under."""
    ri, q = review_items.c, quarantine.c
    with store.connect(db).connect() as conn:
        opened = conn.execute(
            select(ri.kind, ri.title).where(ri.run_id == run_id, ri.model == model)
        ).all()
        rules = conn.execute(
            select(q.rule, q.detail).where(q.run_id == run_id, q.source == "litellm")
        ).all()
    return (
        [f"{kind}: {title}" for kind, title in opened],
        [rule for rule, detail in rules if model in detail],
    )


def test_a_secondary_azure_price_per_1k_is_set_aside_not_proposed_unscoped(
    prefect_api: None, tmp_path_factory: pytest.TempPathFactory, tmp_path: Path
) -> None:
    sources = ["azure", "litellm"]
    db = epoch2_loaded(tmp_path_factory, tmp_path / "catalog.db", sources)
    url = urls("litellm")[0]
    entry = json.loads(recorded_text(url))["azure/gpt-4.1-mini"]
    per_1k = {
        k: float(Decimal(str(v)) * 1000) if k.endswith("_per_token") else v
        for k, v in entry.items()
    }
    assert per_1k["input_cost_per_token"] == 0.0004
    run_id = replayed_run(db, _litellm_changed(tmp_path, {"azure/gpt-4.1-mini": per_1k}), sources)
    assert reported(db, run_id)["litellm"][0] == "ok"
    opened, rules = _opened_and_set_aside(db, run_id, "gpt-4.1-mini")
    assert not [item for item in opened if not item.startswith("anomaly")], opened
    assert OFF_OFFICIAL_RULE in rules, rules


@pytest.mark.parametrize(("factor", "taken"), [("2", False), ("1.2", True)])
def test_a_secondary_azure_price_no_deployment_charges_is_a_disagreement_not_a_value(
    prefect_api: None, tmp_path: Path, factor: str, taken: bool
) -> None:
    """Fault round 32 (anomalyco/models.dev#4049, BerriAI/litellm#36094): a secondary's Azure
    price with no deployment scope copied from another model, twice Azure's (models.dev's gpt-4
    at GPT-4-32K's 60 beside Azure's regional 30), entered a first load as an unscoped price
    that `cost` quoted; only a power of ten was set aside. Half as much again off every scope's
    meter is no deployment's price: a disagreement with the official source, on a first load
    too, proposing the value for a reviewer to take. A fifth off enters as stated (Azure's own
    data zones are a tenth above its global list price)."""
    sources = ["azure", "litellm"]
    db = f"sqlite:///{tmp_path / 'catalog.db'}"
    url = urls("litellm")[0]
    entry = json.loads(recorded_text(url))["azure/gpt-4.1-mini"]
    scaled = {
        k: float(Decimal(str(v)) * Decimal(factor)) if k.endswith("_per_token") else v
        for k, v in entry.items()
    }
    run_id = replayed_run(
        db, _litellm_changed(tmp_path, {"azure/gpt-4.1-mini": scaled}), sources, accept_new=True
    )
    cv, ri = catalog_values.c, review_items.c
    with store.connect(db).connect() as conn:
        unscoped = conn.execute(
            select(cv.component, cv.value).where(
                cv.route == "azure",
                cv.model == "gpt-4.1-mini",
                cv.valid_to.is_(None),
                cv.dimensions == "",  # no deployment, tier or variant
                cv.component.in_(["input", "output"]),
            )
        ).all()
        disagreements = conn.execute(
            select(ri.title, ri.detail).where(
                ri.run_id == run_id,
                ri.model == "gpt-4.1-mini",
                ri.kind == "disagreement",
                ri.status == "open",
            )
        ).all()
    assert len(unscoped) == (2 if taken else 0), unscoped
    about_scopes = [d for _, d in disagreements if "with no deployment scope" in d]
    assert (len(about_scopes) >= 2) is not taken, disagreements
    if not taken:
        assert any(d.startswith("litellm: 0.8 with no") for d in about_scopes), about_scopes
        assert any(d.startswith("litellm: 3.2 with no") for d in about_scopes), about_scopes
    assert all("scope=global" in d for d in about_scopes)


def test_a_tier_key_renamed_beside_a_dated_key_is_flagged_not_a_new_tier(
    prefect_api: None, tmp_path_factory: pytest.TempPathFactory, tmp_path: Path
) -> None:
    sources = ["anthropic-page", "litellm"]
    db = epoch2_loaded(tmp_path_factory, tmp_path / "catalog.db", sources)
    url = urls("litellm")[0]
    entry = json.loads(recorded_text(url))["claude-sonnet-4-5"]
    renamed = {k.replace("_above_200k_tokens", "_above_128k_tokens"): v for k, v in entry.items()}
    assert renamed != entry
    world = _litellm_changed(tmp_path, {"claude-sonnet-4-5": renamed})
    run_id = replayed_run(db, world, sources)
    opened, rules = _opened_and_set_aside(db, run_id, "claude-sonnet-4-5")
    assert not [item for item in opened if "128000" in item or "new" in item], opened
    assert THRESHOLD_RULE in rules, rules


def test_a_base_price_the_official_contradicts_splits_no_snapshot(
    prefect_api: None, tmp_path_factory: pytest.TempPathFactory, tmp_path: Path
) -> None:
    """LiteLLM's `gpt-4.1-mini` cache read written as its input price (BerriAI/litellm#9833),
    its dated key as recorded: the dated id stays the model OpenAI's page names, and LiteLLM's
    two values of the field are its problem."""
    sources = ["openai-page", "litellm"]
    db = epoch2_loaded(tmp_path_factory, tmp_path / "catalog.db", sources)
    url = urls("litellm")[0]
    entry = json.loads(recorded_text(url))["gpt-4.1-mini"]
    assert entry["cache_read_input_token_cost"] < entry["input_cost_per_token"]
    world = _litellm_changed(
        tmp_path,
        {"gpt-4.1-mini": {**entry, "cache_read_input_token_cost": entry["input_cost_per_token"]}},
    )
    run_id = replayed_run(db, world, sources)
    opened, rules = _opened_and_set_aside(db, run_id, "gpt-4.1-mini")
    split, _ = _opened_and_set_aside(db, run_id, "gpt-4.1-mini-2025-04-14")
    assert split == [], split
    assert STATED_TWICE_RULE in rules, rules
    assert not [item for item in opened if item.startswith("new")], opened


def test_secondaries_beside_an_azure_meter_that_moved_are_not_set_aside(
    prefect_api: None, tmp_path_factory: pytest.TempPathFactory, tmp_path: Path
) -> None:
    """Azure the one rescaled (Azure-Samples/AI-Gateway#403: a per-1K meter's unit read as 1M;
    here its price a thousandth, the unit kept: a "... Tokens" meter relabelled "1M" is
    quarantined as its unit ambiguous): its moved meters are anomalies, and the secondaries
    stating the price in force are not set aside as a power of ten off the meter epoch-2 adds,
    the one Azure states that teaches a scope (no value of it in force to have moved from)."""
    sources = ["azure", "litellm"]
    loaded = replayed_catalog(tmp_path_factory, [("epoch-1", sources, True)])
    db = copy_catalog(loaded, tmp_path / "catalog.db")
    broken: dict[str, dict[str, object]] = {}
    for url in urls("azure"):
        document = json.loads(recorded_text(url))
        meters = [
            item
            for item in document["Items"]
            if item["skuName"].lower().startswith("gpt 4.1 mini") and item["unitOfMeasure"] == "1K"
        ]
        for item in meters:
            for price in ("retailPrice", "unitPrice"):
                item[price] = float(Decimal(str(item[price])) / 1000)
        if meters:
            broken[url] = {"body": json.dumps(document)}
    assert broken
    run_id = replayed_run(db, fault_world(tmp_path, broken), sources)
    opened, rules = _opened_and_set_aside(db, run_id, "gpt-4.1-mini")
    assert any(item.startswith("anomaly") for item in opened), opened
    assert OFF_OFFICIAL_RULE not in rules, rules


def test_a_tier_the_official_page_does_not_state_is_flagged_beside_its_own(
    prefect_api: None, tmp_path: Path
) -> None:
    """Gemini 1.5's 128k tier keys pasted into LiteLLM's gemini-2.5-pro records beside their 200k
    ones: Google's page states the model's one threshold, 200k."""
    sources = ["gemini-page", "litellm"]
    db = f"sqlite:///{tmp_path / 'catalog.db'}"
    replayed_run(db, WORLDS / "epoch-2.json", sources, accept_new=True)
    document = json.loads(recorded_text(urls("litellm")[0]))
    change = {}
    for key in ("gemini-2.5-pro", "gemini/gemini-2.5-pro"):
        entry = document[key]
        extra = {
            k.replace("_above_200k_tokens", "_above_128k_tokens"): v
            for k, v in entry.items()
            if "_above_200k_tokens" in k
        }
        assert extra
        change[key] = {**entry, **extra}
    run_id = replayed_run(db, _litellm_changed(tmp_path, change), sources)
    opened, rules = _opened_and_set_aside(db, run_id, "gemini-2.5-pro")
    on_google = [item for item in opened if "google/" in item]
    assert not [item for item in on_google if "128000" in item or "new" in item], opened
    assert THRESHOLD_RULE in rules, rules


def test_a_base_spelled_otherwise_is_met_by_the_official_statement(
    prefect_api: None, tmp_path_factory: pytest.TempPathFactory, tmp_path: Path
) -> None:
    """The cache-read slip of the test above under LiteLLM's spelling `gpt-41-mini` (Azure's way
    of writing versions): the official statement meets the base under any spelling, and the
    dated id still folds."""
    sources = ["openai-page", "litellm"]
    db = epoch2_loaded(tmp_path_factory, tmp_path / "catalog.db", sources)
    url = urls("litellm")[0]
    document = json.loads(recorded_text(url))
    entry = document.pop("gpt-4.1-mini")
    assert "gpt-41-mini" not in document
    document["gpt-41-mini"] = {
        **entry,
        "cache_read_input_token_cost": entry["input_cost_per_token"],
    }
    run_id = replayed_run(db, fault_world(tmp_path, {url: {"body": json.dumps(document)}}), sources)
    split, _ = _opened_and_set_aside(db, run_id, "gpt-4.1-mini-2025-04-14")
    assert split == [], split


def _family(db: str, base: str) -> set[tuple[str, str]]:
    """The (route, model) pairs of `db`'s catalog values whose model is `base` or a dated id."""
    v = catalog_values.c
    with store.connect(db).connect() as conn:
        found = conn.execute(
            select(v.route, v.model).distinct().where(v.model.like(f"{base}%"))
        ).all()
    return {(route, model) for route, model in found}


def test_an_official_misprint_no_snapshot_backs_remaps_no_model(
    prefect_api: None, tmp_path: Path
) -> None:
    """OpenAI's page with gpt-4o-mini-audio-preview's audio prices a fifth too high ($12/$24 for
    $10/$20), read into a new catalog: Portkey's base states $10/$20 and its dated key other
    values again, so nothing backs the page's figure against Portkey's base, which still prices
    the dated id apart: the catalog holds the models the recorded page gives it."""
    sources = ["openai-page", "portkey"]
    recorded = f"sqlite:///{tmp_path / 'recorded.db'}"
    replayed_run(recorded, WORLDS / "epoch-2.json", sources, accept_new=True)
    url = urls("openai-page")[0]
    row = "| gpt-4o-mini-audio-preview | $10.00 | - | $20.00 |"
    page = recorded_text(url)
    assert page.count(row) == 1
    world = fault_world(
        tmp_path,
        {url: {"body": page.replace(row, row.replace("$10.00", "$12.00").replace("$20", "$24"))}},
    )
    misprinted = f"sqlite:///{tmp_path / 'misprinted.db'}"
    replayed_run(misprinted, world, sources, accept_new=True)
    family = _family(recorded, "gpt-4o-mini-audio-preview")
    assert ("openai", "gpt-4o-mini-audio-preview-2024-12-17") in family, family
    assert _family(misprinted, "gpt-4o-mini-audio-preview") == family
