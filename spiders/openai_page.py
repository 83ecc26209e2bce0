"""OpenAI's pricing page, https://platform.openai.com/docs/pricing (route `openai`).

The live page is a JavaScript application; what is recorded is Markdown made from the rendered
page (Playwright + converter, or a reader service). Both HTML and Markdown run through the one
table reader (spiders/tables.py); every row of a table that states money is a record.

How the page is read:

- Service tier: the label nearest above a table ("Batch", "Flex", "Standard", "Priority": the
  tab the table belongs to; a tab strip flattened to "BatchFlexStandardPriority" is not a label).
  No label: standard, unless another table of the same section has one (a tab label renamed
  or lost): then the table's tier is unknown and its rows are reported; and a section holding
  two tables of one tier holds another section's (its heading moved below its table, or lost:
  it would take this section's modality), so their rows are reported. A "Batch cost" column
  is the batch tier of "Cost".
- Modality: the innermost heading that starts with text / image / audio / video ("Text
  tokens", "Image tokens", "Audio tokens", "Video", "Image generation"); otherwise text.
- Unit: a "per ..." in the cell ("$0.006 / minute", "$15.00 / 1M characters") or in the column
  ("Price per second", image size columns are per image; a known column that ends with its unit,
  "Input (per 1M tokens)", "Output / MTok"), else what the section states ("Prices per 1M
  tokens."). A column's unit is stated for each of its cells: a cell or a section in another
  unit is unit-ambiguous; a column unit the vocabulary does not know is an unknown unit.
- Columns: Input → input, Cached input → cache_read, Output → output, Cost → input (with "Use
  case" Transcription → audio, Speech generation → text), image size columns "1024 x 1536" →
  output per image with quality (the Quality column) and size; video "Size: Output resolution"
  gives one draft per size. "Training" is not read (the vocabulary has no training component),
  nor "Estimated cost" (an estimate, not a rate).
- Fine-tuning tables price fine-tuned models: variant=fine_tuned ("... with data sharing":
  fine_tuned_data_sharing), never the base model's price.
- The image-generation grid spans the model cell over its quality rows; converters flatten that
  into rows that start with the quality and end with an empty cell. Such a row gets its model
  back from the row above. Rows after an empty separator whose sub-header was not restated
  (the 2025-11-21 capture lost the DALL·E sub-headers and sizes) are Uninterpretable, as are rows
  of tables without a Model column (built-in tools, storage: prices not tied to a model) and
  rows without any header (a table split in two by a banner: tables.py `check_headed`, which
  also marks the listing incomplete, as such a row may be a model's only one). A cell
  that cannot be read (a column this reader does not know, words where a price goes, another
  currency, no unit) is quarantined by its column alone: the row's other prices are read.
- "-" is no price; "Free of charge" is 0. Model names go through one rule (lowercase, spaces and
  punctuation to "-": "GPT Image 1 Mini" → gpt-image-1-mini, "DALL·E 3" → dall-e-3);
  data/aliases/pages.json maps the few names that differ from the API id (Whisper, TTS). A
  Model cell that joins names ("gpt-4.1-mini / gpt-4.1-nano": tables.py `joined_names`) prices
  no one model: its row is Uninterpretable, and each name counts as named.
"""

from __future__ import annotations

import re
from collections import Counter
from decimal import Decimal
from typing import Any, NamedTuple

from schemas.fetch import Normalized, Uninterpretable
from schemas.field import Dims
from schemas.records import Draft
from schemas.vocab import Component, Dim, Unit
from spiders._drafts import DraftCollector
from spiders.parsing import Page
from spiders.tables import (
    NOTED_RULE,
    SEVERAL_MODELS_RULE,
    Table,
    check_aligned,
    check_headed,
    framing_unit,
    heading_unit,
    joined_names,
    name_and_note,
    parse_price,
    price_tables,
    realign,
    record_of,
    rescales,
    strip_footnotes,
    titles,
    trailing_empty,
    unit_of,
    where,
)

ROUTE = "openai"
AMBIGUOUS_RULE = "unit-ambiguous"  # catalog/plausibility.py's name for it
TIERS = frozenset({"batch", "flex", "standard", "priority"})
QUALITIES = frozenset({"low", "medium", "high", "standard", "hd", "auto"})
MODALITY_WORD = re.compile(r"\b(text|image|audio|video)\b")
FINE_TUNING = re.compile(r"fine[-\s]?tun", re.I)
SIZE = re.compile(r"(\d{2,5})\s*[x×]\s*(\d{2,5})")
SIZE_COLUMN = re.compile(r"^\s*\d{2,5}\s*[x×]\s*\d{2,5}\s*$")
DATA_SHARING = re.compile(r"\s*with data sharing\s*$", re.I)
FOOTNOTE = re.compile(r"\s*\[\d+\]\s*$")
NOT_NAME = re.compile(r"[^a-z0-9._]+")
# An API id as the page writes one ("gpt-5.2", "o4-mini-2025-04-16", "tts-1"): lowercase, with
# a digit or a hyphen; a name written for people opens with a capital ("GPT Image 1 Mini").
API_ID = re.compile(r"[a-z0-9][a-z0-9._:-]*(?<=[0-9])|[a-z0-9][a-z0-9._:]*-[a-z0-9._:-]*")


