"""Triage and change sets on real review items (OpenRouter's recorded epoch-1 → epoch-2 refresh):
every open item has a priority, a due time from data/review_policy.json and a set; the CLI lists
the sets with counts, previews exactly the fields a set decision changes, and decides a set in
one transaction with one audit record per item; undo is a decision of its own; a submitted claim
the fetch did not find needs an override and a reason."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select, update
from typer.testing import CliRunner

from catalog import queries, reader, store
from catalog.tables import audit_log, catalog_values, review_items
from catalog.views import AuditEntry, ReviewWithChanges
from ratecard.cli import app
from review import decisions, sets, triage
from review import submissions as submitted
from review.reviewers import add_reviewer
from review.safefetch import FetchPolicy
from schemas.records import FieldChange, ReviewItem, decimal_text
from schemas.vocab import units_spelled
from tests.observed import OPENROUTER_AUGUST, observe
from tests.runs import refresh
from tests.test_queue_pages import unfound_claim_item
from webapp import create_app

pytestmark = pytest.mark.integration
SECRET = "correct horse battery staple"
# the refreshed catalog's second run: SQLite run ids start at 32,768 (migration 0010)
EPOCH_2_RUN = 2**15 + 1
PRICE_CHANGES = f"{EPOCH_2_RUN}:openrouter:openrouter:price_change"


@pytest.fixture
def engine(catalog_db: str) -> Engine:
    engine = store.connect(catalog_db)
    add_reviewer(engine, "alice", SECRET)
    add_reviewer(engine, "bob", SECRET)
    return engine


def open_items(engine: Engine, **criteria: Any) -> list[ReviewWithChanges]:
    with engine.connect() as conn:
        return queries.items_with_changes(conn, queries.QueueFilter(**criteria))


def in_force(engine: Engine, item: ReviewWithChanges, change: FieldChange) -> str | None:
    """The value in force of the field a change is about, as text (as changes state it)."""
    with engine.connect() as conn:
        found = queries.field_history(conn, queries.change_field(item, change))
    return next((str(h.value) for h in found if h.valid_to is None), None)


def test_every_open_item_is_triaged_by_the_policy(engine: Engine) -> None:
    items = open_items(engine)
    assert items and all(i.priority and i.set_id and i.lead_source for i in items)
    rules = triage.policy()
    changes = [i for i in items if i.set_id == PRICE_CHANGES]
    assert changes, "the recorded epoch-2 world changes OpenRouter prices"
    for item in changes:
        with engine.connect() as conn:
            row = conn.execute(select(review_items).where(review_items.c.id == item.id)).one()
        # epoch-1 entered OpenRouter's own values verified: a change of one is an official change
        assert row.due_at - row.created_at == timedelta(hours=rules["official_change"].due_hours)
        largest = max(abs(c.pct_change or Decimal(0)) for c in item.changes)
        expected = max(
            triage.SUBMISSION_PRIORITY + 1,  # only a submission is as urgent as a submission
            rules["official_change"].priority - (largest >= triage.LARGE_CHANGE_PCT),
        )
        assert item.priority == expected
    new_models = [i for i in items if i.kind == "new_model"]
    assert new_models and all((i.set_id or "").endswith(f":{i.model}") for i in new_models)


def test_policy_names_the_file_and_the_rule(tmp_path: Path) -> None:
    broken = json.loads(triage.POLICY.read_text())
    del broken["submission"]
    path = tmp_path / "policy.json"
    path.write_text(json.dumps(broken))
    with pytest.raises(ValueError, match=r"policy\.json: classes must be exactly .*'submission'"):
        triage.policy(path)


def test_queue_sorts_by_due_time_then_priority(engine: Engine) -> None:
    with engine.connect() as conn:
        page = queries.queue_page(conn, queries.QueueFilter(), limit=1000).items
    keys = [(i.due_at, i.priority, i.id) for i in page]
    assert keys == sorted(keys) and len({i.priority for i in page}) > 1


def test_cli_lists_sets_and_previews_exactly_the_fields(engine: Engine, catalog_db: str) -> None:
    runner = CliRunner()
    listed = runner.invoke(app, ["review", "sets", "--db", catalog_db])
    assert listed.exit_code == 0, listed.output
    assert all(sets.well_formed(s["id"]) for s in sets.list_sets(engine))  # as --set takes them
    members = open_items(engine, set_id=PRICE_CHANGES)
    fields = sum(len(i.changes) for i in members)
    line = next(x for x in listed.output.splitlines() if x.startswith(PRICE_CHANGES + "\t"))
    assert f"{len(members)} items, {fields} fields" in line
    assert f"openrouter: price changes from OpenRouter models API, run {EPOCH_2_RUN}" in line
    total = sum(1 for _ in open_items(engine))
    assert f"sets, {total} open items (showing 50)" in listed.output.splitlines()[-1]
    first = runner.invoke(app, ["review", "sets", "--limit", "2", "--db", catalog_db])
    heading, *shown, count = first.output.splitlines()
    assert heading == "set\titems, fields\tdue\tpriority\tlabel"  # the columns, piped too
    assert [heading, *shown] == listed.output.splitlines()[:3] and len(shown) == 2
    assert count.endswith(f"sets, {total} open items (showing 2)")

    dry = runner.invoke(
        app,
        [
            "review",
            "approve",
            "--set",
            PRICE_CHANGES,
            "--dry-run",
            "-r",
            "alice",
            "--db",
            catalog_db,
        ],
    )
    assert dry.exit_code == 0, dry.output
    printed = [x for x in dry.output.splitlines() if x.startswith("#")]
    expected = []
    for item in members:
        for c in item.changes:
            pct = f" ({c.pct_change:+.1f}%)" if c.pct_change is not None else ""
            label = units_spelled(sets.field_label(c))  # 'input (USD per 1M tokens)'
            expected.append(
                f"#{item.id}\topenrouter/{item.model}\t{label}\t{c.current} → {c.proposed}{pct}"
            )
    assert printed == expected
    assert "usd_per_1m_tokens" not in dry.output  # a person reads it (the JSON keeps the token)
    assert dry.output.splitlines()[-1] == f"{fields} fields in {len(members)} items"
    assert len(open_items(engine, set_id=PRICE_CHANGES)) == len(members)  # nothing decided


def test_cli_approves_a_set_one_audit_record_per_item(engine: Engine, catalog_db: str) -> None:
    members = open_items(engine, set_id=PRICE_CHANGES)
    model = members[0].model
    chosen = [i for i in members if i.model == model]
    result = CliRunner().invoke(
        app,
        [
            *("review", "approve", "--set", PRICE_CHANGES, "--model", model, "--yes"),
            *("-r", "alice", "--reason", "OpenRouter's API states it", "--db", catalog_db),
        ],
    )
    assert result.exit_code == 0, result.output
    assert f"{len(chosen)} items approved" in result.output
    for item in chosen:
        entries = [e for e in audit(engine, item.id) if e.action == "approve"]
        assert len(entries) == 1 and entries[0].reason == "OpenRouter's API states it"
        for change in item.changes:
            assert in_force(engine, item, change) == change.proposed
    rest = open_items(engine, set_id=PRICE_CHANGES)
    assert len(rest) == len(members) - len(chosen) and all(i.model != model for i in rest)
    other = rest[0].model
    as_json = CliRunner().invoke(
        app,
        [
            *("review", "approve", "--set", PRICE_CHANGES, "--model", other, "--yes", "--json"),
            *("-r", "alice", "--db", catalog_db),
        ],
    )
    assert as_json.exit_code == 0, as_json.output
    decided = json.loads(as_json.stdout)  # as a filter's decision prints them
    assert decided and all(d["dry_run"] is False and d["status"] == "approved" for d in decided)
    assert all(isinstance(v["dimensions"], dict) for d in decided for v in d["opened"])
    # times in ISO 8601, as every --json gives them
    since = [v["valid_from"] for d in decided for v in d["opened"]]
    assert since and all(datetime.fromisoformat(t) and t[10] == "T" for t in since), since


def test_a_set_decision_is_all_or_nothing(engine: Engine) -> None:
    members = open_items(engine, set_id=PRICE_CHANGES)
    stale = members[-1]
    with engine.begin() as conn:  # someone changed the last item's field meanwhile
        c = catalog_values.c
        change = stale.changes[0]
        field = queries.change_field(stale, change)
        conn.execute(
            update(catalog_values)
            .where(
                c.route == field.route,
                c.model == field.model,
                c.kind == field.kind.value,
                c.component == field.component.value,
                c.unit == field.unit.value,
                c.dimensions == field.dims.key,
                c.valid_to.is_(None),
            )
            .values(value="123.45")
        )
    audits = count_audits(engine)
    with pytest.raises(decisions.Stale):
        sets.decide(
            engine,
            decisions.Verdict.APPROVE,
            sets.Selection(PRICE_CHANGES),
            reviewer="alice",
        )
    assert count_audits(engine) == audits
    assert len(open_items(engine, set_id=PRICE_CHANGES)) == len(members)


def test_undo_is_a_decision_that_restores_the_value_before(engine: Engine) -> None:
    item = open_items(engine, set_id=PRICE_CHANGES)[0]
    change = item.changes[0]
    decisions.approve(engine, item.id, reviewer="alice")
    assert in_force(engine, item, change) == change.proposed
    with pytest.raises(decisions.DecisionError, match="needs a reason"):
        decisions.undo(engine, item.id, reviewer="bob", reason=" ")
    with engine.connect() as conn:
        field = queries.change_field(item, change)
        approved = {h.id: h for h in queries.field_history(conn, field)}
    decisions.undo(engine, item.id, reviewer="bob", reason="approved the wrong model")
    assert in_force(engine, item, change) == change.current
    with engine.connect() as conn:
        history = {h.id: h for h in queries.field_history(conn, field)}
        # as of any date, the field reads as if the approval had not been made
        [(retracted_id, retracted)] = [
            (i, h) for i, h in history.items() if str(h.value) == change.proposed
        ]
        assert retracted.valid_from is not None
        day = reader.as_of(date.fromisoformat(retracted.valid_from[:10]) + timedelta(days=1))
        stated = reader.published_values(conn, day, route=item.route, model=item.model)
    assert retracted.valid_to == retracted.valid_from  # retracted: in force on no date
    assert len(history) == len(approved)  # no row added: the value before is its own row again
    [before] = [h for h in history.values() if h.valid_to is None]
    assert str(before.value) == change.current and before.id != retracted_id
    assert before.accepted_by == approved[before.id].accepted_by
    assert before.verified_at == approved[before.id].verified_at
    shape = (change.kind, change.component, change.unit, change.dimensions)
    [then] = [
        v.value
        for v in stated
        if (v.value.kind, v.value.component, v.value.unit, v.value.dimensions) == shape
    ]
    assert str(then.value) == change.current and then.id == before.id
    actions = [(e.action, e.actor) for e in audit(engine, item.id)]
    assert actions == [("undo", "bob"), ("approve", "alice")]
    assert open_items(engine, set_id=PRICE_CHANGES)[0].id == item.id  # open again
    again = decisions.approve(engine, item.id, reviewer="alice")
    assert again.changed and in_force(engine, item, change) == change.proposed


def proposed_again(
    engine: Engine, item: ReviewWithChanges, change: FieldChange
) -> tuple[ReviewItem, Decimal]:
    """A refresh in which OpenRouter states `change`'s field at twice what `item` proposed: the
    item it opens on that field, and the value."""
    field = queries.change_field(item, change)
    moved = Decimal(change.proposed or "nan") * 2
    live = [
        replace(o, value=moved) if o.model and o.field_id() == field else o
        for o in observe(*OPENROUTER_AUGUST)
    ]
    _, _, opened = refresh(engine, live)
    [later] = [
        i
        for i in opened
        for c in i.changes
        if (i.route, i.model, c.component, c.unit, c.dimensions)
        == (item.route, item.model, change.component, change.unit, change.dimensions)
    ]
    return later, moved


def test_undo_supersedes_the_proposals_made_against_the_undone_value(engine: Engine) -> None:
    """Approved, then a refresh in which OpenRouter states yet another value proposes against the
    approved one; undoing the approval makes that proposal's premise false: it is superseded,
    and the field has one open proposal again (the undone item)."""
    item = open_items(engine, set_id=PRICE_CHANGES)[0]
    change = item.changes[0]
    decisions.approve(engine, item.id, reviewer="alice")
    later, moved = proposed_again(engine, item, change)
    assert [c.proposed for c in later.changes] == [decimal_text(moved)]
    decisions.undo(engine, item.id, reviewer="bob", reason="approved the wrong model")
    field = queries.change_field(item, change)
    proposing = [
        i.id
        for i in open_items(engine, route=item.route, model=item.model)
        if any(queries.change_field(i, c) == field for c in i.changes)
    ]
    assert proposing == [item.id]
    with engine.connect() as conn:
        status, reason = conn.execute(
            select(review_items.c.status, review_items.c.reason).where(
                review_items.c.id == later.id
            )
        ).one()
    assert status == "superseded" and f"undone with review item {item.id}" in reason


def test_undoing_a_rejection_after_a_later_proposal_on_its_fields_is_refused(
    engine: Engine,
) -> None:
    """A fault round: a fault day's proposal rejected, the true value proposed again the next
    day (a new item, the same fields), then the rejection undone: both stood open on one field,
    and approving the undone one put the fault's value in force. The undo is refused, naming
    the later item; nothing changes."""
    item = open_items(engine, set_id=PRICE_CHANGES)[0]
    change = item.changes[0]
    decisions.reject(engine, item.id, reviewer="alice", reason="a fault day")
    later, _ = proposed_again(engine, item, change)
    with pytest.raises(decisions.Stale, match=f"review item {later.id}, opened since"):
        decisions.undo(engine, item.id, reviewer="bob", reason="rejected the wrong item")
    still_open = {i.id for i in open_items(engine, route=item.route)}
    assert later.id in still_open and item.id not in still_open


def test_undoing_a_rejection_after_a_proposal_on_fewer_of_its_fields_is_refused(
    engine: Engine,
) -> None:
    """Fault round 19: the refusal looked only for an item of the same slot (kind and fields),
    so a later proposal grouping other fields (or of another kind) on one of the undone item's
    fields let it open again beside it. A new model's item rejected, the model stated again
    without one of its fields (a new item, fewer fields): the undo is refused."""
    item = next(
        i for i in open_items(engine, kind="new_model", route="openrouter") if len(i.changes) > 2
    )
    decisions.reject(engine, item.id, reviewer="alice", reason="a fault day")
    dropped = queries.change_field(item, item.changes[0])
    live = [o for o in observe(*OPENROUTER_AUGUST) if not (o.model and o.field_id() == dropped)]
    _, _, opened = refresh(engine, live)
    [later] = [i for i in opened if (i.route, i.model) == (item.route, item.model)]
    assert len(later.changes) == len(item.changes) - 1  # another slot: other fields
    with pytest.raises(decisions.Stale, match=f"review item {later.id}, opened since"):
        decisions.undo(engine, item.id, reviewer="bob", reason="rejected the wrong item")


def by_source(source: str) -> list[list[str]]:
    """`review list`, `review sets` and a bulk rejection's dry run filtered by `source`."""
    bulk = ["reject", "--dry-run", "-r", "alice", "--reason", "not on the page"]
    return [[command, "--source", source] for command in ("list", "sets")] + [
        [*bulk, "--source", source]
    ]


