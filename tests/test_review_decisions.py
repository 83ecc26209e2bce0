"""Decisions on real review items (OpenRouter's recorded epoch-1 → epoch-2 refresh): history kept,
audit written, idempotent, closed items refused, submitters kept from approving their own, and
the same through the CLI."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select, update
from typer.testing import CliRunner

from catalog import queries, reader, store
from catalog.tables import catalog_values, stamps
from ratecard.cli import app
from review import decisions
from review import submissions as submitted
from review.reviewers import add_reviewer, verify_reviewer

pytestmark = pytest.mark.integration
SECRET = "correct horse battery staple"


@pytest.fixture
def engine(catalog_db: str) -> Engine:
    engine = store.connect(catalog_db)
    add_reviewer(engine, "alice", SECRET)
    add_reviewer(engine, "bob", SECRET)
    return engine


def official_price_change(engine: Engine, skip: int = 0) -> dict[str, Any]:
    """An open OpenRouter price change that OpenRouter itself (the official source) states."""
    with engine.connect() as conn:
        items = queries.list_reviews(
            conn, status="open", kind="price_change", route="openrouter", source="openrouter"
        )
        item = queries.get_review(conn, items[skip].id)
    assert item is not None
    return item.as_json()


def history(engine: Engine, item: dict[str, Any]) -> list[dict[str, Any]]:
    """The history of the field of the item's first change, as JSON."""
    with engine.connect() as conn:
        typed = queries.get_review(conn, item["id"])
        assert typed is not None
        found = queries.field_history(conn, queries.change_field(typed, typed.changes[0]))
    return [h.as_json() for h in found]


def audit(engine: Engine, item_id: int) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        return [a.as_json() for a in queries.audit_entries(conn, target=f"review:{item_id}")]


def test_approving_a_price_change_closes_the_old_value_and_opens_the_new(engine: Engine) -> None:
    item = official_price_change(engine)
    change = item["changes"][0]
    official = next(s for s in change["sources"] if s["official"])
    before = history(engine, item)
    assert [h["value"] for h in before] == [change["current"]] and before[0]["valid_to"] is None

    decision = decisions.approve(engine, item["id"], reviewer="alice", reason="OpenRouter says so")

    assert decision.changed and decision.status == "approved"
    new, old = history(engine, item)
    assert (new["value"], new["valid_to"]) == (change["proposed"], None)
    assert new["valid_from"] == old["valid_to"] == official["observed_at"]
    assert new["accepted_by"] == f"review:{item['id']}"
    assert (new["verified_by"], new["verified_at"][:10]) == ("openrouter", "2026-08-19")
    assert old["value"] == change["current"]
    with engine.connect() as conn:
        stamped = conn.execute(select(stamps.c.source).where(stamps.c.value_id == new["id"]))
        assert "openrouter" in set(stamped.scalars())
        decided = queries.get_review(conn, item["id"])
    assert decided is not None
    assert (decided.status, decided.reviewer, decided.reason) == (
        "approved",
        "alice",
        "OpenRouter says so",
    )
    (record,) = audit(engine, item["id"])
    assert (record["actor"], record["channel"], record["action"]) == ("alice", "cli", "approve")
    assert record["before"]["status"] == "open" and record["after"]["status"] == "approved"
    assert record["before"]["values"][0]["value"] == change["current"]
    assert record["after"]["values"][0]["value"] == change["proposed"]


def test_an_override_on_an_item_that_is_no_submission_is_refused(
    engine: Engine, catalog_db: str
) -> None:
    """An override lets a submission whose claims the fetch did not find be approved; on a price
    change there is nothing to override, and it was accepted without a word."""
    item = official_price_change(engine)
    before = history(engine, item)
    for dry_run in ([], ["--dry-run"]):
        refused = CliRunner().invoke(
            app,
            [
                *("review", "approve", str(item["id"]), "-r", "alice", "--override"),
                *("--reason", "x", *dry_run, "--db", catalog_db),
            ],
        )
        assert refused.exit_code == 1, refused.output
        assert "an override applies to submissions only" in refused.output
    assert history(engine, item) == before
    assert audit(engine, item["id"]) == []


