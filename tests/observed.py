"""Observations made from recorded responses, the way a refresh makes them (no HTTP, no DB)."""

from __future__ import annotations

import json
from datetime import datetime
from functools import cache
from urllib.parse import unquote

from catalog.identity import Identity
from catalog.normalize import SourceDrafts, draft_source, learn_official_models, observations
from schemas.fetch import FetchedPage
from schemas.records import Observation
from schemas.sources import sources
from tests.conftest import WORLDS, snapshot

LITELLM = (
    "litellm",
    "litellm/model_prices_and_context_window.json",
    "2026-07-18T00:00:00+00:00",
    "https://raw.githubusercontent.com/BerriAI/litellm/main/model_prices_and_context_window.json",
)
MODELSDEV = (
    "modelsdev",
    "catalogs/models-dev.api.2026-06-13.jq-sorted.json",
    "2026-06-13T00:00:00+00:00",
    "https://models.dev/api.json",
)
OPENROUTER_MAY = (
    "openrouter",
    "openrouter/models.2026-05-20.json",
    "2026-05-20T00:00:00+00:00",
    "https://openrouter.ai/api/v1/models",
)
OPENROUTER_AUGUST = (
    "openrouter",
    "openrouter/models.2026-08-19.json",
    "2026-08-19T00:00:00+00:00",
    "https://openrouter.ai/api/v1/models",
)


def observe(
    source: str, relative: str, date: str, url: str, known: tuple[str, ...] = ()
) -> list[Observation]:
    """One recorded response of `source`, dated `date`; `known` adds models an official source
    would have named in a whole refresh. A new list each call, of the observations made once
    per process (`observed`): LiteLLM's and models.dev's take seconds, and a dozen modules read
    them; nothing changes an Observation once built (schemas.records)."""
    return list(observed(source, relative, date, url, known))


@cache
def observed(
    source: str, relative: str, date: str, url: str, known: tuple[str, ...]
) -> tuple[Observation, ...]:
    """`observe`'s observations, made once per process for each response and `known`."""
    return tuple(observe_body(source, snapshot(relative), date, url, known))


def observe_body(
    source: str, body: bytes, date: str, url: str, known: tuple[str, ...] = ()
) -> list[Observation]:
    """The observations `source` makes of one response's `body` (a recorded one, or a variant
    a test made of it) answered at `url`, dated `date`, as a refresh reads it: parsed,
    normalized, named; `known` as `observe` takes it."""
    config = sources()[source]
    page = FetchedPage(
        url=url,
        landing_url=url,
        status=200,
        observed_at=datetime.fromisoformat(date),
        records=config.parser.parse(body, url).records,
    )
    batch = draft_source(config, [page])
    identity = Identity.load()
    learn_official_models(identity, [batch])
    identity.learn(known)
    return list(observations(batch, identity))


@cache
def world_drafts(source: str, world: str = "epoch-2") -> SourceDrafts:
    """`source`'s drafts from every response a recorded world holds for its URLs."""
    manifest = json.loads((WORLDS / f"{world}.json").read_text())
    recorded = {unquote(r["url"]): r for r in manifest["responses"]}
    config = sources()[source]
    pages = []
    for url in config.urls:
        entry = recorded[unquote(url)]
        pages.append(
            FetchedPage(
                url=url,
                landing_url=url,
                status=int(entry["status"]),
                observed_at=datetime.fromisoformat(entry["date"].replace("Z", "+00:00")),
                records=config.parser.parse(
                    (WORLDS / entry["file"]).resolve().read_bytes(), url
                ).records,
            )
        )
    return draft_source(config, pages)