def test_the_cli_filters_review_items_by_the_sources_the_web_does(
    engine: Engine, catalog_db: str
) -> None:
    """A submitted claim no official source stated cites 'submission': the web queue filtered
    by it, and the CLI refused it as no configured source."""
    item_id = unfound_claim_item(engine)
    runner = CliRunner()
    client = TestClient(create_app(catalog_db, secret_key="test-only-secret"))
    web = client.get("/api/queue", params={"source": "submission"})
    assert web.status_code == 200 and [i["id"] for i in web.json()] == [item_id]
    listed, in_sets, dry = (
        runner.invoke(app, ["review", *command, "--json", "--db", catalog_db])
        for command in by_source("submission")
    )
    for answered in (listed, in_sets, dry):
        assert answered.exit_code == 0, answered.output
    assert [i["id"] for i in json.loads(listed.output)] == [item_id]
    assert [s["id"] for s in json.loads(in_sets.output)] == [f"submission:{item_id}"]
    assert [i["id"] for i in json.loads(dry.output)] == [item_id]
    # a name no item can cite is refused by both, which list the same known names
    refused = client.get("/api/queue", params={"source": "submissions"})
    assert refused.status_code == 422
    web_known = refused.json()["detail"].split("; one of: ")[1]
    assert "submission" in web_known.split(", ")
    for command in by_source("submissions"):
        bad = runner.invoke(app, ["review", *command, "--db", catalog_db])
        assert bad.exit_code == 2, bad.output
        assert "'--source'" in bad.output and bad.output.rstrip().endswith(web_known)


