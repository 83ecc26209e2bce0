"""A decision on many items says, before it is made, which items it would refuse, and a refused
one names every item refused, not only the first.

Recorded data: LiteLLM's map and models.dev's api.json (both secondary) loaded together with
accept-new, so where they state different values for a field the catalog holds no value and the
item is a `disagreement` on an empty field. Approving one without choosing a source is refused
("holds no value to keep"): a set's preview (`review approve --set ID --dry-run`, the web's
Preview) said "the value in force stands; the catalog is unchanged" for each of them, exit 0,
and the decision that followed was refused naming one item; a bulk `--dry-run` listed the items
without a word, and at volume a reviewer found the refused items one decision at a time.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from typer.testing import CliRunner

from catalog import queries, store
from catalog.tables import catalog_values, review_items
from ratecard.cli import app as cli
from ratecard.output import plural
from review import decisions, triage
from review.reviewers import add_reviewer
from tests.conftest import copy_catalog
from tests.observed import LITELLM, MODELSDEV
from tests.runs import loaded_once
from webapp import create_app

SECRET = "correct horse battery staple"
NO_VALUE = "holds no value to keep"


@pytest.fixture(scope="module")
def secondaries(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """LiteLLM's and models.dev's recorded values loaded together (a copy of the run's one such
    catalog, tests.runs `loaded_once`; test_chosen_stands starts from the same), triaged."""
    loaded = loaded_once(tmp_path_factory, LITELLM, MODELSDEV)
    path = tmp_path_factory.mktemp("refusals") / "catalog.db"
    engine = store.connect(copy_catalog(loaded, path))
    triage.assign_pending(engine)
    add_reviewer(engine, "alice", SECRET)
    engine.dispose()
    return path


@pytest.fixture
def db(secondaries: Path, tmp_path: Path) -> str:
    return copy_catalog(secondaries, tmp_path / "catalog.db")


def empty_field_set(db: str) -> tuple[str, list[int]]:
    """A change set of disagreements on fields that hold no value, with its open item ids."""
    with store.connect(db).connect() as conn:
        rows = conn.execute(
            select(review_items.c.set_id, review_items.c.id)
            .where(review_items.c.kind == "disagreement", review_items.c.status == "open")
            .order_by(review_items.c.id)
        ).all()
        by_set: dict[str, list[int]] = {}
        for set_id, item_id in rows:
            by_set.setdefault(set_id, []).append(item_id)
        for set_id, ids in sorted(by_set.items(), key=lambda s: -len(s[1])):
            details = [queries.get_review(conn, i) for i in ids]
            if len(ids) > 1 and all(
                d is not None and all(c.current is None for c in d.changes) for d in details
            ):
                return set_id, ids
    raise AssertionError("the recorded maps disagree on fields the catalog holds no value for")


def state(db: str) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """The catalog's values and every item's status: what a refused decision leaves alone."""
    with store.connect(db).connect() as conn:
        values = [tuple(r) for r in conn.execute(select(catalog_values).order_by("id"))]
        items = [
            tuple(r)
            for r in conn.execute(select(review_items.c.id, review_items.c.status).order_by("id"))
        ]
    return values, items


def approve(db: str, *args: str) -> Any:
    return CliRunner().invoke(
        cli, ["review", "approve", *args, "--reviewer", "alice", "--db", db], prog_name="ratecard"
    )


def test_a_sets_dry_run_marks_each_item_its_approval_would_refuse(db: str) -> None:
    set_id, ids = empty_field_set(db)
    before = state(db)
    result = approve(db, "--set", set_id, "--dry-run")
    assert result.exit_code == 1, result.output  # the decision would not be made
    rows = result.stdout.splitlines()[:-1]
    assert len(rows) == len(ids) and "the value in force stands" not in result.stdout
    for item_id, row in zip(ids, rows, strict=True):
        assert row.startswith(f"#{item_id}\t") and f"refused: review item {item_id}: " in row
        assert NO_VALUE in row
    [refusal] = result.stderr.strip().splitlines()
    assert refusal.startswith(f"ratecard review approve: refused: review item {ids[0]}: ")
    assert f"nothing was decided: {len(ids)} of {len(ids)} items refused (#{ids[0]}" in refusal
    as_json = approve(db, "--set", set_id, "--dry-run", "--json")
    assert as_json.exit_code == 1
    assert all(NO_VALUE in row["refused"] for row in json.loads(as_json.stdout))
    decided = approve(db, "--set", set_id, "--yes")
    assert decided.exit_code == 1 and decided.stderr == result.stderr  # said before deciding
    assert state(db) == before


def test_a_bulk_decision_names_every_item_it_refuses(db: str) -> None:
    _, ids = empty_field_set(db)
    before = state(db)
    with store.connect(db).connect() as conn:
        route = conn.execute(
            select(review_items.c.route).where(review_items.c.id == ids[0])
        ).scalar_one()
        matching = queries.list_reviews(conn, status="open", route=route)
    assert any(i.kind.value != "disagreement" for i in matching) or len(matching) > len(ids)
    dry = approve(db, "--route", route, "--dry-run", "--json")
    assert dry.exit_code == 1
    listed = json.loads(dry.stdout)
    refused = [row["id"] for row in listed if row["refused"]]
    assert set(ids) <= set(refused) and len(listed) == len(matching)
    assert all(NO_VALUE in row["refused"] for row in listed if row["refused"])
    decided = approve(db, "--route", route, "--yes")
    assert decided.exit_code == 1
    assert f"{len(refused)} of {len(matching)} items refused (#{min(refused)}" in decided.stderr
    assert state(db) == before
    with pytest.raises(decisions.DecisionError) as caught:
        decisions.decide_items(store.connect(db), decisions.Verdict.APPROVE, ids, reviewer="alice")
    shown = ", ".join(f"#{i}" for i in ids[:10]) + (", …" if len(ids) > 10 else "")
    assert str(caught.value).endswith(f"{len(ids)} of {len(ids)} items refused ({shown})")
    assert state(db) == before


def test_the_webs_set_preview_says_which_items_would_be_refused(db: str) -> None:
    set_id, ids = empty_field_set(db)
    client = TestClient(create_app(db, secret_key="test-only-secret"))

    def csrf(path: str) -> str:
        match = re.search(r'name="csrf" value="([^"]+)"', client.get(path).text)
        assert match, f"no CSRF token on {path}"
        return match[1]

    signed = client.post(
        "/login",
        data={"name": "alice", "secret": SECRET, "csrf": csrf("/login"), "next": "/queue"},
        follow_redirects=False,
    )
    assert signed.status_code == 303
    page = f"/sets/{set_id}"
    preview = client.post(
        f"{page}/preview", data={"csrf": csrf(page), "verdict": "approve", "item": ids}
    )
    assert preview.status_code == 200
    text = preview.text
    assert f"refused for {len(ids)} of these {len(ids)} items" in text
    assert text.count(NO_VALUE) == len(ids) + 1  # each row, and the line above the table
    assert "the value in force stands" not in text


def test_review_show_says_a_disagreement_on_an_empty_field_proposes_nothing(db: str) -> None:
    """`review show` printed 'input: none → none', as if a value 'none' were proposed; the web's
    item page says '—' and '(no value proposed)'."""
    _, ids = empty_field_set(db)
    shown = CliRunner().invoke(cli, ["review", "show", str(ids[0]), "--db", db])
    assert shown.exit_code == 0, shown.output
    assert "→ none" not in shown.output
    assert re.search(r"^\w+.*: no value in force, no value proposed$", shown.output, re.M)


def test_skip_refused_decides_the_others_and_leaves_the_refused_open(db: str) -> None:
    """`--skip-refused`: a bulk decision whose items would be refused in part decides the
    others and leaves the refused ones open, naming them; without it the refusal says what the
    option would decide. A set every item of which would be refused is refused all the same."""
    _, ids = empty_field_set(db)
    with store.connect(db).connect() as conn:
        route = conn.execute(
            select(review_items.c.route).where(review_items.c.id == ids[0])
        ).scalar_one()
        matching = [i.id for i in queries.list_reviews(conn, status="open", route=route)]
    refused = decisions.refusals(
        store.connect(db), decisions.Verdict.APPROVE, matching, reviewer="alice"
    )
    others = [i for i in matching if i not in refused]
    assert refused and others, "the route mixes items approval refuses with others"
    before = state(db)
    plain = approve(db, "--route", route, "--yes")
    assert plain.exit_code == 1
    hint = f"; --skip-refused decides the other {plural(len(others), 'item')}"
    assert plain.stderr.rstrip().endswith(hint)
    assert state(db) == before
    rehearsed = approve(db, "--route", route, "--dry-run", "--skip-refused")
    assert rehearsed.exit_code == 0, rehearsed.output  # the decision would be made, on the others
    assert f"would skip {plural(len(refused), 'refused item')}" in rehearsed.stdout
    assert state(db) == before
    skipped = approve(db, "--route", route, "--yes", "--skip-refused")
    assert skipped.exit_code == 0, skipped.output
    skipping = f"skipping {plural(len(refused), 'refused item')}, left open: #{min(refused)}"
    assert skipping in skipped.stdout
    with store.connect(db).connect() as conn:
        status = dict(
            conn.execute(
                select(review_items.c.id, review_items.c.status).where(
                    review_items.c.id.in_(matching)
                )
            ).all()
        )
    assert {status[i] for i in refused} == {"open"}
    assert {status[i] for i in others} == {"approved"}
    set_id, set_ids = empty_field_set(db)
    whole = approve(db, "--set", set_id, "--yes", "--skip-refused")
    assert whole.exit_code == 1
    assert f"nothing was decided: {len(set_ids)} of {len(set_ids)} items refused" in whole.stderr
    assert whole.stderr.rstrip().endswith("; --skip-refused leaves nothing to decide")
    single = approve(db, str(others[0]), "--skip-refused")
    assert single.exit_code == 2 and "--skip-refused" in single.stderr


def test_skip_refused_json_says_what_it_decided_and_what_it_left_open(db: str) -> None:
    """With --json, --skip-refused prints an object: the decisions made and the items left
    open with why (the skipped ones were only on standard error); unanswered, --json prints
    nothing at all on standard output (Click's prompt left a space there)."""
    _, ids = empty_field_set(db)
    with store.connect(db).connect() as conn:
        route = conn.execute(
            select(review_items.c.route).where(review_items.c.id == ids[0])
        ).scalar_one()
    unanswered = approve(db, "--route", route, "--skip-refused", "--json")
    assert unanswered.exit_code == 1 and unanswered.stdout == ""
    assert "[y/N]: " in unanswered.stderr
    made = approve(db, "--route", route, "--skip-refused", "--json", "--yes")
    assert made.exit_code == 0, made.output
    shown = json.loads(made.stdout)
    skipped = {row["id"] for row in shown["skipped"]}
    assert set(ids) <= skipped and all(NO_VALUE in row["refused"] for row in shown["skipped"])
    decided = {row["item_id"] for row in shown["decided"]}
    assert decided and not decided & skipped
    assert {row["status"] for row in shown["decided"]} == {"approved"}
