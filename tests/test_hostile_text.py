"""Odd or hostile text in one source's bytes (fault round 31), on variants of recorded bodies made
here: a lone surrogate, terminal escape sequences, a variant suffix that writes dimensions, and
a number no Decimal holds. One source's bytes fail no other source and nothing it cannot store
or show reaches the catalog, a terminal or a page."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from catalog import store
from catalog.compare import Comparison
from catalog.tables import quarantine
from tests.test_fault_kinds import bodies, read, urls

ESCAPES = "\x1b]8;;https://evil.example/\x07\x1b[31m\x1b]0;title\x07\r\u202e"


def litellm_with(key: str, entry: dict[str, object]) -> dict[str, bytes]:
    """LiteLLM's recorded map with `entry` added under `key`, written as JSON escapes."""
    url = urls("litellm")[0]
    document = json.loads(bodies("litellm")[url])
    document[key] = entry
    return {url: json.dumps(document).encode()}


def test_a_lone_surrogate_is_stored_escaped_and_fails_nothing(tmp_path: Path) -> None:
    """A lone surrogate (\\ud800) in a LiteLLM field key and in a model key: the field and the
    model are quarantined, and the run's write kept them as text no UTF-8 encoder refuses
    (before, sqlite3 refused the quarantine row and the whole run failed, every source's part
    with it). The record's other fields are read."""
    url = urls("litellm")[0]
    document = json.loads(bodies("litellm")[url])
    document["gpt-4o-mini"]["weird\ud800_cost_per_token"] = 1
    document["gpt-4o-mini\ud800x"] = document["gpt-4o"]
    found = read("litellm", {url: json.dumps(document).encode()})
    assert not found.failure and found.valid
    assert [o for o in found.valid if o.source_model == "gpt-4o-mini"]
    odd = [p for p in found.problems if "ud800" in f"{p.record}{p.field}{p.detail}"]
    assert {p.record for p in odd} >= {"gpt-4o-mini", "gpt-4o-mini\\ud800x"}
    engine = store.connect(f"sqlite:///{tmp_path / 'catalog.db'}")
    now = datetime.now(UTC)
    run_id = store.start_run(engine, world=None, policy="review", now=now)
    store.apply(
        engine,
        run_id,
        valid=found.valid,
        problems=found.problems,
        comparison=Comparison(),
        source_reports=[],
        now=now,
    )
    with engine.connect() as conn:
        rows = conn.execute(select(quarantine.c.record, quarantine.c.detail)).all()
    assert "gpt-4o-mini\\ud800x" in {row.record for row in rows}
    assert all(f"{row.record}{row.detail}".encode() for row in rows)


def test_terminal_escapes_in_a_page_heading_are_shown_escaped() -> None:
    """Escape sequences (a hyperlink, a colour, a window title, a carriage return, a direction
    override) after Anthropic's "## Model pricing" heading went into every evidence under it,
    and `review show` sent them to the reviewer's terminal. Evidence keeps them written as
    escapes; the prices read are the recorded page's."""
    url = urls("anthropic-page")[0]
    page = bodies("anthropic-page")[url].decode()
    assert page.count("## Model pricing\n") == 1
    odd = page.replace("## Model pricing\n", f"## Model pricing{ESCAPES}\n")
    found = read("anthropic-page", {url: odd.encode()})
    before = read("anthropic-page", {url: page.encode()})
    assert [(o.field_id(), o.value) for o in found.valid] == [
        (o.field_id(), o.value) for o in before.valid
    ]
    under = [o for o in found.valid if "\\x1b]8;;https://evil.example/" in o.evidence]
    assert under
    assert not [o for o in found.valid if {"\x1b", "\x07", "\r", "\u202e"} & set(o.evidence)]


@pytest.mark.parametrize(
    "suffix", [":x;variant=free", ":free;modality=audio", ":a=b"], ids=["variant", "audio", "eq"]
)
def test_a_variant_holding_a_separator_writes_no_dimensions(suffix: str) -> None:
    """OpenRouter's `:variant` suffix "x;variant=free" was stored as the key
    "variant=x;variant=free", which reads back as variant=free: a second value in force for
    gpt-4o's free input beside the real one, and "free;modality=audio" gave a model an audio
    price. Such a value is its record's problem; the listing's other models read as recorded."""
    url = urls("openrouter")[0]
    document = json.loads(bodies("openrouter")[url])
    [entry] = [m for m in document["data"] if m["id"] == "openai/gpt-4o"]
    record = f"openai/gpt-4o{suffix}"
    document["data"].append({**entry, "id": record})
    found = read("openrouter", {**bodies("openrouter"), url: json.dumps(document).encode()})
    before = read("openrouter", bodies("openrouter"))
    assert not [o for o in found.valid if o.record == record]
    assert {p.rule for p in found.problems if p.record == record} == {"no model name"}
    assert found.valid == before.valid


