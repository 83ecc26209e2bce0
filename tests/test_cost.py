"""The cost calculator on the recorded epoch-2 catalog: the seeds' workload on Azure's
gpt-image-2, prices named with their verification, refusals naming the component, context
tiers, cache lifetimes, batch, per-image grids and Azure's per-pixel prices turned per image;
and `routes`, one model's prices side by side."""

from __future__ import annotations

import json
import sqlite3
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import update
from typer.testing import CliRunner

from catalog import reader, store
from catalog.compare import MISSING_AFTER
from catalog.cost import CostError, ImageCount, Workload, derive_per_image, estimate
from catalog.tables import listings
from ratecard.cli import app
from tests.published import epoch2_catalog
from tests.test_fault_kinds import urls
from tests.worlds import fault_world, recorded_text, replayed_run

pytestmark = pytest.mark.integration
BASE = ["cost", "azure/gpt-image-2", "--input-tokens", "3000", "--output-tokens", "4"]


@pytest.fixture(scope="module")
def db(prefect_api: None, tmp_path_factory: pytest.TempPathFactory) -> str:
    return f"sqlite:///{epoch2_catalog(tmp_path_factory)}"


def priced(db: str, target: str, **workload: Any) -> Any:
    route, _, model = target.partition("/")
    with store.connect(db).connect() as conn:
        values = reader.published_values(conn, reader.as_of(None), route=route, model=model)
    return estimate(values, Workload(**workload), route=route, model=model)


def test_seed_workload_on_azure_gpt_image_2(db: str) -> None:
    result = CliRunner().invoke(
        app,
        [
            "cost",
            "azure/gpt-image-2",
            "--input-tokens",
            "3000",
            "--output-tokens",
            "400",
            "--requests-per-day",
            "5000",
            "--db",
            db,
        ],
    )
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert "per request: 0.019" in lines
    assert "per day (5000 requests): 95" in lines
    assert "per month (30.4375 days): 2891.5625" in lines
    used = [line for line in lines if line.startswith("  ")]
    assert len(used) == 2
    assert used[0].startswith("  input [scope=global]: 3000 × 5 USD per 1M tokens = 0.015;")
    assert "verified 2026-08-14 by azure" in used[0]
    # LiteLLM's bare Azure key names no deployment scope and no Azure meter states this output
    # price, so it stays unscoped (catalog.identity) and the calculator falls back to it.
    assert used[1].startswith("  output: 400 × 10 USD per 1M tokens = 0.004;")
    assert used[1].endswith("unverified, stated by litellm")


def test_json_names_each_price_and_its_verification(db: str) -> None:
    estimate_ = priced(
        db, "azure/gpt-image-2", input_tokens=3000, output_tokens=400, requests_per_day=5000
    )
    data = estimate_.model_dump(mode="json")
    assert (data["per_request"], data["per_day"], data["per_month"]) == (
        "0.019",
        "95",
        "2891.5625",
    )
    assert [(line["component"], line["verified"], line["stated_by"]) for line in data["lines"]] == [
        ("input", True, ["azure", "litellm", "portkey"]),
        ("output", False, ["litellm"]),
    ]


def test_a_price_nobody_states_is_refused_naming_the_component(db: str) -> None:
    result = CliRunner().invoke(
        app,
        [
            "cost",
            "azure/gpt-image-2",
            "--input-tokens",
            "3000",
            "--output-tokens",
            "400",
            "--cache-write-tokens",
            "1000",
            "--db",
            db,
        ],
    )
    assert result.exit_code == 1
    assert "refused: cache_write: no price per 1M text tokens" in result.output
    assert "does not assume 0" in result.output
    # a cache write without --cache-ttl on a route that prices writes per lifetime: the refusal
    # names the lifetimes the catalog states
    with pytest.raises(CostError) as untimed:
        priced(
            db,
            "anthropic/claude-sonnet-4-5",
            input_tokens=10,
            output_tokens=1,
            cache_write_tokens=5,
        )
    assert "(it states cache_write [cache_ttl=1h" in str(untimed.value)
    assert "[cache_ttl=5m]" in str(untimed.value)
    # gpt-image-1-mini states no text output price on OpenAI's route: refused, never 0
    with pytest.raises(CostError) as refused:
        priced(db, "openai/gpt-image-1-mini", input_tokens=10, output_tokens=10)
    assert refused.value.component == "output"