def test_decisions_are_idempotent_and_refuse_items_no_longer_open(engine: Engine) -> None:
    item = official_price_change(engine)
    decisions.approve(engine, item["id"], reviewer="alice")
    again = decisions.approve(engine, item["id"], reviewer="bob")
    assert not again.changed and again.reviewer == "alice"
    assert len(history(engine, item)) == 2 and len(audit(engine, item["id"])) == 1
    with pytest.raises(decisions.NotOpen, match="approved, no longer open"):
        decisions.reject(engine, item["id"], reviewer="bob", reason="changed my mind")
    other = official_price_change(engine)
    decisions.reject(engine, other["id"], reviewer="bob", reason="not yet announced")
    assert not decisions.reject(engine, other["id"], reviewer="bob", reason="again").changed
    with pytest.raises(decisions.NotOpen):
        decisions.approve(engine, other["id"], reviewer="alice")
    assert [h["value"] for h in history(engine, other)] == [other["changes"][0]["current"]]
    (rejection,) = audit(engine, other["id"])
    assert (rejection["action"], rejection["reason"]) == ("reject", "not yet announced")


def test_who_may_decide(engine: Engine) -> None:
    item = official_price_change(engine)
    with pytest.raises(decisions.Forbidden, match="no active reviewer named 'mallory'"):
        decisions.approve(engine, item["id"], reviewer="mallory")
    with pytest.raises(decisions.DecisionError, match="needs a reason"):
        decisions.reject(engine, item["id"], reviewer="alice", reason="  ")
    with pytest.raises(decisions.NotFound):
        decisions.approve(engine, 10**6, reviewer="alice")
    assert verify_reviewer(engine, "alice", SECRET)
    assert not verify_reviewer(engine, "alice", "wrong secret entirely")
    assert not verify_reviewer(engine, "mallory", SECRET)
    assert audit(engine, item["id"]) == []


def test_approving_a_new_model_adds_its_values(engine: Engine) -> None:
    with engine.connect() as conn:
        listed = queries.list_reviews(conn, status="open", kind="new_model", route="openrouter")[0]
        item = queries.get_review(conn, listed.id)
    assert item is not None
    decision = decisions.approve(engine, item.id, reviewer="alice")
    assert len(decision.opened) == len(item.changes) and decision.closed == []
    with engine.connect() as conn:
        view = queries.model_view(conn, item.route, item.model)
    assert len(view.fields) == len(item.changes)
    assert {f.accepted_by for f in view.fields} == {f"review:{item.id}"}


def test_a_stale_proposal_is_refused(engine: Engine) -> None:
    item = official_price_change(engine)
    change = item["changes"][0]
    with engine.begin() as conn:
        conn.execute(
            update(catalog_values)
            .where(
                catalog_values.c.route == item["route"],
                catalog_values.c.model == item["model"],
                catalog_values.c.component == change["component"],
                catalog_values.c.valid_to.is_(None),
            )
            .values(value="123")
        )
    with pytest.raises(decisions.Stale, match="holds 123"):
        decisions.approve(engine, item["id"], reviewer="alice")


def test_bulk_decisions_are_all_or_nothing(engine: Engine) -> None:
    which = decisions.Filter(kind="price_change", model=official_price_change(engine)["model"])
    matching = decisions.matching_open(engine, which)
    assert len(matching) >= 2
    with pytest.raises(decisions.DecisionError, match="needs a filter"):
        decisions.decide_many(
            engine, decisions.Verdict.APPROVE, decisions.Filter(), reviewer="alice"
        )
    with engine.connect() as conn:
        first = queries.get_review(conn, matching[0].id)
    assert first is not None
    decisions.reject(engine, matching[-1].id, reviewer="bob", reason="decided alone first")
    with engine.begin() as conn:  # make the first one stale: the whole bulk must be refused
        conn.execute(
            update(catalog_values)
            .where(
                catalog_values.c.route == first.route,
                catalog_values.c.model == first.model,
                catalog_values.c.component == first.changes[0].component,
                catalog_values.c.valid_to.is_(None),
            )
            .values(value="999")
        )
    with pytest.raises(decisions.Stale):
        decisions.decide_many(engine, decisions.Verdict.APPROVE, which, reviewer="alice")
    assert len(decisions.matching_open(engine, which)) == len(matching) - 1
    decided = decisions.decide_many(
        engine,
        decisions.Verdict.REJECT,
        which,
        reviewer="alice",
        reason="bulk: waiting for the provider's announcement",
    )
    assert len(decided) == len(matching) - 1 and decisions.matching_open(engine, which) == []


