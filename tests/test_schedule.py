"""Scheduled prices (issue 9 row 7): a price whose effective date is after the response's date is
recorded as scheduled and compared only from that date (catalog/schedule.py)."""

from __future__ import annotations

import copy
import json
from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import Engine
from typer.testing import CliRunner

from catalog import queries, reader, schedule, store
from catalog.compare import Context, compare
from catalog.cost import Workload, estimate, scheduled_notes
from catalog.identity import Identity
from catalog.normalize import draft_source, learn_official_models, observations
from ratecard.cli import app
from schemas.batch import STATED_TWICE_RULE, validate
from schemas.fetch import FetchedPage
from schemas.records import Observation, decimal_text
from schemas.sources import is_official, sources
from schemas.vocab import Component
from tests.conftest import snapshot
from tests.runs import refresh
from webapp import create_app

GENAI_URL = (
    "https://raw.githubusercontent.com/pydantic/genai-prices/main/prices/new_data/v2/data.json"
)
GENAI_FILE = "genai-prices/v2/data.json"
GENAI_DATE = datetime(2026, 8, 21, tzinfo=UTC)  # the epoch-2 world's Date for this file
AZURE_URL = "https://prices.azure.com/api/retail/prices?api-version=2023-01-01-preview"
AZURE_FILE = "azure-retail/foundry-models.eastus2.all-pages-merged.2026-08-14.json"
AZURE_DATE = datetime(2026, 8, 14, tzinfo=UTC)


def _observe(
    source: str, url: str, records: list[dict[str, object]], at: datetime
) -> list[Observation]:
    page = FetchedPage(url=url, landing_url=url, status=200, observed_at=at, records=records)
    batch = draft_source(sources()[source], [page])
    identity = Identity.load()
    learn_official_models(identity, [batch])
    identity.learn(["claude-sonnet-5"])  # as Anthropic's page names it in a whole refresh
    return observations(batch, identity)


def _genai(at: datetime) -> list[Observation]:
    config = sources()["genai-prices"]
    return _observe(
        "genai-prices", GENAI_URL, config.parser.parse(snapshot(GENAI_FILE), GENAI_URL).records, at
    )


def _inputs(
    found: list[Observation], route: str, source_model: str
) -> dict[tuple[Decimal, date | None], bool]:
    """(value, effective date) -> scheduled, of the plain input price a source states."""
    return {
        (o.value, o.effective_from): o.scheduled
        for o in found
        if (o.route, o.source_model, o.component) == (route, source_model, Component.INPUT)
        and not o.dimensions
    }


def test_recorded_later_start_is_scheduled_not_current() -> None:
    found = _genai(GENAI_DATE)
    # claude-sonnet-5: $2 in force on 2026-08-21, $3 from 2026-09-01 (scheduled)
    assert _inputs(found, "anthropic", "claude-sonnet-5") == {
        (Decimal("2"), None): False,
        (Decimal("3"), date(2026, 9, 1)): True,
    }
    # o3's 2025-06-10 cut is in force; the price it replaced is not stated as current
    assert _inputs(found, "openai", "o3") == {(Decimal("2"), date(2025, 6, 10)): False}
    scheduled = [o for o in found if o.scheduled]
    assert {o.source_model for o in scheduled} == {
        "claude-sonnet-5",
        "global.anthropic.claude-sonnet-5-v1:0",
        "regional.anthropic.claude-sonnet-5-v1:0",
        "anthropic/claude-sonnet-5",
        "gemini-3.6-flash",
        "gemini-3.7-flash",
    }
    current = schedule.current(found)
    assert not [o for o in current if o.scheduled]
    assert len(current) == len(found) - len(scheduled)