def test_an_image_model_portkey_prices_only_with_zero_rates_is_refused_not_free(db: str) -> None:
    # Portkey's deepinfra.json writes its fallback's zero token rates for FLUX-2-pro, which fal-ai
    # and Vercel sell per image: no $0 answer, the routes that price it named instead
    result = CliRunner().invoke(
        app,
        [
            "cost",
            "deepinfra/flux-2-pro",
            "--input-tokens",
            "100",
            "--output-tokens",
            "4096",
            *["--db", db],
        ],
    )
    assert result.exit_code == 1
    assert "per request" not in result.output
    assert "does not sell flux-2-pro in the catalog now; routes that do: fal-ai" in result.output


def test_a_secondarys_zero_cache_write_is_no_free_cache_write(db: str) -> None:
    # Portkey states gpt-4o's cache write 0 beside its input price: OpenAI bills cache writes as
    # input, so 8,000 cache-write tokens were billed at $0 (fault round 30); refused now
    with pytest.raises(CostError) as refused:
        priced(db, "openai/gpt-4o", input_tokens=10000, output_tokens=1000, cache_write_tokens=8000)
    assert refused.value.component == "cache_write"


def test_a_refusal_names_each_stated_price_with_its_component(db: str) -> None:
    """Azure's gpt-4o states no batch input: the hint read 'it states input [region=eastus2,
    variant=grader],  [scope=global, …],  without dimensions', the component named once, the
    next entries a bare bracket or 'without dimensions' after a doubled space."""
    with pytest.raises(CostError) as refused:
        priced(db, "azure/gpt-4o", input_tokens=100, output_tokens=1, service_tier="batch")
    said = str(refused.value)
    assert "  " not in said
    stated = said.split("(it states ", 1)[1].removesuffix(")").split("; ")
    assert "input without dimensions" in stated and len(stated) > 1
    assert all(entry.startswith("input ") for entry in stated)


def test_a_refusal_for_a_deployment_does_not_say_it_lacks_the_price_it_lists(db: str) -> None:
    """A new user's session: `cost azure/gpt-4o --region eastus2` was refused for "no price per
    1M text tokens without dimensions (region=eastus2)", then listed "input without dimensions"
    among what the catalog states: the refusal said the catalog lacked the price it named. The
    price asked for is the deployment's (or the variant's), and the refusal says so."""
    for deployment in ({"region": "eastus2"}, {"variant": "free"}):
        with pytest.raises(CostError) as refused:
            priced(db, "azure/gpt-4o", input_tokens=100, output_tokens=1, **deployment)
        said = str(refused.value)
        [(name, value)] = deployment.items()
        assert f"no price per 1M text tokens ({name}={value}) for azure/gpt-4o" in said, said
        asked, stated = said.split("(it states ", 1)
        assert "without dimensions" not in asked and "input without dimensions" in stated


def test_bad_arguments_get_one_line_and_no_traceback(db: str) -> None:
    for extra, message in (
        (["--images", "high:huge:1"], "'--images': size 'huge': use WIDTHxHEIGHT"),
        (["--images", "high"], "use QUALITY:SIZE:N"),
        (["--at", "yesterday"], "'--at': 'yesterday': use a date"),
        (["--cached-tokens", "5000"], "'--cached-tokens': cached (5000) and cache-write (0)"),
        (
            ["--cached-tokens", "2000", "--cache-write-tokens", "1500"],
            "'--cache-write-tokens': cached (2000) and cache-write (1500) tokens are parts",
        ),
        (
            ["--service-tier", "cheap"],
            "service tier 'cheap': one of batch, flex, priority, standard",
        ),
        # the choices as words, not a Python list's repr ("one of ['data_zone', 'global', …]")
        (["--scope", "zonal"], "'--scope': scope 'zonal': one of data_zone, global, regional"),
        (["--cache-ttl", "3h"], "'--cache-ttl': cache TTL '3h': one of 1h, 5m"),
    ):
        result = CliRunner().invoke(
            app,
            [*BASE, *extra, "--db", db],
        )
        assert result.exit_code == 2 and message in result.output, (extra, result.output)
        assert "Traceback" not in result.output


