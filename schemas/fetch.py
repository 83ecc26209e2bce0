"""What a fetch hands the pipeline: a response's records with where and when it was read, and
the two ways a source's bytes can be unusable (the whole body, or one record)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from schemas.records import Draft

# No response can state a price of a model API, nor a model listed, before the first API was
# sold (OpenAI's opened in June 2020): an earlier date comes from a clock that was never set.
FIRST_PRICED = datetime(2020, 1, 1, tzinfo=UTC)


@dataclass
class FetchedPage:
    """One response a crawl read: the URL requested and the one that answered, the HTTP status,
    when it was observed (the response's Date, else the fetch time), the parser's raw records,
    and the body with its sha256."""

    url: str
    landing_url: str
    status: int
    observed_at: datetime
    records: list[dict[str, Any]]
    content_hash: str = ""  # sha256 of the body, hex
    body: bytes = b""  # the body as received (kept once per hash, catalog/retention.py)
    # the response's Last-Modified header (UTC), None where it states none
    last_modified: datetime | None = None
    # the newest date its records state of themselves (spiders/spider.py `newest_stated`)
    newest_stated: datetime | None = None
    # the configured URL whose chain of next links led here (Azure's NextPageLink, OpenRouter's
    # links.next): a further page's listing; '' for a page that begins its own
    listing_url: str = ""


# A chain of redirects named in a reason is cut to its first and last hops beyond this many.
CHAIN_SHOWN = 6


def chain_text(hops: list[str]) -> str:
    """The URLs a chain of redirects went through, in order, as one short line ("A -> B ->
    A"); a chain of more than CHAIN_SHOWN by its first three and last two and its length."""
    if len(hops) <= CHAIN_SHOWN:
        return " -> ".join(hops)
    return f"{' -> '.join(hops[:3])} -> ... -> {' -> '.join(hops[-2:])} ({len(hops)} URLs)"


def table_record(table: int, row: int, first_cell: str) -> str:
    """The record id of a page's table row, as the page readers name it (spiders/tables.py):
    'table 0 row 3: gpt-5.2'."""
    return f"table {table} row {row}: {first_cell}"


_TABLE_RECORD = re.compile(r"table (\d+) row \d+: ")


def record_table(record: str) -> str:
    """The table a page's record id (`table_record`) names, 'table 0'; '' for any other id (a
    listing's entry). A page states its unit once per table or section, so a table is one block
    of its prices."""
    found = _TABLE_RECORD.match(record) if record.startswith("table ") else None
    return f"table {found[1]}" if found else ""


class Unparsable(ValueError):
    """The body is not what this source sends."""


# The rule of a record that stands for a group of models its source lists and ratecard cannot
# name (a provider of models.dev or genai-prices whose `models` is of another shape): the
# source's listing this run is not complete, so it is applied as a partial one (no absence of
# any model is counted: catalog/intake.py `SourceIntake.incomplete`).
UNLISTED_GROUP_RULE = "provider without models"
# The rule of a pricing-page row that has no header above it (the second part of a table a
# banner or an ad split in two: spiders/tables.py `check_headed`): which model it prices is
# unknown, so the page's listing this run is not complete either (a model listed only in such
# rows would count absent).
HEADERLESS_RULE = "row without its header"
# The rule of a listing's model record without a readable id (OpenRouter's, Vercel's and
# genai-prices' entries, whose id is a field: missing, null, blank): which model it stands for
# is unknown, so the listing this run is not complete either (a fault round: twelve OpenRouter
# records whose `id` was renamed counted their models absent, and three such days proposed
# removing five models still listed).
NO_MODEL_ID_RULE = "no model id"
# A pricing page's row under no model's name (a Model cell left empty, a Gemini section whose id
# line is lost or whose heading a Standard tier's heading replaced), and one whose section's
# heading and ids name two models (a Gemini id line exchanged with another section's): the model
# it prices is unknown, so no model of the page counts absent (catalog/intake.py `unlisted`).
NO_MODEL_NAMED_RULE = "no model named"
MODEL_UNKNOWN_RULE = "model unknown"
# The rule of a model record's key named as a price or a limit that its parser does not read
# (spiders/parsing.py `unknown_value_keys`): a key renamed under the parser. The key is
# reported, not a value that failed to read: a listing renaming it in every record (a limit
# key) is no collapse of the listing (catalog/health.py `quarantined_collapse` counts values).
UNKNOWN_KEY_RULE = "unknown model key"
# The rule of a record a paged listing gave on two of its pages (an Azure meter on two
# NextPageLink pages): the set it pages through changed between requests, so records may have
# slipped past the pages too; the listing this run is not complete either.
PAGES_SHIFTED_RULE = "pages overlap"
# The rule of a record every price of which is 0 where its source writes the same zeros for a
# model it does not price and for a free one (Portkey's `default` fallback restated): no price
# stated. Each such record counts as a zero price when its source's or response's listing is
# judged (catalog/health.py `validation_collapse`): a listing zeroed under its parser is
# refused, not read as nothing.
ZERO_RATES_RULE = "every rate zero"

# A record's prices stated in another currency than the US dollar (spiders/parsing.py
# `foreign_currency`): no price of it is read, and none of it is 0 (rule 6 of
# catalog/plausibility.py counts its route as priced).
NOT_USD_RULE = "not USD"

# A limit a source writes as 0 where it states none (image, video and embedding models'
# context windows): a placeholder, not a limit of zero tokens. The record states no value of
# the field, and hides none: the model is not one "named with a problem" (catalog/normalize.py).
UNKNOWN_LIMIT = "a limit of 0 is unknown"


class Uninterpretable(ValueError):
    """A record this source's normalizer cannot read. `rule` names what it could not do."""

    def __init__(self, record: str, rule: str, detail: str) -> None:
        super().__init__(f"{record}: {rule}: {detail}")
        self.record = record
        self.rule = rule
        self.detail = detail


@dataclass(frozen=True)
class FieldProblem:
    """One field of a record that was quarantined alone: the record's other fields are kept.

    `field` names the field as the source wrote it (a JSON path, a column, a key); `rule` names
    what could not be done with it; `detail` quotes what the source stated.
    """

    record: str
    field: str
    rule: str
    detail: str


class Normalized(list[Draft]):
    """What a normalizer reads from one record: its drafts (this list), and the fields it
    quarantined (`problems`), each naming the record, the field and the rule."""

    def __init__(self, drafts: Iterable[Draft] = (), problems: Iterable[FieldProblem] = ()) -> None:
        super().__init__(drafts)
        self.problems: list[FieldProblem] = list(problems)