def test_a_claim_the_fetch_did_not_find_needs_an_override_and_a_reason(
    engine: Engine, catalog_db: str
) -> None:
    created = submitted.submit(
        engine,
        route="openrouter",
        model="gpt-5",
        source_url="http://10.0.0.1/pricing",
        claims=[submitted.parse_claim_text("input 1.25")],
        client_id="web:someone",
    )
    processed = submitted.process(engine, created["id"], FetchPolicy())
    assert processed is not None and processed["fetch"] == "refused"
    item_id = processed["review_item"]
    with engine.connect() as conn:
        item = queries.get_review(conn, item_id)
    assert item is not None and item.priority == 1
    assert item.set_id == f"submission:{item_id}"
    with pytest.raises(
        decisions.Unconfirmed, match=r"did not find the source \(refused\).*override"
    ):
        decisions.approve(engine, item_id, reviewer="alice", reason="it is on the page")
    with pytest.raises(decisions.Unconfirmed):
        decisions.approve(engine, item_id, reviewer="alice", override=True)
    refused = CliRunner().invoke(
        app,
        ["review", "approve", str(item_id), "-r", "alice", "--db", catalog_db],
    )
    assert refused.exit_code == 1 and "needs an explicit override and a reason" in refused.output
    done = decisions.approve(
        engine, item_id, reviewer="alice", override=True, reason="stated on the provider's page"
    )
    # Approved; the claim is the value in force (OpenRouter's gpt-5 input, $1.25), which stands
    # as it was rather than rewritten as the submission's (tests/test_submission_confirms.py).
    assert done.changed and done.opened == [] and done.closed == []