def test_a_submitter_cannot_approve_their_own_submission(engine: Engine) -> None:
    created = submitted.submit(
        engine,
        route="openrouter",
        model="claude-sonnet-latest",
        source_url="http://10.0.0.1/pricing",
        claims=[submitted.parse_claim_text("input 2.5")],
        submitter="alice",
        client_id="web:alice-laptop",
    )
    (result,) = submitted.process_pending(engine)
    assert result["fetch"] == "refused"
    item_id = result["review_item"]
    with pytest.raises(decisions.Forbidden, match="cannot approve"):
        decisions.approve(engine, item_id, reviewer="alice")
    with pytest.raises(decisions.Forbidden, match="cannot approve"):
        decisions.approve(engine, item_id, reviewer="bob", client_id="web:alice-laptop")
    decision = decisions.approve(
        engine,
        item_id,
        reviewer="bob",
        client_id="web:bob-desk",
        override=True,  # the source was refused: nothing confirmed the claim
        reason="the provider's page states 2.5",
    )
    assert decision.changed and decision.opened[0]["value"] == "2.5"
    assert decision.closed[0]["value"] == "3"
    # no source stated it: the submission's claim is its source (it read "stated by review")
    assert decision.opened[0]["accepted_source"] == "submission"
    with engine.connect() as conn:
        shown = {
            p.provenance()
            for p in reader.published_values(conn, reader.as_of(None), model="claude-sonnet-latest")
            if p.value.id == decision.opened[0]["id"]
        }
    assert shown == {"unverified, stated by submission"}
    with engine.connect() as conn:
        state = queries.submission_status(conn, created["token"])
    assert state is not None and state["status"] == "approved"
    assert state["decision"]["status"] == "approved"


def test_cli_approve_reject_and_bulk_leave_audit_records(engine: Engine, catalog_db: str) -> None:
    runner = CliRunner()
    approve_item = official_price_change(engine)
    reject_item = official_price_change(engine, skip=1)
    approved = runner.invoke(
        app,
        [
            "review",
            "approve",
            str(approve_item["id"]),
            "--reviewer",
            "alice",
            "--reason",
            "matches OpenRouter",
            "--db",
            catalog_db,
        ],
    )
    assert approved.exit_code == 0, approved.output
    assert f"#{approve_item['id']} approved" in approved.output
    rejected = runner.invoke(
        app,
        [
            "review",
            "reject",
            str(reject_item["id"]),
            "--reviewer",
            "bob",
            "--reason",
            "typo on their side",
            "--db",
            catalog_db,
        ],
    )
    assert rejected.exit_code == 0, rejected.output
    refused = runner.invoke(
        app,
        [
            "review",
            "reject",
            str(reject_item["id"]),
            "--reviewer",
            "alice",
            "--reason",
            "x",
            "--db",
            catalog_db,
        ],
    )
    assert refused.exit_code == 0 and "already rejected" in refused.output
    unknown = runner.invoke(
        app,
        [
            "review",
            "approve",
            str(approve_item["id"] + 999999),
            "--reviewer",
            "alice",
            "--db",
            catalog_db,
        ],
    )
    assert unknown.exit_code == 1 and "no review item" in unknown.output
    (a,) = audit(engine, approve_item["id"])
    (r,) = audit(engine, reject_item["id"])
    assert (a["actor"], a["channel"], a["action"], a["reason"]) == (
        "alice",
        "cli",
        "approve",
        "matches OpenRouter",
    )
    assert (r["actor"], r["channel"], r["action"], r["reason"]) == (
        "bob",
        "cli",
        "reject",
        "typo on their side",
    )
    assert a["after"]["values"][0]["value"] == approve_item["changes"][0]["proposed"]

    dry = runner.invoke(
        app,
        [
            "review",
            "approve",
            "--kind",
            "anomaly",
            "--route",
            "openrouter",
            "--reviewer",
            "alice",
            "--dry-run",
            "--db",
            catalog_db,
        ],
    )
    assert dry.exit_code == 0 and "open items match" in dry.output
    bulk = runner.invoke(
        app,
        [
            "review",
            "reject",
            "--kind",
            "anomaly",
            "--reviewer",
            "alice",
            "--reason",
            "known upstream bug",
            "--yes",
            "--db",
            catalog_db,
        ],
    )
    assert bulk.exit_code == 0, bulk.output
    with engine.connect() as conn:
        assert queries.list_reviews(conn, status="open", kind="anomaly") == []
        anomalies = queries.list_reviews(conn, status="rejected", kind="anomaly")
        assert all(queries.audit_entries(conn, target=f"review:{i.id}") for i in anomalies)
    shown = runner.invoke(app, ["review", "show", str(anomalies[0].id), "--db", catalog_db])
    assert "by alice: known upstream bug" in shown.output.splitlines()[2]  # who, when and why
    no_filter = runner.invoke(app, ["review", "approve", "--reviewer", "alice", "--db", catalog_db])
    assert no_filter.exit_code == 2 and "filter" in no_filter.output


