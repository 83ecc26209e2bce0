"""Independent re-check: every verified value in a catalog, read again from the official raw
responses themselves, without the parsers.

    uv run python benchmarks/recheck_verified.py CATALOG.db [WORLD.json]
        (default world: ../shared/snapshots/worlds/epoch-2.json)

For each catalog value in force with a `verified_by` source, the verifying source's statement
(the observations table: its evidence and source model, the URL of its response) locates the
record in the raw response the world recorded for that URL; a small reader of each official
format then reads the number there and converts it by the unit's documented factors:

- Azure Retail Prices JSON: the item with that `meterName` in that `armRegionName`; USD per
  `unitOfMeasure` ("1K" tokens x1000 to per 1M, "1M" x1, "100" images /100, "1K" /1000, megapixel
  /10^6 per pixel, "1 Hour", "1 Second", "1" as stated).
- OpenRouter / Vercel model JSON: the `data` entry whose `id` is the source model; the field the
  evidence names (`pricing.prompt`: USD per token, x10^6 per 1M; others as stated; limits and
  `contains` capabilities compared as they are).
- Pricing pages (OpenAI, Anthropic, Google, DeepSeek Markdown): the lines naming the row the
  evidence names; of the `$` amounts the evidence cites, those the raw lines hold (per 1M
  tokens, per image, per 1K or 1M units).

Each value is one of: confirmed (the raw response states it), contradicted (the located record
states something else), or unlocated (the record is not found: the evidence names no record
this reader knows). Prints the counts per source and every contradiction; exit 1 if any.
"""

from __future__ import annotations

import json
import re
import sqlite3
import sys
from collections import Counter
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any
from urllib.parse import unquote

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_WORLD = ROOT.parent / "shared" / "snapshots" / "worlds" / "epoch-2.json"
PAGES = {"openai-page", "anthropic-page", "gemini-page", "deepseek-page"}
AMOUNT = re.compile(r"\$\s?([0-9][0-9,]*(?:\.[0-9]+)?)")
AZURE_EVIDENCE = re.compile(r"^(?P<meter>.+) \((?P<product>.*), (?P<region>[^,]*)\): retailPrice")
JSON_EVIDENCE = re.compile(
    r'^(?P<path>[\w.\[\]]+)(?:=(?P<value>"[^"]*"|\S+)(?: \(.*\))?'
    r'| contains "(?P<item>.*)"|: (?P<pairs>(?:\w+=(?:"[^"]*"|\S+) ?)+))$'
)
PAIR = re.compile(r'(\w+)=("[^"]*"|\S+)')
M = Decimal(1_000_000)

# The factors by which a number a source writes becomes the value in the catalog's unit.
AZURE_FACTORS: dict[str, tuple[Decimal, ...]] = {
    "usd_per_1m_tokens": (Decimal(1000), Decimal(1)),
    "usd_per_image": (Decimal(1), Decimal("0.01"), Decimal("0.001")),
    "usd_per_pixel": (Decimal("0.000001"),),
    "usd_per_page": (Decimal("0.001"), Decimal(1)),
    "usd_per_1k_queries": (Decimal(1),),
}
JSON_FACTORS: dict[str, tuple[Decimal, ...]] = {"usd_per_1m_tokens": (M,)}
PAGE_FACTORS: tuple[Decimal, ...] = (Decimal(1), Decimal("0.001"), Decimal("0.000001"))


def number(text: Any) -> Decimal | None:
    try:
        return Decimal(str(text).strip().strip('"').replace(",", ""))
    except InvalidOperation:
        return None


def world_files(world: Path) -> dict[str, Path]:
    manifest = json.loads(world.read_text())
    return {unquote(r["url"]): (world.parent / r["file"]).resolve() for r in manifest["responses"]}