def audit(engine: Engine, item_id: int) -> list[AuditEntry]:
    with engine.connect() as conn:
        return queries.audit_entries(conn, target=f"review:{item_id}")


def count_audits(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(audit_log)).scalar() or 0)


@pytest.mark.parametrize(
    "which",
    [["--set", PRICE_CHANGES], ["--kind", "price_change", "--route", "openrouter"]],
    ids=["set", "filter"],
)
def test_declining_the_question_decides_nothing_and_says_so(
    engine: Engine, catalog_db: str, which: list[str]
) -> None:
    """Answering no is a refusal like any other: one line saying nothing was decided, exit 1
    (it was exit 1 with no word, so a script or a person could not tell why)."""
    before = [i.id for i in open_items(engine, set_id=PRICE_CHANGES)]
    result = CliRunner().invoke(
        app,
        ["review", "approve", *which, "-r", "alice", "--db", catalog_db],
        input="n\n",
        prog_name="ratecard",
    )
    assert result.exit_code == 1, result.output
    assert result.stderr.strip().splitlines()[-1] == (
        "ratecard review approve: nothing decided (not confirmed)"
    )
    assert [i.id for i in open_items(engine, set_id=PRICE_CHANGES)] == before


def test_a_set_that_does_not_exist_is_named_as_such(engine: Engine, catalog_db: str) -> None:
    """A well-formed id of no set (a mistyped run) is 'no change set', as the web's 404 says,
    not 'has no open items', which is what a set whose items were all decided answers."""
    missing = PRICE_CHANGES.replace(str(EPOCH_2_RUN), "99999", 1)
    result = CliRunner().invoke(
        app,
        ["review", "approve", "--set", missing, "-r", "alice", "--dry-run", "--db", catalog_db],
        prog_name="ratecard",
    )
    assert result.exit_code == 1, result.output
    assert result.stderr.strip() == (
        f"ratecard review approve: no change set {missing} (`review sets` lists them)"
    )


