"""Two columns' headings swapped on the day a catalog is first loaded enter no price.

Fault round 55: OpenAI's page with its Standard table's "Input" and "Output" headings swapped
(the cells not), read into an empty catalog with --accept-new, entered 90 official prices at
another field's price, verified (gpt-4o's input at $10, its output at $2.50), while LiteLLM,
models.dev, genai-prices and Portkey all stated $2.50 and $10. The rule for swapped headings
(catalog/intake.py `_fields_swapped`) judged a price only by the source's own last statement or
the catalog's value, and a first load has neither; it now judges such fields by what the other
sources state alike (`_known_or_stated`), so the block is set aside as on any later day.

The page (made here from the recorded one), LiteLLM and models.dev, epoch-2, each into an empty
catalog with --accept-new: the page swapped, and beside it the page as recorded. Refreshes
through the real flow (Scrapy over loopback HTTP, a real Prefect API, SQLite).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from catalog import store
from catalog.intake import FIELDS_SWAPPED_RULE
from catalog.tables import catalog_values, quarantine
from tests.test_fields_swapped import ANTHROPIC, _headings_swapped
from tests.worlds import epoch2_loaded, fault_world, newest_run_id, recorded_text, replayed_run

pytestmark = pytest.mark.integration

SOURCES = ["openai-page", "litellm", "modelsdev"]
OPENAI = "https://platform.openai.com/docs/pricing"


def _gpt_4o(db: str) -> dict[str, tuple[str, str | None]]:
    """openai/gpt-4o's standard input and output prices in force in `db` (USD per 1M tokens),
    each with the source that verified it."""
    c = catalog_values.c
    with store.connect(db).connect() as conn:
        rows = conn.execute(
            select(c.component, c.value, c.verified_by).where(
                c.route == "openai",
                c.model == "gpt-4o",
                c.component.in_(["input", "output"]),
                c.unit == "usd_per_1m_tokens",
                c.dimensions == "",
                c.valid_to.is_(None),
            )
        )
        return {row.component: (row.value, row.verified_by) for row in rows}


def _set_aside(db: str, run_id: int) -> int:
    """How many of the page's prices run `run_id` of `db` set aside as another field's."""
    q = quarantine.c
    with store.connect(db).connect() as conn:
        rows = conn.execute(
            select(q.id).where(
                q.run_id == run_id, q.source == "openai-page", q.rule == FIELDS_SWAPPED_RULE
            )
        )
        return len(rows.all())


def test_headings_swapped_on_a_first_load_enter_no_price(
    prefect_api: None, tmp_path_factory: pytest.TempPathFactory, tmp_path: Path
) -> None:
    swapped = _headings_swapped(
        recorded_text(OPENAI),
        "| Model | Input | Cached input | Output |",
        "Input",
        "Output",
        nth=2,  # the Standard table
    )
    world = fault_world(tmp_path, {OPENAI: {"body": swapped}})
    db = f"sqlite:///{tmp_path / 'swapped.db'}"
    run_id = replayed_run(db, world, SOURCES, accept_new=True)
    assert _set_aside(db, run_id) >= 5
    assert ("10", "openai-page") not in _gpt_4o(db).values()

    control = epoch2_loaded(tmp_path_factory, tmp_path / "control.db", SOURCES)
    control_run = newest_run_id(control)
    assert _set_aside(control, control_run) == 0
    assert _gpt_4o(control) == {"input": ("2.5", "openai-page"), "output": ("10", "openai-page")}


def _column_copied(text: str, header: str, source: str, target: str, nth: int) -> str:
    """`text` with the cells of the column headed `target` in the `nth` table whose header line
    starts with `header` replaced by its column `source`'s cells (its headings as they were)."""
    lines = text.split("\n")
    k = [i for i, line in enumerate(lines) if line.startswith(header)][nth]
    names = [cell.strip() for cell in lines[k].split("|")]
    at, to = names.index(source), names.index(target)
    for i in range(k + 2, len(lines)):
        if not lines[i].startswith("|"):
            break
        cells = lines[i].split("|")
        cells[to] = cells[at]
        lines[i] = "|".join(cells)
    return "\n".join(lines)


COPIED = {
    "anthropic": (
        "anthropic-page",
        ANTHROPIC,
        ("| Model ", "Base Input Tokens", "Cache Hits & Refreshes", 0),
        {"claude-sonnet-4-5": "3", "claude-opus-4-1": "15"},
    ),
    "openai": (
        "openai-page",
        OPENAI,
        ("| Model | Input | Cached input | Output |", "Input", "Cached input", 2),  # Standard
        {"gpt-4o": "2.5", "gpt-4.1": "2"},
    ),
}


@pytest.mark.parametrize("page", sorted(COPIED))
def test_a_column_copied_over_another_on_a_first_load_enters_no_price(
    prefect_api: None, tmp_path: Path, page: str
) -> None:
    """A page's input cells copied over its cached-input column, read into an empty catalog
    with --accept-new beside LiteLLM and models.dev, enter no cache read at the input price:
    the block is judged by what the other sources state (`_fields_swapped` on a first load),
    whether the copy lands a power of ten off their price (Anthropic's reads are a tenth of the
    inputs, which a whole block x10 would also give, its inputs moved too) or not (OpenAI's)."""
    source, url, table, at_input = COPIED[page]
    sources = [source, "litellm", "modelsdev"]
    copied = _column_copied(recorded_text(url), *table)
    world = fault_world(tmp_path, {url: {"body": copied}})
    db = f"sqlite:///{tmp_path / 'copied.db'}"
    run_id = replayed_run(db, world, sources, accept_new=True)
    q, c = quarantine.c, catalog_values.c
    with store.connect(db).connect() as conn:
        aside = conn.execute(
            select(q.record).where(
                q.run_id == run_id, q.source == source, q.rule == FIELDS_SWAPPED_RULE
            )
        ).all()
        reads = dict(
            conn.execute(
                select(c.model, c.value).where(
                    c.route == page,
                    c.component == "cache_read",
                    c.dimensions == "",
                    c.verified_by == source,
                    c.valid_to.is_(None),
                )
            ).all()
        )
    assert len(aside) >= 5
    assert all(reads.get(model) != price for model, price in at_input.items()), reads
