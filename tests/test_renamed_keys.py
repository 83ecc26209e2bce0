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


def _modelsdev(body: Any) -> tuple[str, str]:
    _renamed(body["openai"]["models"]["gpt-4.1"], "cost", "pricing")
    return "openai/gpt-4.1", "pricing"


def _vercel(body: Any) -> tuple[str, str]:
    [entry] = [e for e in body["data"] if e["id"] == "openai/gpt-4o"]
    _renamed(entry, "pricing", "prices")
    return "openai/gpt-4o", "prices"


def _openrouter(body: Any) -> tuple[str, str]:
    [entry] = [e for e in body["data"] if e["id"] == "openai/gpt-4o"]
    _renamed(entry, "context_length", "contextWindow")
    return "openai/gpt-4o", "contextWindow"


def _litellm(body: Any) -> tuple[str, str]:
    _renamed(body["gpt-4o"], "max_input_tokens", "context_window")
    return "gpt-4o", "context_window"


RENAMES: dict[str, Callable[[Any], tuple[str, str]]] = {
    "modelsdev": _modelsdev,
    "vercel": _vercel,
    "openrouter": _openrouter,
    "litellm": _litellm,
}


def _modelsdev_usd(body: Any) -> tuple[str, str]:
    _renamed(body["openai"]["models"]["gpt-4.1"], "cost", "usd")
    return "openai/gpt-4.1", "usd"


def _modelsdev_caps(body: Any) -> tuple[str, str]:
    _renamed(body["openai"]["models"]["gpt-4.1"], "limit", "caps")
    return "openai/gpt-4.1", "caps"


def _vercel_usd(body: Any) -> tuple[str, str]:
    [entry] = [e for e in body["data"] if e["id"] == "openai/gpt-4o"]
    _renamed(entry, "pricing", "usd")
    return "openai/gpt-4o", "usd"


def _openrouter_usd(body: Any) -> tuple[str, str]:
    [entry] = [e for e in body["data"] if e["id"] == "openai/gpt-4o"]
    _renamed(entry, "pricing", "usd")
    return "openai/gpt-4o", "usd"


# Renamed to a word that names no price or limit: told by what the object holds (h55: models.dev's
# `cost` renamed `usd` dropped gpt-4.1's prices without a word).
RENAMED_UNNAMED: dict[str, tuple[str, Callable[[Any], tuple[str, str]]]] = {
    "modelsdev cost": ("modelsdev", _modelsdev_usd),
    "modelsdev limit": ("modelsdev", _modelsdev_caps),
    "vercel pricing": ("vercel", _vercel_usd),
    "openrouter pricing": ("openrouter", _openrouter_usd),
}


def _read_renamed(source: str, rename: Callable[[Any], tuple[str, str]]) -> None:
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
