"""A tenfold move the route's official source states is an anomaly a reviewer can take.

Recorded data: OpenRouter's listing of 2026-05-20 prices xiaomi/mimo-v2.5's cache read at $0.08
per 1M tokens; its listing of 2026-08-19 at $0.0028 (a 28-fold cut, which genai-prices,
models.dev and Portkey state too). A move of a power of ten is raised as an anomaly (a slip, not
a price to take blindly), and approving an anomaly only acknowledges it: with nothing else, the
catalog kept $0.08, verified in May, while OpenRouter's own API said $0.0028 (fault round 50:
a wrong official value a reviewer approved could be corrected only by undoing the decision).
README: a reviewer takes the route's official source's value of such an anomaly by naming it
(`--use-source`, or the item page's choice), verified; a secondary's value never (its tenfold
move beside an official value is a slip).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from catalog import queries, store
from catalog.tables import catalog_values
from catalog.views import ReviewDetail
from review import decisions
from review.reviewers import add_reviewer
from schemas.records import ReviewKind
from tests.conftest import copy_catalog
from tests.observed import LITELLM, OPENROUTER_AUGUST, OPENROUTER_MAY, observe
from tests.runs import refresh
from webapp.app import source_choices

SECRET = "correct horse battery staple"


@pytest.fixture(scope="module")
def moved(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """OpenRouter's May listing loaded (accept-new), then its August one beside LiteLLM's map."""
    path = tmp_path_factory.mktemp("tenfold") / "catalog.db"
    engine = store.connect(f"sqlite:///{path}")
    refresh(engine, observe(*OPENROUTER_MAY), accept_new=True)
    refresh(engine, [*observe(*OPENROUTER_AUGUST), *observe(*LITELLM, known=("mimo-v2.5",))])
    add_reviewer(engine, "alice", SECRET)
    engine.dispose()
    return path


def cache_read_anomaly(db: str) -> ReviewDetail:
    with store.connect(db).connect() as conn:
        for row in queries.list_reviews(conn, status="open", kind="anomaly", route="openrouter"):
            item = queries.get_review(conn, row.id)
            if item is not None and item.model == "mimo-v2.5" and len(item.changes) == 1:
                return item
    raise AssertionError("no anomaly on openrouter/mimo-v2.5's cache read")


def in_force(db: str) -> tuple[str, str | None]:
    c = catalog_values.c
    with store.connect(db).connect() as conn:
        row = conn.execute(
            select(c.value, c.verified_by).where(
                c.route == "openrouter",
                c.model == "mimo-v2.5",
                c.component == "cache_read",
                c.valid_to.is_(None),
            )
        ).one()
    return row.value, row.verified_by


def test_the_official_sources_tenfold_move_is_taken_by_naming_it(
    moved: Path, tmp_path: Path
) -> None:
    db = copy_catalog(moved, tmp_path / "catalog.db")
    item = cache_read_anomaly(db)
    change = item.changes[0]
    assert (change.current, change.proposed) == ("0.08", "0.0028")
    said = {s.source: (s.official, s.value) for s in change.sources}
    assert said["openrouter"] == (True, "0.0028") and said["litellm"] == (False, "0.08")
    # the item page offers the official source's value only, verified
    assert source_choices(item) == [("openrouter", "0.0028", True)]

    with pytest.raises(decisions.DecisionError, match="official"):
        decisions.approve(store.connect(db), item.id, reviewer="alice", use_source="litellm")
    assert in_force(db) == ("0.08", "openrouter")

    decisions.approve(
        store.connect(db),
        item.id,
        reviewer="alice",
        use_source="openrouter",
        reason="OpenRouter cut the cache read price",
    )
    assert in_force(db) == ("0.0028", "openrouter")


def test_approving_the_anomaly_without_a_source_still_only_acknowledges_it(
    moved: Path, tmp_path: Path
) -> None:
    db = copy_catalog(moved, tmp_path / "catalog.db")
    item = cache_read_anomaly(db)
    assert item.kind == ReviewKind.ANOMALY.value
    decisions.approve(store.connect(db), item.id, reviewer="alice")
    assert in_force(db) == ("0.08", "openrouter")


def test_an_official_source_stating_two_values_of_the_field_offers_none(
    moved: Path, tmp_path: Path
) -> None:
    """A per-pixel anomaly cites the official source's per-pixel price beside its per-image
    one: which value is the field's is not said, so neither is offered nor taken."""
    db = copy_catalog(moved, tmp_path / "catalog.db")
    item = cache_read_anomaly(db)
    [change] = item.changes
    assert decisions.official_value(change, "openrouter") == "0.0028"
    official = next(s for s in change.sources if s.source == "openrouter")
    twice = change.model_copy(
        update={"sources": [*change.sources, official.model_copy(update={"value": "0.08"})]}
    )
    assert decisions.official_value(twice, "openrouter") is None
    assert decisions.official_value(change, "litellm") is None
    assert source_choices(item.model_copy(update={"changes": [twice]})) == []
