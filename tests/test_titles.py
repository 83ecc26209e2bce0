"""Review item titles say what the sources state (issue 9: no `None → None` titles)."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from catalog.compare import Context, Current, compare
from schemas.sources import is_official
from schemas.vocab import Component
from tests.observed import LITELLM, MODELSDEV, observe

# under review, on 2026-08-21, with no complete listing
REVIEW = Context(
    run_id=1,
    now=datetime(2026, 8, 21, tzinfo=UTC),
    accept_new=False,
    official=is_official,
    complete_sources=frozenset(),
)


def test_disagreement_without_catalog_value_names_each_source_value() -> None:
    """LiteLLM and models.dev, recorded, on an empty catalog with no official source: every
    disagreement's title names the sources and their values instead of `None → None`."""
    found = observe(*LITELLM) + observe(*MODELSDEV)
    ctx = REVIEW
    items = [i for i in compare(found, {}, {}, [], ctx).items if i.kind.value == "disagreement"]
    assert len(items) > 10
    assert not [i.title for i in items if "None" in i.title]
    one = re.compile(
        r"^disagreement: \S+ .+: [\w.-]+(, [\w.-]+)* [\d.]+( vs [\w.-]+(, [\w.-]+)* [\d.]+)+ \w+$"
    )
    assert all(one.match(i.title) for i in items if len(i.changes) == 1), [
        i.title for i in items if len(i.changes) == 1 and not one.match(i.title)
    ][:3]
    for item in items:
        if len(item.changes) == 1:
            for source in item.changes[0].sources:
                assert f"{source.source}" in item.title and source.value in item.title


def test_no_title_writes_a_missing_value_as_none() -> None:
    """LiteLLM, recorded, under review against a catalog holding every field it states but its
    cache reads: each item proposing one such field says "none" for the value in force it
    lacks, never Python's None."""
    found = [o for o in observe(*LITELLM) if o.model]
    catalog = {
        o.field_id(): Current(i, o.value)
        for i, o in enumerate(found)
        if o.component is not Component.CACHE_READ
    }
    ctx = REVIEW
    items = compare(found, catalog, {}, [], ctx).items
    single = [i.title for i in items if len(i.changes) == 1 and i.changes[0].current is None]
    assert single and all(": none → " in title for title in single), single[:3]
    assert not [i.title for i in items if "None" in i.title.replace(i.model, "")]
