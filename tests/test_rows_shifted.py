"""A pricing page's table whose model names moved one row off their prices is set aside, not
read as every model repriced (catalog/intake.py `_rows_shifted`).

A fault probe (h57), after robhunter/agentdeals#1362 (a page's prices read one row off): the
recorded epoch-2 page with its first model table's names shifted one row, each row now naming
the model of the row before it with its own prices (the last row's model gone), read the day
after the recorded page was. Anthropic's table proposed 20 price changes (claude-opus-4-5
input 5 -> 15) and OpenAI's 61. Rows that state what the source last stated of another model
of the table, most of those that moved and at least three, are set aside as exchanged (an
anomaly to review); the other tables are read.
"""

from __future__ import annotations

import pytest

from catalog.health import price_key
from schemas.fetch import record_table
from tests.test_fault_kinds import bodies, healthy, read

SWAPPED = "at another field's price"


def _shifted(text: str) -> str:
    """`text` with its first table opening "| Model" given each row the model name of the row
    below it, with its own prices; the last row dropped."""
    start = text.index("| Model")
    lines = text[start:].split("\n")
    end = next(i for i, line in enumerate(lines) if not line.startswith("|"))
    rows = lines[2:end]
    names = [row.split("|")[1] for row in rows]
    cells = ["|".join(row.split("|")[2:]) for row in rows]
    moved = [f"|{name}|{cell}" for name, cell in zip(names[1:], cells[:-1], strict=True)]
    return text[:start] + "\n".join([*lines[:2], *moved, *lines[end:]])


@pytest.mark.parametrize("source", ["anthropic-page", "openai-page"])
def test_a_tables_model_names_one_row_off_are_set_aside(source: str) -> None:
    recorded = healthy(source)
    before = {price_key(o): o.value for o in recorded.valid if o.kind.value == "price"}
    [(url, body)] = bodies(source).items()
    found = read(source, {url: _shifted(body.decode()).encode()}, before)
    assert not found.failure, found.failure
    # nothing read moved: the shifted table's rows that moved are set aside, the others read
    moved = [o for o in found.valid if o.kind.value == "price" and before[price_key(o)] != o.value]
    assert not moved
    aside = [p for p in found.problems if p.rule == SWAPPED and "shifted" in p.detail]
    assert len({p.record for p in aside}) >= 3
    assert {record_table(p.record) for p in aside} == {"table 0"}
    # the other tables are read, but for rows the page's own check finds the shifted table
    # contradicts (Anthropic's long-context prices restate its Sonnet rows)
    contradicted = {p.record for p in found.problems if p.rule == "contradicts the model table"}
    read_elsewhere = {price_key(o) for o in found.valid if record_table(o.record) != "table 0"}
    assert {
        price_key(o)
        for o in recorded.valid
        if record_table(o.record) != "table 0" and o.record not in contradicted
    } <= read_elsewhere


def _repriced(text: str, models: tuple[str, ...], to: str) -> str:
    """`text` with the rows of its first table opening "| Model" whose model is one of
    `models` (a note in parentheses aside) given the prices of the row of `to`."""
    start = text.index("| Model")
    lines = text[start:].split("\n")
    end = next(i for i, line in enumerate(lines) if not line.startswith("|"))
    cells = {row.split("|")[1].strip(): "|".join(row.split("|")[2:]) for row in lines[2:end]}
    rows = [
        f"|{name}|{cells[to]}" if name.strip().split(" (")[0] in models else row
        for row in lines[2:end]
        if (name := row.split("|")[1])
    ]
    return text[:start] + "\n".join([*lines[:2], *rows, *lines[end:]])


def test_models_repriced_to_a_siblings_prices_are_changes_to_review() -> None:
    """A check of this rule (h57): Claude Opus 4.1, Opus 4 and Opus 3 cut to Opus 4.5's prices,
    which Opus 4.5 still states, were set aside as a shifted table. A model's row at another's
    known prices is a shift only where that other model no longer states them: these are read."""
    recorded = healthy("anthropic-page")
    before = {price_key(o): o.value for o in recorded.valid if o.kind.value == "price"}
    [(url, body)] = bodies("anthropic-page").items()
    models = ("Claude Opus 4.1", "Claude Opus 4", "Claude Opus 3")
    edited = _repriced(body.decode(), models, "Claude Opus 4.5")
    found = read("anthropic-page", {url: edited.encode()}, before)
    assert not found.failure, found.failure
    assert not [p for p in found.problems if "shifted" in p.detail]
    cut = {o.model for o in found.valid if before[price_key(o)] != o.value}
    assert cut == {"claude-opus-4-1", "claude-opus-4", "claude-3-opus"}