def test_as_of_a_date_before_the_catalog_knew_the_model_refuses(db: str) -> None:
    with store.connect(db).connect() as conn:
        before = reader.published_values(
            conn, reader.end_of(date(2020, 1, 1)), route="azure", model="gpt-image-2"
        )
    assert before == []
    with pytest.raises(CostError, match="no price for azure/gpt-image-2"):
        estimate(
            before, Workload(input_tokens=1, output_tokens=1), route="azure", model="gpt-image-2"
        )


def test_context_tier_applies_to_the_whole_request(db: str) -> None:
    short = priced(db, "anthropic/claude-sonnet-4-5", input_tokens=200_000, output_tokens=1000)
    long = priced(db, "anthropic/claude-sonnet-4-5", input_tokens=200_001, output_tokens=1000)
    assert [line.price for line in short.lines] == [Decimal(3), Decimal(15)]
    assert [line.price for line in long.lines] == [Decimal(6), Decimal("22.5")]
    assert all(line.dimensions == {"context_above": "200000"} for line in long.lines)
    assert all(line.verified_by == "anthropic-page" for line in long.lines)


def test_cache_writes_by_lifetime_and_batch(db: str) -> None:
    hour = priced(
        db,
        "anthropic/claude-sonnet-4-5",
        input_tokens=10_000,
        output_tokens=0,
        cached_tokens=4000,
        cache_write_tokens=5000,
        cache_ttl="1h",
    )
    assert [(line.component, line.quantity, line.price) for line in hour.lines] == [
        ("input", 1000, Decimal(3)),
        ("cache_read", 4000, Decimal("0.3")),
        ("cache_write", 5000, Decimal(6)),
    ]
    assert hour.per_request == Decimal("0.0342")
    batch = priced(
        db,
        "anthropic/claude-sonnet-4-5",
        input_tokens=100_000,
        output_tokens=100_000,
        service_tier="batch",
    )
    assert batch.per_request == Decimal("0.9")
    with pytest.raises(CostError, match=r"input: no price .*context_above=200000.*batch"):
        priced(
            db,
            "anthropic/claude-sonnet-4-5",
            input_tokens=300_000,
            output_tokens=10,
            service_tier="batch",
        )


def test_images_by_quality_and_size(db: str) -> None:
    openai = priced(
        db,
        "openai/gpt-image-1-mini",
        input_tokens=100,
        output_tokens=0,
        images=(ImageCount.parse("high:1536x1024:2"),),
    )
    image = openai.lines[-1]
    assert (image.unit, image.price, image.amount, image.derived) == (
        "usd_per_image",
        Decimal("0.052"),
        Decimal("0.104"),
        None,
    )
    assert image.verified_by == "openai-page"
    azure = priced(
        db,
        "azure/gpt-image-1-mini",
        input_tokens=100,
        output_tokens=0,
        images=(ImageCount.parse("low:1024x1024:1"), ImageCount.parse("high:1536x1024:1")),
    )
    low, high = azure.lines[-2:]
    assert (low.price, high.price) == (Decimal("0.002176"), Decimal("0.049664"))
    assert low.derived and "per pixel × 1024x1024 pixels" in low.derived
    assert low.unit == "usd_per_image" and not low.verified
    with pytest.raises(CostError, match="output: no price per image or per pixel"):
        priced(
            db,
            "openai/gpt-image-1-mini",
            input_tokens=1,
            output_tokens=0,
            images=(ImageCount.parse("ultra:1024x1024:1"),),
        )


