"""Approving a disagreement keeps the value in force, from the CLI and the web.

Recorded data: OpenRouter's August listing (official for the openrouter route) and LiteLLM's
map (secondary) loaded together with accept-new, so the openrouter values enter verified by
OpenRouter and every LiteLLM value that differs is an open `disagreement` item. Approving one
agrees that the verified value stands: nothing is written to the catalog. Only a reviewer who
explicitly chooses a source (`--use-source`, the form's `use_source`) puts that source's value in
force, unverified and naming the source.
"""

from __future__ import annotations

import json
import re
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from typer.testing import CliRunner

from catalog import queries, store
from catalog.tables import catalog_values, review_items
from catalog.views import ReviewDetail
from ratecard.cli import app as cli
from review import decisions, triage
from review.reviewers import add_reviewer
from tests.conftest import copy_catalog
from tests.observed import LITELLM, OPENROUTER_AUGUST
from tests.runs import loaded_once
from webapp import create_app

SECRET = "correct horse battery staple"


@pytest.fixture(scope="module")
def disagreeing(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """OpenRouter's and LiteLLM's recorded values loaded together (a copy of the run's one such
    catalog, tests.runs `loaded_once`; test_browser_disagreement's is the same) and alice."""
    loaded = loaded_once(tmp_path_factory, OPENROUTER_AUGUST, LITELLM)
    path = tmp_path_factory.mktemp("disagree") / "catalog.db"
    engine = store.connect(copy_catalog(loaded, path))
    add_reviewer(engine, "alice", SECRET)
    engine.dispose()
    return path


@pytest.fixture
def db(disagreeing: Path, tmp_path: Path) -> str:
    return copy_catalog(disagreeing, tmp_path / "catalog.db")


def values(db: str) -> list[tuple[Any, ...]]:
    with store.connect(db).connect() as conn:
        return [tuple(r) for r in conn.execute(select(catalog_values).order_by("id")).all()]


def disagreement(db: str, skip: int = 0) -> ReviewDetail:
    """An open disagreement on a value OpenRouter verified, where LiteLLM states another one."""
    with store.connect(db).connect() as conn:
        listed = queries.list_reviews(
            conn, status="open", kind="disagreement", route="openrouter", source="litellm"
        )
        items = [queries.get_review(conn, i.id) for i in listed]
    found = [
        i
        for i in items
        if i is not None
        and len(i.changes) == 1
        and i.changes[0].current is not None
        and any(s.source == "litellm" for s in i.changes[0].sources)
    ]
    assert len(found) > skip, "the recorded data holds LiteLLM/OpenRouter disagreements"
    return found[skip]


def in_force(db: str, item: ReviewDetail) -> Any:
    change = item.changes[0]
    c = catalog_values.c
    with store.connect(db).connect() as conn:
        return conn.execute(
            select(catalog_values).where(
                c.route == item.route,
                c.model == item.model,
                c.component == change.component,
                c.unit == change.unit,
                c.dimensions == queries.change_field(item, change).dims.key,
                c.valid_to.is_(None),
            )
        ).one()


def status(db: str, item_id: int) -> str:
    with store.connect(db).connect() as conn:
        item = queries.get_review(conn, item_id)
    assert item is not None
    return str(item.status)


def litellm_value(item: ReviewDetail) -> str:
    return next(s.value for s in item.changes[0].sources if s.source == "litellm")


def approve(db: str, *args: str) -> Any:
    return CliRunner().invoke(cli, ["review", "approve", *args, "--reviewer", "alice", "--db", db])


def test_cli_approving_a_disagreement_keeps_the_verified_value(db: str) -> None:
    item = disagreement(db)
    before = values(db)
    kept = in_force(db, item)
    assert kept.verified_by == "openrouter" and kept.value == item.changes[0].current
    assert litellm_value(item) != kept.value

    result = approve(db, str(item.id), "--reason", "OpenRouter's own API is right")

    assert result.exit_code == 0, result.output
    assert "0 values closed, 0 opened" in result.output
    assert status(db, item.id) == "approved"
    assert values(db) == before


def test_cli_bulk_approving_disagreements_writes_nothing(db: str) -> None:
    before = values(db)
    result = approve(db, "--kind", "disagreement", "--route", "openrouter", "--yes")
    assert result.exit_code == 0, result.output
    with store.connect(db).connect() as conn:
        left = queries.list_reviews(conn, status="open", kind="disagreement", route="openrouter")
    assert left == []
    assert values(db) == before


def disagreement_set(db: str) -> tuple[ReviewDetail, str]:
    """A disagreement and its change set (triaged here: this catalog was applied without the
    flow, which triages as it applies)."""
    item = disagreement(db)
    triage.assign_pending(store.connect(db))
    with store.connect(db).connect() as conn:
        set_id = conn.execute(
            select(review_items.c.set_id).where(review_items.c.id == item.id)
        ).scalar_one()
    return item, set_id


def test_a_disagreement_sets_preview_says_the_value_in_force_stands(db: str) -> None:
    """The dry run of a set prints what approving it changes: for disagreements nothing (the
    verified value stands), never the disagreeing source's value as if it were proposed."""
    item, set_id = disagreement_set(db)
    before = values(db)
    result = approve(db, "--set", set_id, "--dry-run")
    assert result.exit_code == 0, result.output
    assert f"#{item.id}\t" in result.output and "the value in force stands" in result.output
    assert "→" not in result.output and litellm_value(item) not in result.output
    assert values(db) == before


def test_cli_approving_with_a_chosen_source_takes_its_value(db: str) -> None:
    item = disagreement(db)
    was = in_force(db, item)

    result = approve(db, str(item.id), "--use-source", "litellm")

    assert result.exit_code == 0, result.output
    now = in_force(db, item)
    assert now.value == litellm_value(item)
    assert now.verified_by is None and now.verified_at is None  # a secondary verifies nothing
    assert now.accepted_source == "litellm" and now.accepted_by == f"review:{item.id}"
    with store.connect(db).connect() as conn:
        closed = conn.execute(select(catalog_values).where(catalog_values.c.id == was.id)).one()
    assert closed.valid_to is not None


def test_cli_dry_run_of_one_item_decides_nothing_and_shows_the_values(db: str) -> None:
    """`approve ID --dry-run` rehearses the decision and rolls it back: it names the value it
    would close and the one it would open, and the item stays open, the catalog unchanged."""
    item = disagreement(db)
    before = values(db)
    kept = in_force(db, item)
    result = approve(db, str(item.id), "--use-source", "litellm", "--dry-run")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert (
        lines[0]
        == f"dry run, nothing decided: #{item.id} would be approved (1 value closed, 1 opened)"
    )
    assert lines[1].startswith("  would close ") and f": {kept.value} " in lines[1]
    assert lines[2].startswith("  would open ") and f": {litellm_value(item)} " in lines[2]
    as_json = approve(db, str(item.id), "--use-source", "litellm", "--dry-run", "--json")
    [rehearsed] = json.loads(as_json.stdout)
    [closing], [opening] = rehearsed["closed"], rehearsed["opened"]
    assert closing["id"] == kept.id and "id" not in opening  # the real decision numbers it
    assert isinstance(closing["dimensions"], dict) and isinstance(opening["dimensions"], dict)
    assert opening["value"] == litellm_value(item) and rehearsed["dry_run"] is True
    rejected = CliRunner().invoke(
        cli,
        [
            "review",
            "reject",
            str(item.id),
            "--reason",
            "x",
            "--dry-run",
            "--reviewer",
            "alice",
            "--db",
            db,
        ],
    )
    assert rejected.exit_code == 0 and "would be rejected" in rejected.output
    assert status(db, item.id) == "open" and values(db) == before


def test_cli_bulk_dry_run_as_json_is_the_matching_items(db: str) -> None:
    item = disagreement(db)
    result = approve(db, "--kind", "disagreement", "--dry-run", "--json")
    listed = json.loads(result.stdout)
    # an item the decision would refuse (a field with no value to keep) is named, and the dry
    # run's exit says the decision would not be made
    refused = [i["id"] for i in listed if i["refused"]]
    assert result.exit_code == (1 if refused else 0), result.output
    assert item.id not in refused
    assert item.id in [i["id"] for i in listed] and {i["kind"] for i in listed} == {"disagreement"}
    assert status(db, item.id) == "open"
    unfiltered = approve(db, "--yes")
    assert unfiltered.exit_code == 2 and "'ID': give an item id, or a filter" in unfiltered.output


def test_cli_bulk_question_with_json_is_asked_on_standard_error(db: str) -> None:
    """Asked before a bulk decision with --json (no --yes), the question goes to standard error:
    standard output holds only the JSON of the decisions made (not the prompt's last space, nor
    the answer echoed after it); an answer other than yes or no is asked again."""
    item = disagreement(db)
    reject = [
        *("review", "reject", "--kind", "disagreement", "--json"),
        *("--reason", "x", "--reviewer", "alice", "--db", db),
    ]
    declined = CliRunner().invoke(cli, reject, input="maybe\nn\n")
    assert declined.exit_code == 1 and declined.stdout == ""
    assert declined.stderr.count("reject all") == 2 and "Error: invalid input" in declined.stderr
    assert status(db, item.id) == "open"
    result = CliRunner().invoke(cli, reject, input="y\n")
    assert result.exit_code == 0, result.output
    assert "reject all" in result.stderr
    assert result.stdout.startswith("[")
    assert item.id in [d["item_id"] for d in json.loads(result.stdout)]
    assert status(db, item.id) == "rejected"


def test_repeating_an_approval_with_another_choice_is_refused(db: str) -> None:
    """The same approval again changes nothing (exit 0, a double submit); asking again with
    another choice (the value in force kept, or another source) is refused, exit 1, nothing
    written: the approval must be undone first."""
    item = disagreement(db)
    assert approve(db, str(item.id), "--use-source", "litellm").exit_code == 0
    taken = values(db)
    again = approve(db, str(item.id), "--use-source", "litellm")
    assert again.exit_code == 0 and "already approved, unchanged" in again.output
    kept = approve(db, str(item.id))
    assert kept.exit_code == 1
    assert "approved with litellm's value; to take the value in force kept" in kept.output
    assert values(db) == taken


def test_the_chosen_source_is_the_accepted_one_among_sources_stating_the_same_value(
    db: str,
) -> None:
    """Where two secondaries state the chosen value, the value is accepted from the source the
    reviewer named, not from whichever stated it last. (A second stater made from LiteLLM's
    real statement, one day later: without a choice the latest is taken.)"""
    item = disagreement(db)
    litellm = next(s for s in item.changes[0].sources if s.source == "litellm")
    later = litellm.model_copy(
        update={"source": "modelsdev", "observed_at": litellm.observed_at + timedelta(days=1)}
    )
    stated = decisions._stated_by(
        item.changes[0].model_copy(update={"sources": [*item.changes[0].sources, later]}),
        Decimal(litellm.value),
    )
    assert [s.source for s in stated] == ["modelsdev", "litellm"]
    row = SimpleNamespace(id=item.id, run_id=None, kind=item.kind)
    when = litellm.observed_at
    chosen = decisions._provenance(row, Decimal(litellm.value), when, stated, "litellm")  # type: ignore[arg-type]
    unchosen = decisions._provenance(row, Decimal(litellm.value), when, stated)  # type: ignore[arg-type]
    assert chosen["accepted_source"] == "litellm" and chosen["verified_by"] is None
    assert unchosen["accepted_source"] == "modelsdev"
    # and the value holds from the date the chosen source stated it, not the latest stater's
    assert decisions._accepted(stated, "litellm") is stated[1]
    assert decisions._accepted(stated, None) is stated[0]


@pytest.mark.parametrize(
    ("extra", "says"),
    [
        (["--use-source", "vercel"], "'vercel' states no value"),
        (["--kind", "disagreement", "--use-source", "litellm"], "give an item id or a filter"),
    ],
)
def test_cli_a_source_that_states_no_value_is_refused(db: str, extra: list[str], says: str) -> None:
    item = disagreement(db)
    before = values(db)
    result = approve(db, str(item.id), *extra)
    assert result.exit_code != 0
    assert says in result.output and "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert status(db, item.id) == "open" and values(db) == before


def csrf(client: TestClient, path: str) -> str:
    match = re.search(r'name="csrf" value="([^"]+)"', client.get(path).text)
    assert match, f"no CSRF token on {path}"
    return match[1]


def signed_in(db: str) -> TestClient:
    client = TestClient(create_app(db, secret_key="test-only-secret"))
    response = client.post(
        "/login",
        data={"name": "alice", "secret": SECRET, "csrf": csrf(client, "/login"), "next": "/queue"},
        follow_redirects=False,
    )
    assert response.status_code == 303
    return client


def test_web_approving_a_disagreement_keeps_the_verified_value(db: str) -> None:
    item = disagreement(db)
    before = values(db)
    client = signed_in(db)
    response = client.post(
        f"/items/{item.id}/approve",
        data={"csrf": csrf(client, f"/items/{item.id}"), "reason": "OpenRouter is right"},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    assert status(db, item.id) == "approved"
    assert values(db) == before


def test_web_approving_with_a_chosen_source_takes_its_value(db: str) -> None:
    item = disagreement(db)
    client = signed_in(db)
    token = csrf(client, f"/items/{item.id}")
    refused = client.post(f"/items/{item.id}/approve", data={"csrf": token, "use_source": "vercel"})
    assert refused.status_code == 409 and "states no value" in refused.text
    assert status(db, item.id) == "open"
    response = client.post(
        f"/items/{item.id}/approve",
        data={"csrf": token, "use_source": "litellm"},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    now = in_force(db, item)
    assert now.value == litellm_value(item) and now.verified_by is None


def use_source_options(page: str) -> list[tuple[str, bool, str]]:
    """The item page's use_source choices as (value, selected, label), in page order."""
    select = re.search(r'<select name="use_source"[^>]*>(.*?)</select>', page, re.S)
    if select is None:
        return []
    return [
        (value, bool(selected), label.strip())
        for value, selected, label in re.findall(
            r'<option value="([^"]*)"( selected)?>(.*?)</option>', select[1], re.S
        )
    ]


def test_web_item_page_offers_the_disagreeing_sources_for_a_disagreement_only(db: str) -> None:
    """The item page of a disagreement names each source that states a value as a choice,
    defaulting to keeping the value in force; an item of another kind offers no choice."""
    item = disagreement(db)
    client = signed_in(db)
    options = use_source_options(client.get(f"/items/{item.id}").text)
    assert options, "a disagreement's page offers use_source"
    assert options[0][:2] == ("", True) and "value in force" in options[0][2]
    stating = {s.source for s in item.changes[0].sources if s.value}
    assert {value for value, _, _ in options[1:]} == stating and "litellm" in stating
    assert not any(selected for _, selected, _ in options[1:])
    litellm = next(label for value, _, label in options if value == "litellm")
    assert "unverified" in litellm and litellm_value(item) in litellm
    with store.connect(db).connect() as conn:
        other = queries.list_reviews(conn, status="open", kind="unmapped")[0]
    page = client.get(f"/items/{other.id}").text
    assert 'id="approve"' in page and use_source_options(page) == []
    assert 'name="use_source"' not in page


@pytest.mark.parametrize("choice", ["", "litellm"])
def test_web_item_form_as_rendered_decides_with_its_chosen_source(db: str, choice: str) -> None:
    """The approve form as the page renders it, sent with one of its choices: the default keeps
    the value in force; choosing LiteLLM puts LiteLLM's value in force, unverified."""
    item = disagreement(db)
    before = in_force(db, item)
    client = signed_in(db)
    page = client.get(f"/items/{item.id}").text
    form = re.search(r'<form method="post" action="(/items/\d+/approve)".*?</form>', page, re.S)
    assert form is not None
    fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', form[0]))
    assert choice in {value for value, _, _ in use_source_options(form[0])}
    response = client.post(form[1], data={**fields, "use_source": choice}, follow_redirects=False)
    assert response.status_code == 303, response.text
    assert status(db, item.id) == "approved"
    now = in_force(db, item)
    if choice:
        assert now.value == litellm_value(item) and now.verified_by is None
        assert now.accepted_source == "litellm" and now.id != before.id
    else:
        assert now == before


def test_web_set_preview_of_disagreements_says_the_catalog_is_unchanged(db: str) -> None:
    """The preview of a set of disagreements agrees with its rows: approving changes no
    catalog field, never 'changes exactly these N catalog fields'."""
    _, set_id = disagreement_set(db)
    client = signed_in(db)
    path = f"/sets/{set_id}"
    response = client.post(
        f"{path}/preview", data={"csrf": csrf(client, path), "verdict": "approve"}
    )
    assert response.status_code == 200, response.text
    rows = response.text.count("the value in force stands; the catalog is unchanged")
    assert rows >= 2, "the set previews several disagreements"
    summary = re.search(r"<p[^>]*>(Approving.*?)</p>", response.text, re.S)
    assert summary is not None
    assert "changes no catalog field" in summary[1] and "go to history" not in summary[1]
