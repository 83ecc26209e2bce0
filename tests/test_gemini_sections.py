"""A Gemini pricing page section read as its model's only where its heading and ids agree, and a
cell's prices for prompt sizes read only in their order.

A fault probe (h57) edited the recorded epoch-2 page:
- the id lines of "Gemini 2.5 Flash" and "Gemini 2.5 Flash-Lite" exchanged: the Flash-Lite
  heading over `gemini-2.5-flash` was refused, but the Flash heading over
  `gemini-2.5-flash-lite` was read, proposing 18 changes (input 0.1 -> 0.3) and entering Flash's
  prices for Flash-Lite, verified, on a first load;
- 2.5 Pro's Standard input cell written with its tiers inverted ("$2.50, prompts <= 200k
  tokens $1.25, prompts > 200k tokens"): the tier was set aside, and the base price, the long
  prompts' one, proposed as a +100 % change and entered verified on a first load.

Each body is the recorded one edited here, read as a refresh reads it (parse, normalize,
validate).
"""

from __future__ import annotations

from decimal import Decimal

from catalog.health import price_key
from tests.test_fault_kinds import Read, bodies, healthy, read

SOURCE = "gemini-page"
FLASH, LITE = "*`gemini-2.5-flash`*", "*`gemini-2.5-flash-lite`*"
PRO_INPUT = r"$1.25, prompts \<= 200k tokens $2.50, prompts \> 200k tokens"


def _edited(edit: dict[str, str]) -> Read:
    """The recorded page with each text of `edit` replaced by its value once (each text
    occurring in it), read."""
    [(url, body)] = bodies(SOURCE).items()
    text = body.decode()
    for number, old in enumerate(edit):
        assert old in text
        text = text.replace(old, f"\0{number}\0", 1)
    for number, new in enumerate(edit.values()):
        text = text.replace(f"\0{number}\0", new)
    return read(SOURCE, {url: text.encode()})


def _prices(found: Read, model: str) -> dict[tuple[str, str], Decimal]:
    return {
        (o.component.value, o.dimensions.key): o.value
        for o in found.valid
        if o.model == model and o.kind.value == "price"
    }


def test_an_id_line_a_closer_heading_names_is_another_models() -> None:
    recorded = healthy(SOURCE)
    assert _prices(recorded, "gemini-2.5-flash-lite")[("input", "")] == Decimal("0.1")
    found = _edited({FLASH: LITE, LITE: FLASH})
    assert not found.failure, found.failure
    assert not _prices(found, "gemini-2.5-flash-lite")
    assert not _prices(found, "gemini-2.5-flash")
    refused = {p.detail.split(": another model's")[0] for p in found.problems}
    assert (
        "its ids gemini-2.5-flash-lite are named whole by the heading 'Gemini 2.5 Flash-Lite', "
        "more closely than by their own, 'Gemini 2.5 Flash'"
    ) in refused
    # the other sections are read as recorded
    assert _prices(found, "gemini-2.5-pro") == _prices(recorded, "gemini-2.5-pro")


def test_a_cell_with_its_prompt_size_tiers_inverted_is_read_as_nothing() -> None:
    recorded = _prices(healthy(SOURCE), "gemini-2.5-pro")
    assert recorded[("input", "")] == Decimal("1.25")
    inverted = PRO_INPUT.replace("$1.25", "$X").replace("$2.50", "$1.25").replace("$X", "$2.50")
    found = _edited({PRO_INPUT: inverted})
    assert not found.failure, found.failure
    prices = _prices(found, "gemini-2.5-pro")
    row = {("input", ""), ("input", "context_above=200000")}
    assert row <= recorded.keys()
    [problem] = [p for p in found.problems if p.rule == "context tiers inverted"]
    assert "its input price above 200000 tokens, 1.25, is below the one for shorter prompts, " in (
        problem.detail
    )
    # the row alone: the model's other prices are read as recorded
    assert prices == {key: value for key, value in recorded.items() if key not in row}


PRO = "## Gemini 2.5 Pro\n"
PRO_ROWS = (
    "| Input price                              |",
    "| Output price (including thinking tokens) |",
)


def _section_edited(swap: tuple[str, str], first_load: bool = False) -> Read:
    """The recorded page with the two texts of `swap` exchanged within 2.5 Pro's section alone,
    read the day after the recorded page was (its prices then are the source's last statement),
    or with nothing known before (`first_load`)."""
    recorded = healthy(SOURCE)
    before = {price_key(o): o.value for o in recorded.valid if o.kind.value == "price"}
    if first_load:
        before = {}
    [(url, body)] = bodies(SOURCE).items()
    text = body.decode()
    start = text.index(PRO)
    end = text.index("\n## ", start + len(PRO))
    first, second = swap
    section = text[start:end].replace(first, "\0").replace(second, first).replace("\0", second)
    return read(SOURCE, {url: (text[:start] + section + text[end:]).encode()}, before)


def test_two_labels_of_one_models_section_exchanged_are_set_aside() -> None:
    """A fault probe (h57): within 2.5 Pro's section alone, its "Standard" and "Batch" headings
    exchanged, or its "Input price" and "Output price" rows: one model is too few for the rules
    of blocks, and the next day eight changes were proposed (input 1.25 -> 0.625 beside batch
    0.625 -> 1.25). Two prices each at what the source last stated of the other are set aside
    as exchanged, and the model's other prices are read."""
    recorded = _prices(healthy(SOURCE), "gemini-2.5-pro")
    for swap in (("### Standard", "### Batch"), PRO_ROWS):
        found = _section_edited(swap)
        assert not found.failure, found.failure
        exchanged = {
            (p.observation.component.value, p.observation.dimensions.key)
            for p in found.problems
            if p.rule == "at another field's price" and p.observation is not None
        }
        assert len(exchanged) >= 4, swap
        prices = _prices(found, "gemini-2.5-pro")
        assert not exchanged & prices.keys()
        # what is read is what the source stated the day before
        assert all(recorded[key] == value for key, value in prices.items())
        assert len(prices) + len(exchanged) == len(recorded)


def test_a_models_standard_and_batch_headings_exchanged_enter_nothing_on_a_first_load() -> None:
    """The same Standard/Batch exchange read with nothing known before (a first load, the page
    alone): 2.5 Pro's batch input and output above its standard ones, which no provider sells,
    are set aside with them rather than entered exchanged."""
    recorded = _prices(healthy(SOURCE), "gemini-2.5-pro")
    found = _section_edited(("### Standard", "### Batch"), first_load=True)
    assert not found.failure, found.failure
    prices = _prices(found, "gemini-2.5-pro")
    assert all(recorded[key] == value for key, value in prices.items() if key[0] != "cache_read")
    for component in ("input", "output"):
        assert (component, "") not in prices
        assert (component, "service_tier=batch") not in prices