def test_derived_per_image_keeps_the_per_pixel_precision() -> None:
    assert derive_per_image(Decimal("1.59263611e-07"), "1024x1024") == Decimal("0.1670000")
    assert derive_per_image(Decimal("0.0000000020751953125"), "1024x1024") == Decimal("0.002176")


def test_an_unknown_model_or_route_is_refused_naming_which(db: str) -> None:
    """A model no route sells names the model; a model sold elsewhere names the route, and the
    routes that do sell it."""
    tokens = ["--input-tokens", "1", "--output-tokens", "1", "--db", db]
    unknown_model = CliRunner().invoke(
        app, ["cost", "azure/nosuch-model", *tokens], prog_name="ratecard"
    )
    assert unknown_model.exit_code == 1
    assert unknown_model.output.splitlines() == [
        "ratecard cost: azure/nosuch-model: refused: model: 'nosuch-model': no route sells it "
        "in the catalog now"
    ]
    then = CliRunner().invoke(app, ["cost", "azure/nosuch-model", "--at", "2026-07-16", *tokens])
    assert then.exit_code == 1
    assert then.output.rstrip().endswith("no route sells it in the catalog on 2026-07-16")
    unknown_route = CliRunner().invoke(app, ["cost", "nosuch/gpt-image-2", *tokens])
    assert unknown_route.exit_code == 1
    assert "refused: route: 'nosuch' does not sell gpt-image-2" in unknown_route.output
    assert "routes that do: " in unknown_route.output and "azure" in unknown_route.output


def test_a_refusal_names_every_price_it_looked_for(db: str) -> None:
    """README's batch example: Anthropic states batch input and output, no batch cache read;
    the refusal names both cache-read prices it sought, not only the last."""
    with pytest.raises(CostError) as refused:
        priced(
            db,
            "anthropic/claude-sonnet-4-5",
            input_tokens=10000,
            output_tokens=500,
            cached_tokens=4000,
            cache_ttl="1h",
            service_tier="batch",
        )
    assert refused.value.component == "cache_read"
    assert "[service_tier=batch] or [cache_ttl=1h, service_tier=batch]" in str(refused.value)


def test_routes_sets_side_by_side_only_the_routes_with_a_price(db: str) -> None:
    """`routes` compares prices: a route that states only limits or capabilities of the model
    gets no empty column, it is named on one line under the table."""
    runner = CliRunner()
    views = json.loads(runner.invoke(app, ["routes", "gpt-4o", "--json", "--db", db]).stdout)
    priced = [v["route"] for v in views if any(f["kind"] == "price" for f in v["fields"])]
    unpriced = [v["route"] for v in views if v["route"] not in priced]
    assert priced and unpriced  # epoch-2: Poe lists gpt-4o's limits only
    table = runner.invoke(app, ["routes", "gpt-4o", "--db", db]).stdout.splitlines()
    header = next(line for line in table if line.lstrip("┃│ ").startswith("price"))
    assert [cell.strip() for cell in header.strip("┃│").split("┃")][1:] == priced
    assert table[-1] == f"no price of gpt-4o in the catalog on: {', '.join(unpriced)}"


def test_a_deployment_the_workload_names_is_never_assumed(db: str) -> None:
    """A new-user pass: `--scope regional --region eastus2` (or a region called "mars") on a
    price stated for no deployment was priced at it, with no sign the deployment asked for
    was not found. Named, the deployment must be the price's own: refused, naming what the
    catalog states; with none named, the unscoped price is the fallback as before."""
    workload = {"input_tokens": 1000, "output_tokens": 400}
    assert priced(db, "azure/gpt-image-2", **workload).per_request == Decimal("0.009")
    # the input is priced for the global deployment alone; the output for none
    for scope, region, component in (
        ("regional", "eastus2", "input"),
        ("data_zone", "mars", "input"),
        ("global", None, "output"),
    ):
        with pytest.raises(CostError) as refused:
            priced(db, "azure/gpt-image-2", **workload, scope=scope, region=region)
        assert refused.value.component == component