class Column(NamedTuple):
    """What a known column heading prices: its component, and the unit, modality or service tier the
    heading fixes (None where the cell or section says)."""

    component: Component
    unit: Unit | None = None
    modality: str | None = None
    tier: str | None = None


COLUMNS: dict[str, Column] = {
    "input": Column(Component.INPUT),
    "cached input": Column(Component.CACHE_READ),
    "output": Column(Component.OUTPUT),
    "cost": Column(Component.INPUT),
    "batch cost": Column(Component.INPUT, tier="batch"),
    "price per second": Column(Component.OUTPUT, Unit.PER_SECOND, "video"),
}
QUALIFIERS = frozenset({"model", "quality", "use case", "size: output resolution"})
# Training: the vocabulary has no training component. Estimated cost: an estimate, not a rate.
NOT_READ = frozenset({"training", "estimated cost"})
USE_CASES = {"transcription": "audio", "speech generation": "text"}


def parse(body: bytes, url: str) -> Page:
    """Every row of every price table on OpenAI's pricing page (Markdown made from the rendered
    page, or HTML) as row records (spiders/tables.py `record_of`, route `openai`), image rows a
    converter flattened given their model back from the row above, each marked when its table's tier
    is unknown (`tier_unknown`) and with how many tables of its section share its tier
    (`alike_tables`): a Page of those records, no further pages. Raises Unparsable for an empty or
    cut body, or a page with no price tables."""
    tables = price_tables(body)
    tiered = {_section(t) for t in tables if _labelled_tier(t)}
    alike = Counter((_section(t), _labelled_tier(t)) for t in tables)
    records: list[dict[str, Any]] = []
    for table in tables:
        # a table without a tier label beside tables with one (a tab label renamed or lost):
        # which tier it prices is unknown, never the default
        unlabelled = _section(table) in tiered and not _labelled_tier(table)
        # two tables of one tier under one heading: a heading moved below its table, or lost,
        # put one under the section above (its modality, its unit): which is which is unknown
        crowded = alike[_section(table), _labelled_tier(table)]
        records += _table_records(table, url, unlabelled, crowded)
    return Page(records)


def _section(table: Table) -> int:
    """Which section (innermost heading) the table sits in: -1 for none."""
    return table.sections[-1].index if table.sections else -1


def _labelled_tier(table: Table) -> str:
    """The tiers labels above the table, or full-width label rows in it, name ('' if none)."""
    texts = [*table.labels, *(row.group for row in table.rows)]
    return " ".join(sorted({t.strip().casefold() for t in texts} & TIERS))


def _table_records(table: Table, url: str, unlabelled: bool, crowded: int) -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = []
    previous: tuple[str, ...] = ()
    for number, row in enumerate(table.rows):
        header = [_heading(h) for h in row.header]
        lost = trailing_empty(row.cells)
        restored = None
        if (
            "quality" in header
            and lost == header.index("quality")
            and row.cells[0].casefold() in QUALITIES
            and previous
        ):
            restored = realign(row.cells, previous, lost)
        records.append(
            record_of(
                table,
                number,
                row,
                restored,
                route=ROUTE,
                url=url,
                tier_unknown=unlabelled,
                alike_tables=crowded,
            )
        )
        previous = restored or row.cells
    return records


def names(record: dict[str, Any]) -> list[tuple[str, str]]:
    """The model a row names (spiders/parsing.py): its Model cell, read as `normalize` reads
    it; none for a row without one or after a break in the table (its columns are unknown)."""
    header = [_heading(h) for h in record["header"]]
    if "model" not in header or record["after_break"]:
        return []
    name = dict(zip(header, record["cells"], strict=False))["model"]
    return [(ROUTE, _model_name(part)) for part in joined_names(name) or [name] if part]


def _model_name(cell: str) -> str:
    """The model id of a Model cell: footnotes, the data-sharing note and any other note after
    an API id (`_noted`) left out."""
    written = _written(cell)
    return model_id(name_and_note(written, API_ID)[0] or written)


def _written(cell: str) -> str:
    return DATA_SHARING.sub("", FOOTNOTE.sub("", strip_footnotes(cell)))