def test_validation_keeps_a_fields_current_and_scheduled_price_apart() -> None:
    """claude-sonnet-5's $2 (current) and $3 (scheduled) are one field stated twice only in
    appearance: both pass. A scheduled cache read is judged against the scheduled input, not
    the current one: above $3 it is flagged, at $2.5 (above the current $2) it passes."""
    found = _genai(GENAI_DATE)
    valid, problems = validate(found)
    passed = _inputs(valid, "anthropic", "claude-sonnet-5")
    assert passed == {(Decimal("2"), None): False, (Decimal("3"), date(2026, 9, 1)): True}
    assert not [p for p in problems if p.observation and p.observation.scheduled]
    later = next(
        o
        for o in found
        if o.scheduled
        and o.source_model == "claude-sonnet-5"
        and o.component == Component.INPUT
        and not o.dimensions
    )
    for cache_read, flagged in ((Decimal("3.5"), True), (Decimal("2.5"), False)):
        stated = replace(later, component=Component.CACHE_READ, value=cache_read, record="later")
        _, problems = validate(
            [o for o in found if not (o.scheduled and o.component == Component.CACHE_READ)]
            + [stated]
        )
        rules = [p.rule for p in problems if p.record == "later"]
        assert rules == (["cache_read_le_input"] if flagged else [])


def test_scheduled_price_counts_from_its_date() -> None:
    # the same response dated on the day after the start: the 2026-09-01 price is current and
    # the one it replaces is no longer stated
    found = _genai(datetime(2026, 9, 2, tzinfo=UTC))
    assert _inputs(found, "anthropic", "claude-sonnet-5") == {
        (Decimal("3"), date(2026, 9, 1)): False
    }


def test_scheduled_price_proposes_nothing() -> None:
    """Compared on an empty catalog without accept-new, the scheduled $3 is in no review item."""
    found = [o for o in _genai(GENAI_DATE) if o.source_model == "claude-sonnet-5"]
    ctx = Context(
        run_id=1,
        now=GENAI_DATE,
        accept_new=False,
        official=is_official,
        complete_sources=frozenset(),
    )
    proposed = {
        (c.component, c.proposed)
        for item in compare(schedule.current(found), {}, {}, [], ctx).items
        for c in item.changes
    }
    assert (Component.INPUT, "2") in proposed
    assert (Component.INPUT, "3") not in proposed


def test_azure_effective_start_after_the_response_is_scheduled() -> None:
    """A variant of a real Azure meter: its effectiveStartDate moved after the response's date."""
    items = json.loads(snapshot(AZURE_FILE))["Items"]
    real = next(i for i in items if i["meterName"] == "gpt-4o-aud-1217 Inp glbl Tokens")
    later = copy.deepcopy(real)
    later["effectiveStartDate"] = "2026-10-01T00:00:00Z"
    later["retailPrice"] = later["unitPrice"] = real["retailPrice"] * 2  # Azure states both
    found = _observe("azure", AZURE_URL, [real], AZURE_DATE)
    assert [o.scheduled for o in found] == [False]
    assert found[0].effective_from == date.fromisoformat(real["effectiveStartDate"][:10])
    both = _observe("azure", AZURE_URL, [real, later], AZURE_DATE)
    assert sorted((o.scheduled, o.effective_from) for o in both) == [
        (False, found[0].effective_from),
        (True, date(2026, 10, 1)),
    ]
    assert [o.value for o in schedule.current(both)] == [found[0].value]


def test_a_model_an_official_source_prices_only_from_a_later_date_is_known() -> None:
    """A fault round: every eastus2 meter of gpt-realtime-2.1 starting after the response's
    date left the model unknown: Azure's observations of it named no model, and LiteLLM's
    name of it mapped to none (the model counted among its unmapped names, its new-model items
    gone). Its scheduled prices teach identity that the model exists, and nothing else."""
    items = json.loads(snapshot(AZURE_FILE))["Items"]
    meters = [i for i in items if i["meterName"].startswith("gpt-realtime-2.1 ")]
    assert len(meters) == 16
    for meter in meters:
        meter["effectiveStartDate"] = "2026-09-15T00:00:00Z"
    page = FetchedPage(AZURE_URL, AZURE_URL, 200, AZURE_DATE, meters)
    batch = draft_source(sources()["azure"], [page])
    identity = Identity.load()
    learn_official_models(identity, [batch])
    found = observations(batch, identity)
    assert len(found) == 16 and all(o.scheduled for o in found)
    assert {o.model for o in found} == {"gpt-realtime-2.1"}
    assert identity.model("azure/gpt-realtime-2.1") == "gpt-realtime-2.1"