def test_a_number_no_decimal_holds_is_its_fields_problem() -> None:
    """genai-prices' first `input_mtok` written 1e9999999999999999999: the whole source failed
    ("InvalidOperation"), all its statements set aside for the day. The number is no price of
    its field; the source reads every other price."""
    url = urls("genai-prices")[0]
    body = bodies("genai-prices")[url]
    first = b'"input_mtok":8,"output_mtok":24}'
    assert first in body
    found = read(
        "genai-prices", {url: body.replace(first, first.replace(b"8", b"1e9999999999999999999"), 1)}
    )
    before = read("genai-prices", {url: body})
    assert not found.failure and not found.unparsable
    assert len(found.valid) == len(before.valid) - 1
    assert len(found.problems) == len(before.problems) + 1


@pytest.mark.parametrize("count", ["２００", "9" * 5000], ids=["fullwidth", "5000-digits"])
def test_a_threshold_not_written_in_ascii_digits_is_no_tier(count: str) -> None:
    """Fault round 31: a prompt-size threshold in fullwidth digits was read as the 200K tier,
    and one of 5,000 digits failed its whole record at Python's int-to-text limit (LiteLLM's
    gemini-2.5-pro lost its 21 other statements). Neither is a count: on Anthropic's page the
    long-context prices name no tier; LiteLLM's key is one unknown field, its record's other
    fields read."""
    url = urls("anthropic-page")[0]
    page = bodies("anthropic-page")[url].decode()
    found = read("anthropic-page", {url: page.replace("200K", f"{count}K").encode()})
    before = read("anthropic-page", {url: page.encode()})
    assert not found.failure
    tiers = {o.dimensions.get("context_above") for o in found.valid}
    assert tiers == {None}, tiers
    assert {"200000"} <= {o.dimensions.get("context_above") for o in before.valid}
    assert sorted((o.field_id(), o.value) for o in found.valid) == sorted(
        (o.field_id(), o.value) for o in before.valid if "context_above" not in o.dimensions
    )
    key = f"input_cost_per_token_above_{count}k_tokens"
    url = urls("litellm")[0]
    document = json.loads(bodies("litellm")[url])
    document["gemini-2.5-pro"][key] = 2.5e-06
    found = read("litellm", {url: json.dumps(document).encode()})
    before = read("litellm", bodies("litellm"))
    mine = [o for o in found.valid if o.record == "gemini-2.5-pro"]
    assert mine == [o for o in before.valid if o.record == "gemini-2.5-pro"]
    assert [p.field for p in found.problems if p.record == "gemini-2.5-pro"] == [key]


def test_a_megabyte_heading_is_cut_in_the_evidence() -> None:
    """Fault round 31: a page heading a megabyte long went whole into every statement under it
    (50 observations of 1 MB, the catalog 52 MB larger, `review show` printing it). Evidence
    keeps its first thousand characters; the prices read are the recorded page's."""
    url = urls("anthropic-page")[0]
    page = bodies("anthropic-page")[url].decode()
    long = page.replace("## Model pricing\n", f"## Model pricing {'x' * 1_000_000}\n")
    found = read("anthropic-page", {url: long.encode()})
    before = read("anthropic-page", {url: page.encode()})
    assert [(o.field_id(), o.value) for o in found.valid] == [
        (o.field_id(), o.value) for o in before.valid
    ]
    assert max(len(o.evidence) for o in found.valid) == 1000
    assert [o for o in found.valid if o.evidence.endswith("x…")]


def test_a_route_no_command_can_name_is_its_records_problem() -> None:
    """Fault round 31: LiteLLM's `litellm_provider` "<b onmouseover=alert(3)>evilroute" made a
    route the queue listed and the web could not filter on (422). A route must be a route name
    (every recorded source's 285 routes are); the record is its problem, nothing else moves."""
    url = urls("litellm")[0]
    document = json.loads(bodies("litellm")[url])
    document["evil-model"] = {**document["gpt-4o"], "litellm_provider": "<b onmouseover=x>evil"}
    found = read("litellm", {url: json.dumps(document).encode()})
    before = read("litellm", bodies("litellm"))
    assert found.valid == before.valid
    [problem] = [p for p in found.problems if p.record == "evil-model"]
    assert problem.rule == "no model name" and "no route name" in problem.detail
    # a route written in capitals or padded is the route identity reads (trimmed, lowercased)
    document = json.loads(bodies("litellm")[url])
    document["gpt-4o"]["litellm_provider"] = " OpenAI "
    found = read("litellm", {url: json.dumps(document).encode()})
    mine = [(o.route, o.measure, o.value) for o in found.valid if o.record == "gpt-4o"]
    assert mine and mine == [
        (o.route, o.measure, o.value) for o in before.valid if o.record == "gpt-4o"
    ]