def test_undo_and_triage_print_json_like_the_decisions(engine: Engine, catalog_db: str) -> None:
    """`review undo --json` prints the decision as `review approve --json` does (the values it
    closed and restored); `review triage --json` how many items it triaged."""
    item = open_items(engine, set_id=PRICE_CHANGES)[0]
    change = item.changes[0]
    runner = CliRunner()
    approved = runner.invoke(
        app, ["review", "approve", str(item.id), "-r", "alice", "--json", "--db", catalog_db]
    )
    assert approved.exit_code == 0, approved.output
    undo = ["review", "undo", str(item.id), "-r", "bob", "--reason", "wrong model"]
    undone = runner.invoke(app, [*undo, "--json", "--db", catalog_db])
    assert undone.exit_code == 0, undone.output
    [made] = json.loads(approved.stdout)
    back = json.loads(undone.stdout)
    assert back["item_id"] == made["item_id"] == item.id
    assert [v["value"] for v in back["closed"]] == [change.proposed]
    assert [v["value"] for v in back["opened"]] == [change.current]
    assert back.keys() == made.keys()
    triaged = runner.invoke(app, ["review", "triage", "--json", "--db", catalog_db])
    assert triaged.exit_code == 0 and json.loads(triaged.stdout) == {"triaged": 0}