def test_show_lists_no_scheduled_price_as_a_disagreement(tmp_path: Path) -> None:
    """A fault round: Azure stating a meter's current price and a price scheduled after its
    response (a real meter, its copy starting 2026-10-01 at twice the price); `show` listed
    Azure, official, as disagreeing with its own value in force."""
    items = json.loads(snapshot(AZURE_FILE))["Items"]
    real = next(i for i in items if i["meterName"] == "gpt-4o-aud-1217 Inp glbl Tokens")
    later = copy.deepcopy(real)
    later["effectiveStartDate"] = "2026-10-01T00:00:00Z"
    later["retailPrice"] = later["unitPrice"] = real["retailPrice"] * 2
    engine = store.connect(f"sqlite:///{tmp_path / 'catalog.db'}")
    [current] = _observe("azure", AZURE_URL, [real], AZURE_DATE)
    refresh(engine, [current], accept_new=True)
    refresh(engine, _observe("azure", AZURE_URL, [real, later], AZURE_DATE))
    assert current.model is not None
    with engine.connect() as conn:
        [field] = queries.model_view(conn, "azure", current.model).fields
    assert Decimal(field.value) == current.value and field.verified_by == "azure"
    assert field.disagreeing == []


def _rescheduled(tmp_path: Path, meter: str) -> tuple[str, Engine, Observation]:
    """A catalog in `tmp_path` of the recorded Azure `meter` (accept-new), then the meter again
    beside a row of it at twice its price from 2026-10-01 (scheduled): its URL, engine and the
    meter's observation."""
    items = json.loads(snapshot(AZURE_FILE))["Items"]
    real = next(i for i in items if i["meterName"] == meter)
    later = copy.deepcopy(real)
    later["effectiveStartDate"] = "2026-10-01T00:00:00Z"
    later["retailPrice"] = later["unitPrice"] = real["retailPrice"] * 2
    db = f"sqlite:///{tmp_path / 'catalog.db'}"
    engine = store.connect(db)
    [current] = _observe("azure", AZURE_URL, [real], AZURE_DATE)
    refresh(engine, [current], accept_new=True)
    refresh(engine, _observe("azure", AZURE_URL, [real, later], AZURE_DATE))
    return db, engine, current


def test_a_scheduled_price_is_shown_as_scheduled(tmp_path: Path) -> None:
    """A fault round: Azure's price scheduled for a later date was recorded but shown nowhere
    (DESIGN.md: "a scheduled price is shown as scheduled until its date"). `show` (and its JSON,
    and the model's web page) list it with its date, apart from the values in force."""
    db, engine, current = _rescheduled(tmp_path, "gpt-4o-aud-1217 Inp glbl Tokens")
    assert current.model is not None
    with engine.connect() as conn:
        view = queries.model_view(conn, "azure", current.model)
    [scheduled] = view.scheduled
    assert scheduled.effective_from == date(2026, 10, 1) and scheduled.source == "azure"
    assert Decimal(scheduled.value) == current.value * 2
    shown = CliRunner().invoke(app, ["show", f"azure/{current.model}", "--db", db])
    assert shown.exit_code == 0, shown.output
    lines = shown.output[shown.output.index("scheduled by sources") :].splitlines()
    assert any("2026-10-01" in line and scheduled.value in line for line in lines), shown.output
    page = TestClient(create_app(db)).get(f"/models/azure/{current.model}")
    assert "Scheduled by sources" in page.text and "2026-10-01" in page.text
    # as of a day before Azure stated it (its response is dated 2026-08-14): not yet said
    with engine.connect() as conn:
        then = queries.model_view_as_of(conn, view, datetime(2026, 8, 13, tzinfo=UTC))
        later = queries.model_view_as_of(conn, view, datetime(2026, 8, 14, tzinfo=UTC))
    assert then.scheduled == [] and later.scheduled == [scheduled]