def test_cli_reviewer_add_and_status(catalog_db: str) -> None:
    runner = CliRunner()
    added = runner.invoke(
        app,
        ["reviewer", "add", "carol", "--password-stdin", "--db", catalog_db],
        input=SECRET + "\n",
    )
    assert added.exit_code == 0, added.output
    assert verify_reviewer(store.connect(catalog_db), "carol", SECRET)
    short = runner.invoke(
        app, ["reviewer", "add", "dave", "--password-stdin", "--db", catalog_db], input="short\n"
    )
    assert (
        short.exit_code == 2 and "'--password-stdin': the secret needs at least 12" in short.output
    )
    nowhere = Path(catalog_db.removeprefix("sqlite:///")).parent / "new" / "catalog.db"
    refused = runner.invoke(
        app,
        ["reviewer", "add", "dave", "--password-stdin", "--db", f"sqlite:///{nowhere}"],
        input="short\n",
    )
    assert refused.exit_code == 2 and not nowhere.parent.exists()  # refused before creating
    status = runner.invoke(app, ["status", "--json", "--db", catalog_db])
    assert status.exit_code == 0 and '"open"' in status.output
    made = runner.invoke(
        app,
        [
            "submit",
            "openrouter",
            "gpt-5",
            "https://openrouter.ai/gpt-5",
            "--claim",
            "input 1.25",
            "--claim",
            "output 10 usd_per_1m_tokens",
            "--db",
            catalog_db,
        ],
    )
    assert made.exit_code == 0 and "due" in made.output
    with store.connect(catalog_db).connect() as conn:
        report = queries.sla_report(conn, datetime.now(UTC), timedelta(hours=12))
    assert [s["model"] for s in report["pending_submissions"]] == ["gpt-5"]


def test_a_bulk_dry_run_lists_every_matching_item(engine: Engine, catalog_db: str) -> None:
    """A dry run is for reading what a decision covers: every item, as `--set --dry-run` lists
    every field (the question before a real decision keeps its short list)."""
    matching = decisions.matching_open(engine, decisions.Filter(kind="price_change"))
    assert len(matching) > 20
    bulk = ["review", "approve", "--kind", "price_change", "-r", "alice", "--dry-run"]
    dry = CliRunner().invoke(app, [*bulk, "--db", catalog_db])
    assert dry.exit_code == 0, dry.output
    listed = [line.split()[0] for line in dry.stdout.splitlines() if line.startswith("  #")]
    assert listed == [f"#{item.id}" for item in matching]
    assert "more" not in dry.stdout
    assert dry.stdout.splitlines()[-1] == f"{len(matching)} open items match"
