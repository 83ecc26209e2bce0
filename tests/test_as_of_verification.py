"""A value's verification as of a past day is what the catalog knew that day, on catalogs made by
real refreshes: Azure's recorded epoch-1 (its API answered 2026-07-14) loaded, then epoch-2
(2026-08-14), with LiteLLM's map (2026-03-03, then 2026-07-18). Stamps are intervals (first and
last confirmation); as of 2026-07-16 a value Azure confirmed on both days was verified on
2026-07-14, not unverified (its interval's last date is after the day) and not verified
2026-08-14 (a date after the day); LiteLLM's confirmation of it then is dated 2026-03-03."""

from __future__ import annotations

import json
from datetime import date

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from catalog import queries, reader, store
from ratecard.cli import app as cli
from tests.conftest import copy_catalog, replayed_catalog
from webapp import create_app

pytestmark = pytest.mark.integration

SOURCES = ["azure", "litellm"]
# inside both sources' intervals: Azure 07-14..08-14, LiteLLM 03-03..07-18
BETWEEN = date(2026, 7, 16)
AZURE_EPOCH_1 = "2026-07-14"


@pytest.fixture(scope="module")
def catalogs(prefect_api: None, tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str]:
    """(the catalog after epoch-1, the same catalog after epoch-2 too), as URLs: copies of the
    run's one catalog of each (conftest's `replayed_catalog`; test_partial_source_held's and
    test_browser's Azure catalogs start from the same refreshes)."""
    folder = tmp_path_factory.mktemp("as-of")
    epoch1 = [("epoch-1", SOURCES, True)]
    first = copy_catalog(replayed_catalog(tmp_path_factory, epoch1), folder / "epoch-1.db")
    both = replayed_catalog(tmp_path_factory, [*epoch1, ("epoch-2", SOURCES, False)])
    return first, copy_catalog(both, folder / "both.db")


def published(url: str, day: date | None) -> dict[int, reader.PublishedValue]:
    with store.connect(url).connect() as conn:
        return {p.value.id: p for p in reader.published_values(conn, reader.as_of(day))}


def names(value: reader.PublishedValue) -> set[str]:
    return {s.source for s in value.stated_by}


def test_what_was_verified_then_is_verified_as_of_then(catalogs: tuple[str, str]) -> None:
    first, both = catalogs
    then = published(first, None)  # the catalog as epoch-1 left it
    as_of = published(both, BETWEEN)  # the later catalog read as of the day between
    verified_then = {i: p for i, p in then.items() if p.verified_by == "azure"}
    assert len(verified_then) > 100
    still = {i: p for i, p in verified_then.items() if i in as_of}
    assert len(still) == len(verified_then)  # epoch-2 closed none of them before the day
    for value_id, p in still.items():
        again = as_of[value_id]
        assert (again.verified_by, again.verified_at) == (p.verified_by, p.verified_at)
        assert again.verified_at is not None and again.verified_at.date().isoformat() == (
            AZURE_EPOCH_1
        )
    # read now, the values Azure confirmed again in epoch-2 are verified on that later date
    now = published(both, None)
    again_dates = [now[i].verified_at for i in still if now[i].verified_by == "azure"]
    assert sum(1 for at in again_dates if at and at.date().isoformat() == "2026-08-14") > 100


def test_nothing_is_dated_after_the_day_it_is_read_as_of(catalogs: tuple[str, str]) -> None:
    first, both = catalogs
    moment = reader.as_of(BETWEEN)
    values = published(both, BETWEEN)
    assert values
    for p in values.values():
        assert p.verified_at is None or p.verified_at <= moment
        assert all(s.observed_at <= moment for s in p.stated_by)
    # LiteLLM's epoch-2 map (2026-07-18) is after the day: its statements then are epoch-1's
    litellm = {
        s.observed_at.date().isoformat()
        for p in values.values()
        for s in p.stated_by
        if s.source == "litellm"
    }
    assert litellm == {"2026-03-03"}
    # and every value LiteLLM had stated by epoch-1 still names it as of the day
    cited = {i for i, p in published(first, None).items() if "litellm" in names(p)}
    assert len(cited) > 1000
    assert {i for i in cited if i in values and "litellm" in names(values[i])} == cited & set(
        values
    )


def test_show_and_the_model_page_date_verification_as_of_the_day(
    catalogs: tuple[str, str],
) -> None:
    _, both = catalogs
    shown = CliRunner().invoke(
        cli, ["show", "azure/gpt-image-1-mini", "--at", BETWEEN.isoformat(), "--db", both, "--json"]
    )
    assert shown.exit_code == 0, shown.output
    fields = json.loads(shown.output)["fields"]
    verified = [f for f in fields if f["verified_by"] == "azure"]
    assert verified and {f["verified_at"][:10] for f in verified} == {AZURE_EPOCH_1}
    for f in fields:
        assert all(c["observed_at"][:10] <= BETWEEN.isoformat() for c in f["corroborated_by"])
    with store.connect(both).connect() as conn:
        view = queries.model_view(conn, "azure", "gpt-image-1-mini")
        as_of = queries.model_view_as_of(conn, view, reader.as_of(BETWEEN))
    assert json.loads(json.dumps(as_of.as_json())) == json.loads(shown.output)
    page = TestClient(create_app(both, secret_key="test-only-secret")).get(
        f"/models/azure/gpt-image-1-mini?at={BETWEEN.isoformat()}"
    )
    assert page.status_code == 200
    fields_table = page.text.split('<table class="fields">')[1].split("</table>")[0]
    assert f"azure {AZURE_EPOCH_1}" in fields_table and "2026-08-14" not in fields_table


def test_show_at_lists_the_disagreements_of_the_day(catalogs: tuple[str, str]) -> None:
    """A fault round (h54): `show --at` listed beside a day's values the sources disagreeing
    with them now. As of the day between the epochs, each value's disagreeing sources are those
    the catalog after epoch-1 lists (the sources' latest statements then: Azure's of 07-14,
    LiteLLM's March map), not those after epoch-2, each dated by the day."""
    first, both = catalogs
    moment = reader.as_of(BETWEEN)
    differed = 0
    with store.connect(first).connect() as then, store.connect(both).connect() as later:
        models = [
            (e.route, e.model)
            for e in queries.catalog_index(then)
            if e.route == "azure" or e.model.startswith("gpt-4o")
        ]
        for route, model in models:
            now = queries.model_view(later, route, model)
            as_of = {f.id: f for f in queries.model_view_as_of(later, now, moment).fields}
            expected = {f.id: f for f in queries.model_view(then, route, model).fields}
            current = {f.id: f for f in now.fields}
            for value_id, f in as_of.items():
                if value_id not in expected:
                    continue
                said = [(s.source, s.value) for s in f.disagreeing]
                assert said == [(s.source, s.value) for s in expected[value_id].disagreeing]
                assert all(
                    s.observed_at and s.observed_at[:10] <= str(BETWEEN) for s in f.disagreeing
                )
                if value_id in current and said != [
                    (s.source, s.value) for s in current[value_id].disagreeing
                ]:
                    differed += 1
    assert differed > 0  # the day's disagreements are not today's