def test_cost_names_a_scheduled_price_of_a_field_it_prices(tmp_path: Path) -> None:
    """A fault round: `cost --at` a day after Azure's scheduled price took effect quoted the
    catalog's old price with no word of the new one, which `show` lists. The CLI and /api/cost
    note it: in effect by the day priced, or to come; nothing before the day it was stated."""
    db, engine, current = _rescheduled(tmp_path, "gpt 4.1 Inp glbl Tokens")
    assert current.model is not None
    doubled = decimal_text(current.value * 2)
    dims = ", ".join(f"{k}={v}" for k, v in sorted(current.dimensions.items()))
    field = f"{current.component.value} [{dims}]"
    cost = ["cost", f"azure/{current.model}", "--input-tokens", "1000", "--output-tokens", "0"]
    for name, value in current.dimensions.items():
        cost += [f"--{name}", value]
    notes = {}
    for day in ("2026-10-02", "2026-09-01"):
        shown = CliRunner().invoke(app, [*cost, "--at", day, "--json", "--db", db])
        assert shown.exit_code == 0, shown.output
        notes[day] = json.loads(shown.output)["notes"]
    stated = f"{field}: azure states {doubled} USD per 1M tokens from 2026-10-01"
    assert notes["2026-10-02"] == [
        f"{stated}, in effect on the day priced; the catalog's price "
        f"{decimal_text(current.value)} is used until a refresh reads it in force"
    ]
    assert notes["2026-09-01"] == [f"{stated} (scheduled)"]
    with engine.connect() as conn:  # a day before Azure stated it (2026-08-14): nothing
        moment = reader.as_of(date(2026, 9, 1))
        values = reader.published_values(conn, moment, route="azure", model=current.model)
        scheduled = queries.scheduled_statements(conn, "azure", current.model)
    workload = Workload(input_tokens=1000, output_tokens=0, scope="global")
    lines = estimate(values, workload, route="azure", model=current.model).lines
    assert scheduled_notes(lines, scheduled, datetime(2026, 9, 1, tzinfo=UTC))
    assert scheduled_notes(lines, scheduled, datetime(2026, 8, 13, tzinfo=UTC)) == []


def _azure_with(copies: list[dict[str, object]]) -> list[Observation]:
    """The recorded eastus2 listing with `copies` (items made from its own) added at its start,
    read as a refresh reads it on its date."""
    body = snapshot(AZURE_FILE).decode()
    head = '"Items":['
    assert body.count(head) == 1
    count = len(json.loads(body)["Items"])
    added = "".join(json.dumps(item) + ", " for item in copies)
    body = body.replace(head, head + added).replace(
        f'"Count":{count}', f'"Count":{count + len(copies)}'
    )
    records = sources()["azure"].parser.parse(body.encode(), AZURE_URL)
    return _observe("azure", AZURE_URL, records.records, AZURE_DATE)


def _recorded_meter(name: str) -> dict[str, object]:
    items = json.loads(snapshot(AZURE_FILE))["Items"]
    (item,) = (i for i in items if i["meterName"] == name)
    return dict(item)


def _another_product(item: dict[str, object], product: str, price: float) -> dict[str, object]:
    """`item` under another product (its own ids), priced `price`, from a later date."""
    return item | {
        "productName": product,
        "productId": "DZH318Z0TEST",
        "skuId": "DZH318Z0TEST/0001",
        "meterId": "00000000-0000-5000-8000-000000000001",
        "effectiveStartDate": "2026-07-01T00:00:00Z",
        "retailPrice": price,
        "unitPrice": price,
    }


def test_a_meter_name_under_another_product_hides_no_price() -> None:
    """A fault probe: Azure reuses a meter's name and region under another product (its
    Provisioned meters do so across seven). A later-dated meter of another product named like
    grok-4.3's global input meter read as that meter's newer price: grok-4.3's verified 1.25
    vanished, reported nowhere. One named like gpt-4.1's, under a product that names gpt-4.1
    too, entered its price (3 for 2) verified, the real meter's statement dropped. Each is its
    own statement: grok's price stays, and gpt-4.1's two prices of one field are validation's
    (stated twice with different values: both set aside)."""
    grok = _recorded_meter("4.3 Inp Glbl Tokens")
    found = _azure_with([_another_product(grok, "Azure Fireworks Models", 0.0009)])
    stated = {(o.model, o.dimensions.key, o.value) for o in found if o.component is Component.INPUT}
    assert ("grok-4.3", "scope=global", Decimal("1.25")) in stated

    gpt = _recorded_meter("gpt 4.1 Inp glbl Tokens")
    found = _azure_with([_another_product(gpt, "Azure OpenAI PP FT GPT4s", 0.003)])
    _, problems = validate(found)
    twice = {
        p.observation.value
        for p in problems
        if STATED_TWICE_RULE in p.rule and p.observation and p.observation.model == "gpt-4.1"
    }
    assert twice == {Decimal(2), Decimal(3)}
