"""A model record's price or limit key renamed under its parser is quarantined by name.

A fault round (h53): models.dev's `cost` renamed `pricing` on one model, `Cost` or `limits` on
others, Vercel's `pricing` renamed `prices` and LiteLLM's `max_input_tokens` renamed
`context_window` went unread without a word: no quarantine row, nine official prices unstated
and their stamps not renewed, and two open disagreements citing models.dev closed by themselves.
A key whose name says it states a price or a limit and that the parser does not read is now
quarantined by name ("unknown model key"): the record counts as read with a problem, so what it
no longer states stands as last stated, and its other fields are read.

Each body is the recorded epoch-2 one with one model's key renamed here, read as a refresh reads
it (parse, normalize, validate).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from schemas.fetch import UNKNOWN_KEY_RULE
from tests.test_fault_kinds import bodies, healthy, read


def _renamed(holder: dict[str, Any], old: str, new: str) -> None:
    holder[new] = holder.pop(old)


Rename = Callable[[Any], tuple[str, str]]


def _model_key(old: str, new: str) -> Rename:
    """models.dev's openai gpt-4.1 with its key `old` renamed `new`."""

    def rename(body: Any) -> tuple[str, str]:
        _renamed(body["openai"]["models"]["gpt-4.1"], old, new)
        return "openai/gpt-4.1", new

    return rename


def _entry_key(old: str, new: str) -> Rename:
    """A listing's (Vercel's, OpenRouter's) openai/gpt-4o entry with its key `old` renamed `new`."""

    def rename(body: Any) -> tuple[str, str]:
        [entry] = [e for e in body["data"] if e["id"] == "openai/gpt-4o"]
        _renamed(entry, old, new)
        return "openai/gpt-4o", new

    return rename


def _litellm(body: Any) -> tuple[str, str]:
    _renamed(body["gpt-4o"], "max_input_tokens", "context_window")
    return "gpt-4o", "context_window"


RENAMES: dict[str, Rename] = {
    "modelsdev": _model_key("cost", "pricing"),
    "vercel": _entry_key("pricing", "prices"),
    "openrouter": _entry_key("context_length", "contextWindow"),
    "litellm": _litellm,
}


# Renamed to a word that names no price or limit: told by what the object holds (h55: models.dev's
# `cost` renamed `usd` dropped gpt-4.1's prices without a word).
RENAMED_UNNAMED: dict[str, tuple[str, Rename]] = {
    "modelsdev cost": ("modelsdev", _model_key("cost", "usd")),
    "modelsdev limit": ("modelsdev", _model_key("limit", "caps")),
    "vercel pricing": ("vercel", _entry_key("pricing", "usd")),
    "openrouter pricing": ("openrouter", _entry_key("pricing", "usd")),
}


def _moved_inside(old: str, new: str, wrap: Callable[[Any], Any]) -> Rename:
    """models.dev's openai gpt-4.1 (`modelsdev`) or a listing's openai/gpt-4o entry with its
    key `old` moved inside the key `new`, as `wrap` makes of its value."""

    def move(body: Any) -> tuple[str, str]:
        if isinstance(body, dict) and "data" in body:
            [holder] = [e for e in body["data"] if e["id"] == "openai/gpt-4o"]
            record = "openai/gpt-4o"
        else:
            holder, record = body["openai"]["models"]["gpt-4.1"], "openai/gpt-4.1"
        holder[new] = wrap(holder.pop(old))
        return record, new

    return move


def _litellm_costs_inside(body: Any) -> tuple[str, str]:
    """LiteLLM's gpt-4o entry with its cost fields moved into its `provider_specific_entry` (a
    key LiteLLM's map uses for multipliers, `{"us": 1.1, "fast": 6.0}`, and leaves unread)."""
    entry = body["gpt-4o"]
    costs = {name: entry.pop(name) for name in list(entry) if "_cost_per_" in name}
    entry["provider_specific_entry"] = {**entry.get("provider_specific_entry", {}), **costs}
    return "gpt-4o", "provider_specific_entry"


