"""Who agrees is who agrees now: a source whose latest statement of a field differs from the value
in force is listed as disagreeing, not also as corroborating from its earlier agreement (fault
round 28: Portkey's older deepseek.json listed it both ways on deepseek-v4-flash's cache read)."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

from catalog import queries, store
from catalog.identity import Identity
from catalog.normalize import learn_official_models, observations
from catalog.views import FieldView
from schemas.records import Observation
from tests.observed import world_drafts
from tests.runs import refresh


def recorded() -> list[Observation]:
    """epoch-2's OpenRouter and Portkey observations, read as a refresh reads them."""
    drafts = [world_drafts("openrouter"), world_drafts("portkey")]
    identity = Identity.load()
    learn_official_models(identity, drafts)
    return [o for d in drafts for o in observations(d, identity) if o.model]


def test_a_source_whose_latest_statement_differs_no_longer_corroborates(tmp_path: Path) -> None:
    day_one = recorded()
    official = {(o.route, o.model, o.measure): o.value for o in day_one if o.source == "openrouter"}
    agreeing = next(
        o
        for o in day_one
        if o.source == "portkey"
        and o.value > 0
        and official.get((o.route, o.model, o.measure)) == o.value
    )
    engine = store.connect(f"sqlite:///{tmp_path / 'catalog.db'}")
    refresh(engine, day_one, accept_new=True)

    def field() -> FieldView:
        assert agreeing.model is not None
        with engine.connect() as conn:
            view = queries.model_view(conn, agreeing.route, agreeing.model)
        return next(f for f in view.fields if f.measure == agreeing.measure)

    assert "portkey" in {s.source for s in field().corroborated_by}
    # the next day Portkey states ten times the price; every other statement is as before
    later = timedelta(days=1)
    day_two = [
        replace(
            o, observed_at=o.observed_at + later, value=o.value * 10 if o is agreeing else o.value
        )
        for o in day_one
    ]
    refresh(engine, day_two)
    now = field()
    assert now.value == agreeing.value  # the official value stands
    assert [(s.source, Decimal(s.value)) for s in now.disagreeing] == [
        ("portkey", agreeing.value * 10)
    ]
    assert "portkey" not in {s.source for s in now.corroborated_by}