def test_review_show_gives_an_items_decisions_from_the_audit_log(
    engine: Engine, catalog_db: str
) -> None:
    """A new user's session: after alice approved an item and bob undid it, `review show` (and
    its --json) said nothing of either; the web's item page lists them. Both print the item's
    audit trail, newest first: who, when, by which channel, why."""
    item = open_items(engine, set_id=PRICE_CHANGES)[0]
    runner = CliRunner()
    approved = runner.invoke(
        app, ["review", "approve", str(item.id), "-r", "alice", "--db", catalog_db]
    )
    assert approved.exit_code == 0, approved.output
    undo = [
        "review",
        "undo",
        str(item.id),
        "-r",
        "bob",
        "--reason",
        "wrong model",
        "--db",
        catalog_db,
    ]
    assert runner.invoke(app, undo).exit_code == 0
    shown = runner.invoke(app, ["review", "show", str(item.id), "--db", catalog_db])
    assert shown.exit_code == 0, shown.output
    trail = shown.stdout.split("audit:\n", 1)[1].splitlines()
    # each line opens with its time, '2026-12-06 10:42:19 UTC'
    assert [line.split()[3:] for line in trail] == [
        ["bob", "(cli)", "undo:", "wrong", "model"],
        ["alice", "(cli)", "approve"],
    ]
    as_json = runner.invoke(app, ["review", "show", str(item.id), "--json", "--db", catalog_db])
    entries = json.loads(as_json.stdout)["audit"]
    assert [(e["actor"], e["action"], e["reason"]) for e in entries] == [
        ("bob", "undo", "wrong model"),
        ("alice", "approve", None),
    ]


def test_a_set_of_anomalies_about_records_says_it_changes_no_field(
    engine: Engine, catalog_db: str
) -> None:
    """`review sets` said '1 item, 0 fields' of an anomaly set about records set aside (LiteLLM's,
    Portkey's, models.dev's quarantined prices), read as an empty set; such a set, which a
    decision acknowledges, now says it changes no field, and no line says '0 fields'."""
    listed = CliRunner().invoke(app, ["review", "sets", "--limit", "1000", "--db", catalog_db])
    assert listed.exit_code == 0, listed.output
    assert " 0 fields" not in listed.output
    empty = {s["id"] for s in sets.list_sets(engine) if not s["set_fields"]}
    assert any(":anomaly" in set_id for set_id in empty), empty
    lines = {x.split("\t")[0]: x for x in listed.output.splitlines()}
    for set_id in empty:
        assert ", no field to change\t" in lines[set_id], lines[set_id]


def test_the_web_says_a_set_about_records_changes_no_field(engine: Engine, catalog_db: str) -> None:
    """The sets page gave a set of anomalies about records set aside '0' fields, and its page
    '2 open items (0 fields)', as `review sets` said '0 fields': both now say it changes none."""
    (set_id, _), *_ = (
        (s["id"], s)
        for s in sets.list_sets(engine)
        if not s["set_fields"] and ":anomaly" in s["id"]
    )
    client = TestClient(create_app(catalog_db, secret_key="test-only-secret"))
    listed = client.get("/sets?kind=anomaly")
    assert listed.status_code == 200
    assert '<td class="fields">0</td>' not in listed.text
    assert '<td class="fields">none to change</td>' in listed.text
    page = client.get(f"/sets/{set_id}")
    assert page.status_code == 200
    assert "(no field to change)" in page.text and "(0 fields)" not in page.text


def test_a_set_preview_counts_no_field_where_its_approval_changes_none(
    engine: Engine, catalog_db: str
) -> None:
    """`review approve --set … --dry-run` of an anomaly set about records set aside listed each
    item as '(whole item) acknowledged; the catalog is unchanged', then said '2 fields in 2
    items': it now says the items and that no field changes, as `review sets` does."""
    set_id = next(
        s["id"] for s in sets.list_sets(engine) if not s["set_fields"] and ":anomaly" in s["id"]
    )
    preview = ["review", "approve", "--set", set_id, "--dry-run", "-r", "alice"]
    dry = CliRunner().invoke(app, [*preview, "--db", catalog_db])
    assert dry.exit_code == 0, dry.output
    items = sum(1 for line in dry.output.splitlines() if line.startswith("#"))
    last = dry.output.splitlines()[-1]
    assert last == f"{items} item{'s' if items != 1 else ''}, no field to change", dry.output