def _variants_of(db: str, route: str, variant: str) -> tuple[str, str]:
    """A model of `route` whose input is priced both for `variant` and without dimensions, and
    one priced for `variant` alone (from the catalog, as the recorded listing states them)."""
    tagged, plain = set(), set()
    with store.connect(db).connect() as conn:
        for value in reader.published_values(conn, reader.as_of(None), route=route):
            if value.value.component.value != "input" or value.value.kind.value != "price":
                continue
            dims = dict(value.value.dimensions)
            if dims == {"variant": variant}:
                tagged.add(value.value.model)
            elif not dims:
                plain.add(value.value.model)
    return min(tagged & plain), min(tagged - plain)


def test_a_variants_price_is_used_only_when_the_workload_names_it(db: str) -> None:
    """Round 30 D7: OpenRouter lists `:free` twins of paid models (variant=free); `cost` had no
    way to ask for them, and a model listed only free was refused with nothing to choose.
    --variant selects that variant's prices alone; without it, a variant's prices are not used."""
    both, free_only = _variants_of(db, "openrouter", "free")
    workload = {"input_tokens": 1000, "output_tokens": 100}
    paid = priced(db, f"openrouter/{both}", **workload)
    assert paid.per_request > 0
    assert all("variant" not in line.dimensions for line in paid.lines)
    free = priced(db, f"openrouter/{both}", **workload, variant="free")
    assert free.per_request == 0
    assert {line.dimensions.get("variant") for line in free.lines} == {"free"}
    with pytest.raises(CostError) as refused:
        priced(db, f"openrouter/{free_only}", **workload)
    assert "input [variant=free]" in str(refused.value)
    assert priced(db, f"openrouter/{free_only}", **workload, variant="free").per_request == 0
    with pytest.raises(CostError):
        priced(db, f"openrouter/{both}", **workload, variant="no-such-variant")
    result = CliRunner().invoke(
        app, ["cost", f"openrouter/{both}", *BASE[2:], "--variant", "a=b", "--db", db]
    )
    assert result.exit_code == 2
    assert result.output.count("\n") == 1 and "--variant" in result.output


def test_a_meter_of_a_region_and_no_scope_is_reached_by_its_region(db: str) -> None:
    """Fault round 34: Azure prices phi-3-medium-4k-instruct in its eastus2 meter alone, which
    states a region and no scope; `--region eastus2` was refused without a scope, and with
    `--scope regional` the meter's price was not the deployment's: the official price could
    not be quoted at all. A region with no scope asks for the region's prices whatever their
    scope; where a regional and a data-zone meter of the region both apply, the workload must
    say which."""
    workload = {"input_tokens": 1_000_000, "output_tokens": 1_000_000}
    with store.connect(db).connect() as conn:
        meters = {
            value.value.component.value: value.value.value
            for value in reader.published_values(
                conn, reader.as_of(None), route="azure", model="phi-3-medium-4k-instruct"
            )
            if value.value.kind.value == "price"
            and value.verified_by == "azure"
            and dict(value.value.dimensions) == {"region": "eastus2"}
        }
    assert {"input", "output"} <= meters.keys(), meters
    quoted = priced(db, "azure/phi-3-medium-4k-instruct", **workload, region="eastus2")
    assert quoted.per_request == meters["input"] + meters["output"]
    with pytest.raises(CostError, match="state --scope or --region") as tied:
        priced(db, "azure/gpt-4o-mini", **workload, region="eastus2")
    assert "([region=eastus2, scope=data_zone] and [region=eastus2, scope=regional])" in str(
        tied.value
    ), tied.value
    assert priced(db, "azure/gpt-4o-mini", **workload, scope="regional", region="eastus2")