# Moved one level or more deeper, into an object or a list the parser does not read (h57:
# models.dev's `cost` inside the model's `provider` object, models.dev#3920; Vercel's `pricing`
# inside a list of endpoints, as its endpoints API states it; LiteLLM's costs inside
# `provider_specific_entry`): each dropped the model's prices without a word, and the next day
# closed the items citing them as if the source had stopped stating them.
MOVED_INSIDE: dict[str, tuple[str, Rename]] = {
    "modelsdev cost in provider": (
        "modelsdev",
        _moved_inside("cost", "provider", lambda cost: {"npm": "@ai-sdk/openai", "cost": cost}),
    ),
    "vercel pricing in endpoints": (
        "vercel",
        _moved_inside("pricing", "endpoints", lambda p: [{"provider": "openai", "pricing": p}]),
    ),
    "litellm costs in provider_specific_entry": ("litellm", _litellm_costs_inside),
}


def _read_renamed(source: str, rename: Rename) -> None:
    """The recorded epoch-2 body of `source` with one record's key renamed by `rename`, read: the
    key alone is quarantined by name and the record's other fields are read."""
    recorded = healthy(source)
    assert not [p for p in recorded.problems if p.rule == UNKNOWN_KEY_RULE]
    answered = dict(bodies(source))
    url = next(iter(answered))
    body = json.loads(answered[url])
    record, key = rename(body)
    answered[url] = json.dumps(body).encode()
    found = read(source, answered)
    assert not found.failure, found.failure
    unknown = [p for p in found.problems if p.rule == UNKNOWN_KEY_RULE]
    assert [(p.record, p.field) for p in unknown] == [(record, key)]
    assert unknown[0].detail.startswith(f"{key}: {key}=")
    # the record's other fields are read
    assert [o for o in found.valid if o.source_model.endswith(record.split("/", 1)[-1])]


@pytest.mark.parametrize("source", sorted(RENAMES))
def test_a_renamed_value_key_is_quarantined_by_name(source: str) -> None:
    _read_renamed(source, RENAMES[source])


@pytest.mark.parametrize("case", sorted(RENAMED_UNNAMED))
def test_a_value_object_renamed_to_any_word_is_quarantined_by_name(case: str) -> None:
    _read_renamed(*RENAMED_UNNAMED[case])


@pytest.mark.parametrize("case", sorted(MOVED_INSIDE))
def test_a_value_object_moved_deeper_is_quarantined_by_name(case: str) -> None:
    _read_renamed(*MOVED_INSIDE[case])


def test_a_new_object_of_words_under_price_keys_is_no_renamed_value() -> None:
    """An added object whose keys a price object also has but whose values are words or lists
    (as models.dev's `modalities`: `{"input": ["text"]}`) states no price: nothing is reported."""
    answered = {}
    for url, body in bodies("modelsdev").items():
        document = json.loads(body)
        for provider in document.values():
            for model in provider.get("models", {}).values():
                model["interfaces"] = {"input": ["text", "image"], "output": "text"}
        answered[url] = json.dumps(document).encode()
    found = read("modelsdev", answered)
    assert not [p for p in found.problems if p.rule == UNKNOWN_KEY_RULE]
    assert len(found.valid) == len(healthy("modelsdev").valid)


def test_a_new_flag_named_with_a_value_word_is_no_renamed_value() -> None:
    """A fault round (h55): `"context_management": false` added to every OpenRouter entry (a
    flag whose name holds "context") quarantined 1,221 keys as unknown. A flag, a null or
    words state no price or limit: only a key whose value could be one is reported."""
    answered = {}
    for url, body in bodies("openrouter").items():
        document = json.loads(body)
        for entry in document["data"]:
            entry.update(context_management=False, rate_limited=None, price_notes="see site")
        answered[url] = json.dumps(document).encode()
    found = read("openrouter", answered)
    assert not [p for p in found.problems if p.rule == UNKNOWN_KEY_RULE]
    assert len(found.valid) == len(healthy("openrouter").valid)