class Raw:
    """The raw responses, read once each."""

    def __init__(self, files: dict[str, Path]) -> None:
        self.files = files
        self._json: dict[str, Any] = {}
        self._lines: dict[str, list[str]] = {}

    def json(self, url: str) -> Any:
        if url not in self._json:
            self._json[url] = json.loads(self.files[unquote(url)].read_bytes(), parse_float=Decimal)
        return self._json[url]

    def lines(self, url: str) -> list[str]:
        if url not in self._lines:
            text = self.files[unquote(url)].read_text(errors="replace").replace("\\", "")
            self._lines[url] = [re.sub(r"\s+", " ", line) for line in text.splitlines()]
        return self._lines[url]


def _agrees(written: Decimal, value: Decimal, factors: tuple[Decimal, ...]) -> bool:
    return any(written * f == value for f in factors)


def check_azure(raw: Raw, url: str, unit: str, value: Decimal, evidence: str) -> str:
    found = AZURE_EVIDENCE.match(evidence.split("; ")[0])
    if found is None:
        return "unlocated"
    items = [
        i
        for i in raw.json(url)["Items"]
        if i.get("meterName") == found["meter"] and i.get("armRegionName", "") == found["region"]
    ]
    if not items:
        return "unlocated"
    factors = AZURE_FACTORS.get(unit, (Decimal(1),))
    written = [number(i["retailPrice"]) for i in items]
    return (
        "confirmed"
        if any(w is not None and _agrees(w, value, factors) for w in written)
        else "contradicted"
    )


def _path(record: Any, path: str) -> Any:
    """`pricing.overrides[0].prompt` in a JSON record; None where it leads nowhere."""
    for part in re.findall(r"[^.\[\]]+|\[\d+\]", path):
        if part.startswith("["):
            index = int(part[1:-1])
            if not isinstance(record, list) or index >= len(record):
                return None
            record = record[index]
        elif isinstance(record, dict) and part in record:
            record = record[part]
        else:
            return None
    return record