def _noted(cell: str) -> str:
    """What a Model cell writes after an API id ("New" in "gpt-5.2 New", "(deprecated)"): ""
    for an id alone or a name written for people ("GPT Image 1 Mini", "TTS HD"), which is
    read whole."""
    return name_and_note(_written(cell), API_ID)[1] if API_ID.match(_written(cell)) else ""


def normalize(record: dict[str, Any]) -> Normalized:
    """One table row as drafts of route `openai`: a price per readable cell for the model of its
    Model cell, with its service tier, modality, fine-tuning variant, quality and size, in the unit
    its cell, column or section states (per 1M tokens, per image, per second, per minute...). A cell
    that cannot be read is quarantined by its column alone. Raises Uninterpretable for the whole row
    when it has no header or no Model column, is misaligned or after a break in its table, its tier
    or section is unknown, or its Model cell is empty, joins several names or carries a note."""
    rid, text = record["record"], record["text"]
    check_headed(record)
    header = [_heading(h) for h in record["header"]]
    if "model" not in header:
        raise Uninterpretable(rid, "price not tied to a model", f"no Model column: {text}")
    check_aligned(record)
    if record["after_break"]:
        raise Uninterpretable(
            rid, "columns unknown", f"row after a break in the table, header not restated: {text}"
        )
    if record.get("tier_unknown"):
        raise Uninterpretable(
            rid,
            "tier unknown",
            f"{where(record)}: a table without a tier label beside tables with one: {text}",
        )
    if record.get("alike_tables", 1) > 1:
        raise Uninterpretable(
            rid,
            "section unknown",
            f"{where(record)} holds {record['alike_tables']} tables of one tier: one is another "
            f"section's, its heading moved or lost: {text}",
        )
    cells = dict(zip(header, record["cells"], strict=False))
    name = cells["model"]
    if not name:
        raise Uninterpretable(rid, "no model name", text)
    if joined_names(name):
        raise Uninterpretable(
            rid, SEVERAL_MODELS_RULE, f"Model {name!r}: no one model's prices: {text}"
        )
    if note := _noted(name):
        raise Uninterpretable(rid, NOTED_RULE, f"{note!r} beside the model's id: {text}")
    row = _Row(record, cells)
    out = DraftCollector(rid)
    for column, cell in zip(record["header"], record["cells"], strict=False):
        # A column read is its cell alone: one it cannot read (a column the page added, a cell
        # of words) is quarantined by its heading, and the row's other prices are kept (the
        # columns are read by heading, so one more does not move the others).
        with out.reading(column.strip()):
            for draft in row.drafts(column, cell):
                out.put(draft)
    return out.result()


