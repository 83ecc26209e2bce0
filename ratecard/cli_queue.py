"""The queue's commands: decisions, reviewer accounts, submissions, the promise's status, serve.

Registered on ratecard.cli's `app` and `review_app` when that module is imported:

    ratecard review approve ID --reviewer NAME [--reason TEXT]
    ratecard review reject ID --reviewer NAME --reason TEXT
    ratecard review approve --kind price_change --route openrouter --reviewer NAME [--yes]
    ratecard reviewer add NAME [--password-stdin]
    ratecard submit ROUTE MODEL URL --claim "input 3 usd_per_1m_tokens" [--claim ...]
    ratecard status
    ratecard serve --port 8000

A decision without an ID is a bulk decision over every open item the filter matches (at least
one of --kind, --route, --model, --source): it lists them, asks before deciding unless --yes,
and decides all of them in one transaction or none.
"""

from __future__ import annotations

import getpass
import json
import sys
from datetime import UTC, datetime
from typing import Annotated, Any

import typer
from rich.table import Table

from catalog import queries, store
from ratecard.cli import DbOption, JsonOption, app, console, parse_duration, review_app
from review import decisions
from review import submissions as submitted
from review.reviewers import ReviewerError, add_reviewer, list_reviewers

reviewer_app = typer.Typer(help="Reviewer accounts: the people who decide review items.")
app.add_typer(reviewer_app, name="reviewer")

ReviewerOption = Annotated[str, typer.Option("--reviewer", "-r", help="Who decides (must exist).")]
ItemArgument = Annotated[
    int | None, typer.Argument(help="The item's id; leave out to decide by filter.")
]
KindOption = Annotated[str | None, typer.Option(help="Bulk: only items of this kind.")]
RouteOption = Annotated[str | None, typer.Option(help="Bulk: only items for this route.")]
ModelOption = Annotated[str | None, typer.Option(help="Bulk: only items for this model.")]
SourceOption = Annotated[str | None, typer.Option(help="Bulk: only items citing this source.")]
YesOption = Annotated[bool, typer.Option("--yes", "-y", help="Bulk: do not ask first.")]
DryRunOption = Annotated[bool, typer.Option("--dry-run", help="Bulk: list, decide nothing.")]
SetOption = Annotated[
    str | None, typer.Option("--set", help="Decide this change set (see `review sets`).")
]
OverrideOption = Annotated[
    bool, typer.Option("--override", help="Approve a submission whose claims were not found.")
]

EXIT_REFUSED = 1


def _echo_json(data: Any) -> None:
    console.print_json(json.dumps(data, default=str))


def _decide(
    verdict: decisions.Verdict,
    item_id: int | None,
    reviewer: str,
    reason: str | None,
    which: decisions.Filter,
    *,
    yes: bool,
    dry_run: bool,
    db: str | None,
    as_json: bool,
    override: bool = False,
) -> None:
    engine = store.connect(db)
    try:
        if item_id is not None:
            if not which.is_empty():
                raise decisions.DecisionError("give an item id or a filter, not both")
            if verdict is decisions.Verdict.APPROVE:
                made = [
                    decisions.approve(
                        engine, item_id, reviewer=reviewer, reason=reason, override=override
                    )
                ]
            else:
                made = [decisions.reject(engine, item_id, reviewer=reviewer, reason=reason or "")]
        else:
            made = _decide_many(engine, verdict, which, reviewer, reason, yes, dry_run)
    except decisions.DecisionError as exc:
        console.print(f"[red]refused:[/red] {exc}")
        raise typer.Exit(EXIT_REFUSED) from exc
    if as_json:
        _echo_json([vars(d) for d in made])
        return
    for d in made:
        what = f"{verdict.status.value}" if d.changed else f"already {d.status.value}, unchanged"
        values = f" ({len(d.closed)} values closed, {len(d.opened)} opened)" if d.changed else ""
        console.print(f"#{d.item_id} {what}{values}")