def _json_text(value: Any) -> str:
    """A JSON value as the evidence writes it: strings quoted, true/false, numbers as written."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f'"{value}"'
    return str(value)


def check_json(
    raw: Raw, url: str, source_model: str, unit: str, value: Decimal, evidence: str
) -> str:
    # OpenRouter's `:batch`, `:free`... entries are variants of the model (the reader's dimensions)
    records = [
        r
        for r in raw.json(url).get("data", [])
        if r.get("id") == source_model or str(r.get("id", "")).startswith(f"{source_model}:")
    ]
    statements = [s for s in evidence.split("; ") if JSON_EVIDENCE.match(s)]
    if not records or not statements:
        return "unlocated"
    for statement in statements:
        found = JSON_EVIDENCE.match(statement)
        assert found is not None
        for record in records:
            stated = _path(record, found["path"])
            if found["pairs"] is not None:  # `[i]: resolution="720p" cost_per_second="0.1"`
                pairs = PAIR.findall(found["pairs"])
                if not isinstance(stated, dict) or any(
                    _json_text(stated.get(k)) != v for k, v in pairs[:-1]
                ):
                    continue
                stated = stated.get(pairs[-1][0])
            if found["item"] is not None:
                if isinstance(stated, list) and found["item"] in stated and value in (0, 1):
                    return "confirmed"
                continue
            if unit == "flag":  # a capability: the raw field states what the evidence quotes
                if str(stated) == str(found["value"]).strip('"') and value in (0, 1):
                    return "confirmed"
                continue
            written = number(stated)
            factors = JSON_FACTORS.get(unit, (Decimal(1), Decimal(1000)))
            if written is not None and _agrees(written, value, factors):
                return "confirmed"
    return "contradicted"


def _label(text: str) -> str:
    """A row label as the page writes it: without a parenthesized note (the page links it)."""
    return re.sub(r"\s*\([^)]*\)", "", text).strip()


def _names(label: str, line: str) -> bool:
    """The line names the label: as a whole table cell, or (3 characters or more) anywhere."""
    low, text = label.lower(), line.lower()
    return bool(low) and (f"| {low} |" in text or (len(low) >= 3 and low in text))


def check_page(raw: Raw, url: str, value: Decimal, evidence: str) -> str:
    first = evidence.split("; ")[0]
    _, _, rest = first.partition(": ")
    cells = [c.strip() for c in rest.split(" | ")]
    labels = [_label(c) for c in cells[:2] if c and "$" not in c and "=" not in c]
    row = re.split(r" = ", cells[-1])[0] if "=" in cells[-1] else ""
    labels += [_label(row)] if row else []
    every = raw.lines(url)
    lines: list[str] = []
    for index, line in enumerate(every):
        if any(_names(label, line) for label in labels):
            # a table cell spanning rows (OpenAI's image qualities): the rows it spans follow
            following = every[index : index + 4]
            lines += [following[0]] + [r for r in following[1:] if r.startswith("|")]
    if not lines:
        return "unlocated"
    # The amounts the statement cites, where it cites any, must be on the located lines; else
    # any amount on them may state the value.
    cited = set(AMOUNT.findall(rest))
    on_lines = {a for line in lines for a in AMOUNT.findall(line)}
    candidates = cited & on_lines if cited else on_lines
    for amount in candidates:
        written = number(amount)
        if written is not None and _agrees(written, value, PAGE_FACTORS):
            return "confirmed"
    return "contradicted"


def recheck(
    catalog: Path, world: Path = DEFAULT_WORLD
) -> tuple[Counter[tuple[str, str]], list[str]]:
    """Each verified value of the SQLite catalog at `catalog` against the raw responses of
    `world`: counts per (source, verdict) and one line per contradiction. Reads only."""
    raw = Raw(world_files(world))
    db = sqlite3.connect(f"file:{catalog}?mode=ro", uri=True)
    verified = db.execute(
        "select route, model, kind, component, unit, dimensions, value, verified_by"
        " from catalog_values where valid_to is null and verified_by is not null"
    ).fetchall()
    counts: Counter[tuple[str, str]] = Counter()
    contradictions: list[str] = []
    for route, model, kind, component, unit, dims, value, source in verified:
        statement = db.execute(
            "select o.source_model, o.evidence, r.url from observations o"
            " join responses r on r.id = o.last_response_id"
            " where o.source = ? and o.route = ? and o.model = ? and o.kind = ?"
            " and o.component = ? and o.unit = ? and o.dimensions = ?"
            " order by o.last_run_id desc, o.value = ? desc limit 1",
            (source, route, model, kind, component, unit, dims, value),
        ).fetchone()
        if statement is None:
            verdict = "unlocated"
        else:
            source_model, evidence, url = statement
            amount = Decimal(value)
            if source == "azure":
                verdict = check_azure(raw, url, unit, amount, evidence)
            elif source in PAGES:
                verdict = check_page(raw, url, amount, evidence)
            else:
                verdict = check_json(raw, url, source_model, unit, amount, evidence)
        counts[(source, verdict)] += 1
        if verdict == "contradicted":
            contradictions.append(f"{source} {route}/{model} {component} [{dims}] {value} {unit}")
    db.close()
    return counts, contradictions


def main(argv: list[str]) -> int:
    if not argv or len(argv) > 2:
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    world = Path(argv[1]) if len(argv) == 2 else DEFAULT_WORLD
    counts, contradictions = recheck(Path(argv[0]), world)
    verdicts = ("confirmed", "contradicted", "unlocated")
    sources = sorted({s for s, _ in counts})
    print(f"{'source':<16}{'verified':>9}{'confirmed':>11}{'contradicted':>14}{'unlocated':>11}")
    for source in sources:
        row = [counts[(source, v)] for v in verdicts]
        print(f"{source:<16}{sum(row):>9}{row[0]:>11}{row[1]:>14}{row[2]:>11}")
    total = [sum(counts[(s, v)] for s in sources) for v in verdicts]
    print(f"{'all':<16}{sum(total):>9}{total[0]:>11}{total[1]:>14}{total[2]:>11}")
    for line in contradictions:
        print("contradicted:", line)
    return 1 if contradictions else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
