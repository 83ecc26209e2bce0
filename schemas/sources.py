"""The configured sources (data/sources.json): URLs, parser module, and authority."""

from __future__ import annotations

import importlib
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import ModuleType

CONFIG = Path(__file__).resolve().parent.parent / "data" / "sources.json"


@dataclass(frozen=True)
class Source:
    id: str
    title: str
    module: str
    urls: tuple[str, ...]
    official_for: frozenset[str]  # routes this source speaks for; secondary everywhere else

    @property
    def parser(self) -> ModuleType:
        return importlib.import_module(self.module)

    def is_official(self, route: str) -> bool:
        return route in self.official_for


@cache
def sources() -> dict[str, Source]:
    config = json.loads(CONFIG.read_text())
    return {
        sid: Source(
            id=sid,
            title=entry["title"],
            module=entry["module"],
            urls=tuple(entry["urls"]),
            official_for=frozenset(entry["official_for"]),
        )
        for sid, entry in config.items()
    }


def is_official(source: str, route: str) -> bool:
    known = sources().get(source)
    return known is not None and known.is_official(route)