def _decide_many(
    engine: Any,
    verdict: decisions.Verdict,
    which: decisions.Filter,
    reviewer: str,
    reason: str | None,
    yes: bool,
    dry_run: bool,
) -> list[decisions.Decision]:
    if which.is_empty():
        raise decisions.DecisionError(
            "give an item id, or a filter (--kind, --route, --model, --source) for a bulk decision"
        )
    matching = decisions.matching_open(engine, which)
    for item in matching[:20]:
        console.print(f"  #{item['id']} {item['title']}")
    if len(matching) > 20:
        console.print(f"  … and {len(matching) - 20} more")
    console.print(f"{len(matching)} open items match")
    if dry_run or not matching:
        return []
    if not yes and not typer.confirm(f"{verdict.value} all {len(matching)}?"):
        raise typer.Exit(EXIT_REFUSED)
    return decisions.decide_many(engine, verdict, which, reviewer=reviewer, reason=reason)


@review_app.command("approve")
def review_approve(
    item_id: ItemArgument = None,
    reviewer: ReviewerOption = ...,  # type: ignore[assignment]
    reason: Annotated[str | None, typer.Option(help="Why (recorded with the decision).")] = None,
    kind: KindOption = None,
    route: RouteOption = None,
    model: ModelOption = None,
    source: SourceOption = None,
    yes: YesOption = False,
    dry_run: DryRunOption = False,
    set_id: SetOption = None,
    override: OverrideOption = False,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Approve an item, a change set (--set), or every open item a filter matches."""
    if set_id:
        from ratecard.cli_sets import decide_set

        decide_set(
            True,
            set_id,
            model=model,
            reviewer=reviewer,
            reason=reason,
            override=override,
            yes=yes,
            dry_run=dry_run,
            db=db,
            as_json=as_json,
        )
        return
    which = decisions.Filter(kind=kind, route=route, model=model, source=source)
    _decide(
        decisions.Verdict.APPROVE,
        item_id,
        reviewer,
        reason,
        which,
        yes=yes,
        dry_run=dry_run,
        db=db,
        as_json=as_json,
        override=override,
    )


@review_app.command("reject")
def review_reject(
    item_id: ItemArgument = None,
    reviewer: ReviewerOption = ...,  # type: ignore[assignment]
    reason: Annotated[str, typer.Option(help="Why (required, recorded with the decision).")] = ...,  # type: ignore[assignment]
    kind: KindOption = None,
    route: RouteOption = None,
    model: ModelOption = None,
    source: SourceOption = None,
    yes: YesOption = False,
    dry_run: DryRunOption = False,
    set_id: SetOption = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Reject an item, a change set (--set), or every open item a filter matches."""
    if set_id:
        from ratecard.cli_sets import decide_set

        decide_set(
            False,
            set_id,
            model=model,
            reviewer=reviewer,
            reason=reason,
            override=False,
            yes=yes,
            dry_run=dry_run,
            db=db,
            as_json=as_json,
        )
        return
    which = decisions.Filter(kind=kind, route=route, model=model, source=source)
    _decide(
        decisions.Verdict.REJECT,
        item_id,
        reviewer,
        reason,
        which,
        yes=yes,
        dry_run=dry_run,
        db=db,
        as_json=as_json,
    )


@reviewer_app.command("add")
def reviewer_add(
    name: str,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the secret from standard input.")
    ] = False,
    db: DbOption = None,
) -> None:
    """Create a reviewer account; the secret is stored as an argon2 hash."""
    if password_stdin:
        secret = sys.stdin.readline().rstrip("\r\n")
    else:
        secret = typer.prompt("Secret", hide_input=True, confirmation_prompt=True)
    try:
        add_reviewer(store.connect(db), name, secret, actor=f"cli:{getpass.getuser()}")
    except ReviewerError as exc:
        console.print(f"[red]refused:[/red] {exc}")
        raise typer.Exit(EXIT_REFUSED) from exc
    console.print(f"reviewer {name} added")