def test_a_request_beyond_the_models_limits_is_priced_with_a_note(db: str) -> None:
    """Fault round 32 (D9): a 5M-token prompt on gpt-4.1 was priced with no word of its
    1,047,576-token window. The estimate prices the tokens as stated and says which limit the
    request exceeds and who states it; a request within them gets no note."""
    within = priced(db, "openrouter/gpt-4.1", input_tokens=1000, output_tokens=100)
    assert within.notes == []
    beyond = priced(db, "openrouter/gpt-4.1", input_tokens=1_000_000, output_tokens=50_000)
    assert beyond.per_request == Decimal("2.4")
    assert len(beyond.notes) == 2, beyond.notes
    window, output = beyond.notes
    assert window.startswith("a request (prompt and output) of 1050000 tokens is longer than")
    assert "context window, 1047576 tokens (verified " in window and "by openrouter)" in window
    assert output.startswith("the output of 50000 tokens is longer than the max output tokens")
    long_prompt = ["cost", "openai/gpt-4.1", "--input-tokens", "5000000", "--output-tokens", "100"]
    result = CliRunner().invoke(app, [*long_prompt, "--db", db])
    assert result.exit_code == 0, result.output
    (note,) = [line for line in result.output.splitlines() if line.startswith("note: ")]
    assert note.startswith("note: the prompt of 5000000 tokens is longer than the max input")
    # a batch request is bounded by the limit stated for no tier, where none is for batch
    batch = priced(
        db, "openai/gpt-4.1", input_tokens=5_000_000, output_tokens=100, service_tier="batch"
    )
    assert [n.split(",")[0] for n in batch.notes] == [
        "the prompt of 5000000 tokens is longer than the max input tokens"
    ]


def test_a_model_its_route_no_longer_lists_is_priced_with_a_note(db: str, tmp_path: Path) -> None:
    """Fault round 32 (D9): OpenRouter stopped listing openai/gpt-4o and the third complete
    listing without it opened a `missing` item, yet `cost openrouter/gpt-4o` quoted its price
    "verified by openrouter" with no word of it. The open item is named beside the estimate
    (CLI and JSON). Made from the recorded listings without gpt-4o, on a copy of the epoch-2
    catalog whose counters say two listings already lacked it."""
    copy = tmp_path / "catalog.db"
    with sqlite3.connect(db.removeprefix("sqlite:///")) as source, sqlite3.connect(copy) as target:
        source.backup(target)
    catalog = f"sqlite:///{copy}"
    lc = listings.c
    with store.connect(catalog).begin() as conn:
        counted = conn.execute(
            update(listings)
            .where(lc.source == "openrouter", lc.route == "openrouter", lc.model == "gpt-4o")
            .values(missing_runs=MISSING_AFTER - 1)
        )
        assert counted.rowcount == 1
    without: dict[str, dict[str, object]] = {}
    for url in urls("openrouter"):
        listing = json.loads(recorded_text(url))
        kept = [
            m for m in listing["data"] if m["id"] not in ("openai/gpt-4o", "openai/gpt-4o:batch")
        ]
        listing["total_count"] -= len(listing["data"]) - len(kept)
        listing["data"] = kept
        without[url] = {"body": json.dumps(listing)}
    replayed_run(catalog, fault_world(tmp_path, without), ["openrouter"])
    gpt_4o = ["cost", "openrouter/gpt-4o", "--input-tokens", "1000", "--output-tokens", "100"]
    result = CliRunner().invoke(app, [*gpt_4o, "--json", "--db", catalog])
    assert result.exit_code == 0, result.output
    (note,) = json.loads(result.output)["notes"]
    assert note.startswith(
        "missing: openrouter/gpt-4o absent from 3 consecutive complete listings of openrouter "
        "(review item #"
    ), note
    plain = CliRunner().invoke(app, [*gpt_4o, "--db", catalog])
    assert f"note: {note}" in plain.output.splitlines()
    unchanged = CliRunner().invoke(app, [*gpt_4o, "--json", "--db", db])
    assert json.loads(unchanged.output)["notes"] == []
