"""The configured sources (data/sources.json): URLs, the domains their responses may come from,
parser module, and authority."""

from __future__ import annotations

import importlib
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import ModuleType
from urllib.parse import urlsplit

CONFIG = Path(__file__).resolve().parent.parent / "data" / "sources.json"
# The source a review item cites for a submitted claim no configured official source stated
# (review/submissions.py).
SUBMISSION_SOURCE = "submission"


@dataclass(frozen=True)
class Source:
    """A configured source: its id and title, the parser module, the URLs a crawl starts from,
    the domains its responses may come from, and the routes it is official for."""

    id: str
    title: str
    module: str
    urls: tuple[str, ...]
    domains: tuple[str, ...]  # registrable domains its responses may land on (and subdomains)
    official_for: frozenset[str]  # routes this source speaks for; secondary everywhere else

    @property
    def parser(self) -> ModuleType:
        """The source's parser module (spiders.<source>: parse, normalize...), imported when
        first asked for."""
        return importlib.import_module(self.module)

    def is_official(self, route: str) -> bool:
        """Whether the source speaks for `route` (else it is secondary there)."""
        return route in self.official_for

    def lives_at(self, url: str) -> bool:
        """Whether `url` is on one of the source's domains (the domain itself or a subdomain):
        a response from anywhere else is not the source's word."""
        host = (urlsplit(url).hostname or "").rstrip(".").lower()
        return any(host == d or host.endswith(f".{d}") for d in self.domains)


@cache
def sources() -> dict[str, Source]:
    """Every configured source by id, read once from data/sources.json. Raises OSError or
    json.JSONDecodeError for a file that cannot be read, KeyError for an entry missing a key."""
    config = json.loads(CONFIG.read_text())
    return {
        sid: Source(
            id=sid,
            title=entry["title"],
            module=entry["module"],
            urls=tuple(entry["urls"]),
            domains=tuple(d.lower() for d in entry["domains"]),
            official_for=frozenset(entry["official_for"]),
        )
        for sid, entry in config.items()
    }


def queue_sources() -> list[str]:
    """The sources a review item can cite, sorted: the configured ones, and SUBMISSION_SOURCE.
    The review queue's source filters (web pages, API and CLI) take these and refuse others."""
    return sorted({*sources(), SUBMISSION_SOURCE})


def is_official(source: str, route: str) -> bool:
    """Whether configured source `source` is official for `route`; False for an unknown source."""
    known = sources().get(source)
    return known is not None and known.is_official(route)