@reviewer_app.command("list")
def reviewer_list(db: DbOption = None, as_json: JsonOption = False) -> None:
    """The reviewer accounts (names and whether active; never the secrets)."""
    found = list_reviewers(store.connect(db))
    if as_json:
        _echo_json(found)
        return
    for r in found:
        console.print(f"{r['name']}  {'active' if r['active'] else 'inactive'}  {r['created_at']}")


@app.command()
def submit(
    route: Annotated[str, typer.Argument(help="Who sells the model, e.g. anthropic.")],
    model: Annotated[str, typer.Argument(help="The model, e.g. claude-sonnet-4-5.")],
    url: Annotated[str, typer.Argument(help="Where the price is stated (http or https).")],
    claim: Annotated[
        list[str],
        typer.Option(
            "--claim",
            "-c",
            help="'COMPONENT VALUE [UNIT] [DIM=VALUE ...]', e.g. 'input 3' or "
            "'output 7.5 usd_per_1m_tokens service_tier=batch' (repeatable; unit defaults to "
            "usd_per_1m_tokens).",
        ),
    ],
    contact: Annotated[str | None, typer.Option(help="How to reach you (optional).")] = None,
    submitter: Annotated[
        str | None, typer.Option("--as", help="Your reviewer name, if you are one.")
    ] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Submit a source: stored at once; a reviewer decides within 48 hours."""
    try:
        claims = [submitted.parse_claim_text(text) for text in claim]
        created = submitted.submit(
            store.connect(db),
            route=route,
            model=model,
            source_url=url,
            claims=claims,
            contact=contact,
            submitter=submitter,
            client_id=f"cli:{getpass.getuser()}",
        )
    except submitted.SubmissionError as exc:
        console.print(f"[red]refused:[/red] {exc}")
        raise typer.Exit(EXIT_REFUSED) from exc
    if as_json:
        _echo_json(created)
        return
    console.print(
        f"submission #{created['id']} stored; due {created['due_at']:%Y-%m-%d %H:%M} "
        f"UTC; status page /submissions/{created['token']}"
    )


@app.command()
def status(
    within: Annotated[str, typer.Option(help="What counts as due soon, e.g. 12h.")] = "12h",
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """The promise at a glance: open, due-soon and overdue items, submissions not yet fetched."""
    with store.connect(db).connect() as conn:
        report = queries.sla_report(conn, datetime.now(UTC), parse_duration(within))
    counts = {**report["counts"], "pending_submissions": len(report["pending_submissions"])}
    promise = report["promise"]
    if as_json:
        _echo_json({**counts, **promise})
        return
    table = Table(title="review queue")
    for column in ("", "open", f"due within {within}", "overdue"):
        table.add_column(column)
    for label, row in (
        ("submissions", promise["submissions"]),
        ("machine items", promise["machine"]),
    ):
        table.add_row(label, str(row["open"]), str(row["due_soon"]), str(row["overdue"]))
    table.add_row("all", str(counts["open"]), str(counts["due_soon"]), str(counts["overdue"]))
    console.print(table)
    console.print(f"{counts['pending_submissions']} submissions waiting to be fetched")


@app.command("process-submissions")
def process_submissions(db: DbOption = None, limit: int = 100, as_json: JsonOption = False) -> None:
    """Fetch pending submissions safely and open their review items (the Prefect flow)."""
    from flows.submissions import process_submissions as flow

    results = flow(database=db, limit=limit)
    if as_json:
        _echo_json(results)
        return
    for r in results:
        console.print(
            f"submission #{r['submission']} → item #{r['review_item']}: {r['fetch']}, "
            f"{r['found']}/{r['claims']} claims found"
        )
    console.print(f"{len(results)} submissions processed")


@app.command()
def serve(
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    host: Annotated[str, typer.Option(help="Address to bind (loopback by default).")] = "127.0.0.1",
    db: DbOption = None,
) -> None:
    """Serve the web app: the review queue, submissions and the JSON API (docs at /docs)."""
    import uvicorn

    from webapp import create_app

    uvicorn.run(create_app(db), host=host, port=port, proxy_headers=True)
