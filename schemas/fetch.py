"""What a fetch hands the pipeline: a response's records with where and when it was read, and
the two ways a source's bytes can be unusable (the whole body, or one record)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass
class FetchedPage:
    url: str
    landing_url: str
    status: int
    observed_at: datetime
    records: list[dict[str, Any]]


class Unparsable(ValueError):
    """The body is not what this source sends."""


class Uninterpretable(ValueError):
    """A record this source's normalizer cannot read. `rule` names what it could not do."""

    def __init__(self, record: str, rule: str, detail: str) -> None:
        super().__init__(f"{record}: {rule}: {detail}")
        self.record = record
        self.rule = rule
        self.detail = detail