class _Row:
    """One record's context: what every price in the row shares."""

    def __init__(self, record: dict[str, Any], cells: dict[str, str]) -> None:
        self.record = record
        self.rid = record["record"]
        self.cells = cells
        raw = FOOTNOTE.sub("", cells["model"])
        self.model = _model_name(cells["model"])
        self.dims: dict[str, str] = {Dim.SERVICE_TIER: _tier(record)}
        if variant := _variant(record, raw):
            self.dims[Dim.VARIANT] = variant
        if modality := _modality(record):
            self.dims[Dim.MODALITY] = modality
        if quality := cells.get("quality"):
            self.dims[Dim.QUALITY] = quality.casefold()
        if use := cells.get("use case"):
            if use.casefold() not in USE_CASES:
                raise self.fail("unknown use case", use)
            self.dims[Dim.MODALITY] = USE_CASES[use.casefold()]
        try:
            self.section_unit = framing_unit(record)
        except ValueError as exc:
            raise self.fail(AMBIGUOUS_RULE, str(exc)) from exc

    def fail(self, rule: str, detail: str) -> Uninterpretable:
        return Uninterpretable(self.rid, rule, f"{detail} in row: {self.record['text']}")

    def drafts(self, heading: str, cell: str) -> list[Draft]:
        column = _heading(heading)
        if column in QUALIFIERS or column in NOT_READ:
            return Normalized()
        spec = _column(column)
        per_column = ""
        if spec is None:  # "Input (per 1M tokens)": a known column that states its unit
            name, per_column = heading_unit(column)
            if name in QUALIFIERS or name in NOT_READ:
                return Normalized()
            spec = _column(name) if per_column else None
        try:
            price = parse_price(cell)
        except ValueError as exc:
            rule = "not a price" if spec else "unknown column"
            raise self.fail(rule, f"{column}: {cell!r}") from exc
        if price is None:
            return Normalized()
        if spec is None:
            raise self.fail("unknown column", f"{column}: {cell!r}")
        if price.currency != "USD":
            raise self.fail("not USD", f"{column}: {cell!r}")
        unit, factor = self._unit(spec, price.per, per_column, column, cell)
        dims = dict(self.dims)
        if spec.tier:
            dims[Dim.SERVICE_TIER] = spec.tier
        if spec.modality:
            dims[Dim.MODALITY] = spec.modality
        sizes = _sizes(column, self.cells.get("size: output resolution", ""))
        value = price.amount * factor
        evidence = f"{where(self.record)}: {self.cells['model']} | {heading} = {cell}"
        return [
            Draft(
                route=ROUTE,
                source_model=self.model,
                component=spec.component,
                unit=unit,
                dimensions=Dims.of({**dims, Dim.SIZE: size} if size else dims),
                value=value,
                evidence=evidence,
                record=self.rid,
            )
            for size in sizes
        ]

    def _unit(
        self, spec: Column, per: str, per_column: str, column: str, cell: str
    ) -> tuple[Unit, Decimal]:
        """The cell's own "per ..." where it has one, else its column's ("Input (per 1M
        tokens)", or a column whose name says it: "Price per second", an image size), else its
        section's ("Prices per 1M tokens."). A column's unit is a statement about each of its
        cells: a cell or a section in another unit contradicts it, and which the page means is
        a guess (unit-ambiguous: "$0.10 / 1M" under "Price per second", a fault round's page
        template stamping one unit on every cell); so does a cell counting the section's
        measure in another count ("$1.75 / 1K tokens" under "Prices per 1M tokens."). A cell
        in another measure ("$0.006 / minute") in a column of none says what it prices."""
        in_column = unit_of(per_column) if per_column else None
        if per_column and in_column is None:
            raise self.fail("unknown unit", f"{column}: {cell!r}")
        if in_column is None and spec.unit:  # a column known by a name that says its unit
            in_column = (spec.unit, Decimal(1))
        if per:
            stated = unit_of(per)
            if stated is None:
                raise self.fail("unknown unit", f"{column}: {cell!r}")
            if in_column is not None and stated != in_column:
                raise self.fail(AMBIGUOUS_RULE, f"{column}: {cell!r} states another unit")
            if rescales(stated, self.section_unit):
                raise self.fail(AMBIGUOUS_RULE, f"{column}: {cell!r}, the section states another")
            return stated
        if in_column is not None:
            if self.section_unit is not None and self.section_unit != in_column:
                raise self.fail(AMBIGUOUS_RULE, f"{column}: the section states another unit")
            return in_column
        if self.section_unit is None:
            raise self.fail("no unit stated", f"{column}: {cell!r}")
        return self.section_unit


def _heading(heading: str) -> str:
    """A column heading as read: footnote markers left out ("Input¹", "Output [1]")."""
    return strip_footnotes(heading).casefold()


def _column(column: str) -> Column | None:
    if column in COLUMNS:
        return COLUMNS[column]
    if SIZE_COLUMN.match(column):
        return Column(Component.OUTPUT, Unit.PER_IMAGE, "image")
    return None


def _sizes(column: str, resolution: str) -> list[str]:
    """The size dimension values a cell is for: its column's size, or the row's resolutions."""
    found = SIZE.findall(column) or SIZE.findall(resolution)
    return [f"{w}x{h}" for w, h in found] or [""]


def _variant(record: dict[str, Any], name: str) -> str:
    """fine_tuned for the fine-tuning tables, with _data_sharing for "... with data sharing": a
    table under a heading naming fine-tuning, or with a Training column, whatever its heading
    says (a fault probe: "Fine-tuning" renamed "Model optimization" read the fine-tuned prices
    as the base models', gpt-4o-2024-08-06 input 3.75 verified on a first load)."""
    tuned = any(FINE_TUNING.search(t) for t in titles(record)) or "training" in (
        _heading(h) for h in record["header"]
    )
    parts = ["fine_tuned"] if tuned else []
    if DATA_SHARING.search(name):
        parts.append("data_sharing")
    return "_".join(parts)


def _tier(record: dict[str, Any]) -> str:
    label: str
    for label in [record.get("group", ""), *reversed(record["labels"])]:
        if label.strip().casefold() in TIERS:
            return label.strip().casefold()
    return "standard"


def _modality(record: dict[str, Any]) -> str | None:
    """The modality the innermost heading naming a modality word names first ("Image tokens",
    "🖼️ Image tokens", "Tokens for image inputs", "Image tokens (text and image inputs)": a
    fault probe's heading opening with an emoji read the image tokens' prices as text prices,
    verified); None for none."""
    for title in reversed(titles(record)):
        if named := MODALITY_WORD.search(title.casefold()):
            return named.group(1)
    return None


def model_id(name: str) -> str:
    """The page's model name as an API-style id: lowercase, spaces and punctuation to "-"."""
    return NOT_NAME.sub("-", name.strip().casefold()).strip("-")
