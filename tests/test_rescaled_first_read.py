"""A rescaled listing is judged against the catalog and the other sources, not only against the
source's own last applied run.

Found by a fault round: Portkey's 46 responses with every price /100 (dollars read as cents),
read on a first load of an empty catalog (accept-new), entered the catalog (3176 prices at a
hundredth); Portkey had no history to be rescaled from. Then every later right answer was "100
times what the source stated in its last applied run" and Portkey was locked out for good.

Refreshes through the real flow (Scrapy over loopback HTTP, a real Prefect API, SQLite) of
epoch-2 worlds made here from the real recorded responses.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from catalog import runlog, store
from catalog.health import IN_FORCE, LAST_APPLIED, RESCALE_MODELS, prices_by_field
from catalog.intake import rescaled_response
from catalog.tables import catalog_values, source_runs
from schemas.records import Observation, SourceStatus
from tests.conftest import copy_catalog
from tests.test_fault_kinds import bodies, healthy, json_prices, scaled_by
from tests.worlds import fault_world, replayed_run

# Portkey beside the sources that state most of the same fields (official and secondary)
SOURCES = ["portkey", "litellm", "openrouter", "openai-page", "anthropic-page"]


def status(db: str, run_id: int, source: str) -> tuple[str, str]:
    s = source_runs.c
    with store.connect(db).connect() as conn:
        row = conn.execute(
            select(s.status, s.reason).where(s.run_id == run_id, s.source == source)
        ).one()
    return row.status, row.reason


def accepted_from(db: str, source: str) -> int:
    c = catalog_values.c
    with store.connect(db).connect() as conn:
        found: int = conn.execute(
            select(func.count()).where(c.accepted_source == source)
        ).scalar_one()
    return found


@pytest.fixture(scope="module")
def first_load(prefect_api: None, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int]:
    """An empty catalog's first load (accept-new) with Portkey's every price /100."""
    folder = tmp_path_factory.mktemp("rescaled")
    cents = scaled_by("0.01")
    world = fault_world(
        folder,
        {
            url: {"body": json_prices(body, cents).decode()}
            for url, body in bodies("portkey").items()
        },
    )
    db = folder / "catalog.db"
    return db, replayed_run(f"sqlite:///{db}", world, SOURCES, accept_new=True)


@pytest.mark.integration
def test_a_first_load_refuses_a_listing_rescaled_from_what_the_others_state(
    first_load: tuple[Path, int],
) -> None:
    path, run_id = first_load
    db = f"sqlite:///{path}"
    state, reason = status(db, run_id, "portkey")
    assert state == SourceStatus.FAILED.value
    assert reason.startswith("rescaled listing: ") and reason.endswith(f"0.01 times {IN_FORCE}")
    assert accepted_from(db, "portkey") == 0
    for other in SOURCES[1:]:
        assert status(db, run_id, other)[0] in store.APPLIED, other
    assert accepted_from(db, "litellm") > 1000  # the others' values did enter


@pytest.mark.integration
def test_a_source_whose_last_applied_run_was_rescaled_is_right_again(
    first_load: tuple[Path, int], tmp_path: Path
) -> None:
    """Portkey answering right the next day is read. And the lockout rule, on that real
    catalog: a source whose last applied prices were a hundredth of the right ones (a catalog
    loaded before the catalog was a reference) answers right again; against its own history
    alone every price is 100 times over, but most agree with the catalog in force, so it is
    read (the rescaled run's values are the ones its items then propose to change)."""
    db = copy_catalog(first_load[0], tmp_path / "again.db")
    run_id = replayed_run(db, fault_world(tmp_path, {}), SOURCES)
    assert status(db, run_id, "portkey") == (SourceStatus.OK.value, "")
    assert accepted_from(db, "portkey") == 0  # what only Portkey states is proposed, not taken
    with store.connect(db).connect() as conn:
        in_force = runlog.prices_in_force(conn)
    valid = healthy("portkey").valid
    hundredth = {key: value / 100 for key, value in prices_by_field(valid).items()}
    alone = rescaled_response(valid, hundredth)
    assert alone.startswith("rescaled listing: ") and f"are 100 times {LAST_APPLIED}" in alone
    assert rescaled_response(valid, hundredth, in_force) == ""
    # and a listing rescaled from both is refused all the same
    assert rescaled_response([replace(o, value=o.value / 100) for o in valid], {}, in_force)


def test_no_reference_and_no_history_judge_nothing() -> None:
    """A source with no last applied run, an empty catalog and no other source stating its
    fields has nothing to be rescaled from: its prices are read as stated."""
    valid = healthy("openrouter").valid
    hundredth = {key: value / 100 for key, value in prices_by_field(valid).items()}
    assert rescaled_response(valid, {}) == ""
    assert rescaled_response(valid, hundredth)  # the same prices, given a history, are judged


def test_one_response_rescaled_on_a_first_read_is_judged_by_the_others() -> None:
    """A fault round: Portkey read for the first time (no last applied run) with its
    openai.json's every price x100 was read: hundreds of anomalies and disagreements, and
    new-model items proposing the x100 prices. A response whose prices moved by one power of
    ten off the reference, across at least RESCALE_MODELS models, is rescaled without any
    history; a few models' prices so (minimax.json's two, a hundredth of everyone else's, as
    recorded) are those models' disagreement."""
    valid = healthy("portkey").valid
    reference = prices_by_field(valid)  # the catalog in force: Portkey's own recorded prices
    openai = "https://configs.portkey.ai/pricing/openai.json"
    minimax = "https://configs.portkey.ai/pricing/minimax.json"

    def scaled(url: str, factor: int | str) -> list[Observation]:
        return [replace(o, value=o.value * Decimal(factor)) if o.url == url else o for o in valid]

    found = rescaled_response(scaled(openai, 100), {}, reference)
    assert found.startswith("rescaled listing: ") and found.endswith(
        f"are 100 times {IN_FORCE} (the response of {openai})"
    )
    assert len({o.model for o in valid if o.url == minimax}) < RESCALE_MODELS
    assert rescaled_response(scaled(minimax, "0.01"), {}, reference) == ""


MISTRAL = "https://configs.portkey.ai/pricing/mistral-ai.json"


def test_a_response_behind_a_repricing_the_catalog_took_in_lags_and_fails_nothing() -> None:
    """A regression round: after a tenfold cut of Mistral's prices was approved into the catalog,
    Portkey's unchanged mistral-ai.json (10 times the values in force, as it stated them in its
    last applied run) failed every Portkey file. A response with a history is judged by it."""
    valid = healthy("portkey").valid
    own = prices_by_field(valid)
    cut = {
        k: v / 10 if k in prices_by_field([o for o in valid if o.url == MISTRAL]) else v
        for k, v in own.items()
    }
    assert sum(1 for o in valid if o.url == MISTRAL) >= RESCALE_MODELS
    assert rescaled_response(valid, own, cut) == ""


def test_a_first_read_of_a_repricing_the_others_state_too_is_read() -> None:
    """A regression round: Mistral's prices cut tenfold by Portkey, LiteLLM and OpenRouter alike,
    on Portkey's first read: its mistral-ai.json was refused as rescaled from the catalog in
    force, failing all of Portkey. Prices another source states alike are no unit slip."""
    valid = healthy("portkey").valid
    in_force = prices_by_field(valid)
    repriced = [replace(o, value=o.value / 10) if o.url == MISTRAL else o for o in valid]
    others = {"litellm": prices_by_field([o for o in repriced if o.url == MISTRAL])}
    assert rescaled_response(repriced, {}, in_force, lambda: others) == ""
    # stated by no other source, the same tenfold move is a rescaled response
    found = rescaled_response(repriced, {}, in_force, dict)
    assert found.endswith(f"(the response of {MISTRAL})")
