"""The queue's commands: decisions, reviewer accounts, submissions, the promise's status, serve.

Registered by ratecard.cli:

    ratecard review approve ID --reviewer NAME [--reason TEXT]
    ratecard review reject ID --reviewer NAME --reason TEXT
    ratecard review approve --kind price_change --route openrouter --reviewer NAME [--yes]
    ratecard reviewer add NAME [--password-stdin]
    ratecard submit ROUTE MODEL URL --claim "input 3 usd_per_1m_tokens" [--claim ...]
    ratecard status
    ratecard serve --port 8000

A decision without an ID is a bulk decision over every open item the filter matches (at least
one of --kind, --route, --model, --source): it lists them, asks before deciding unless --yes,
and decides all of them in one transaction or none. Only `reviewer add` may create a catalog
(accounts can exist before the first refresh); every other command needs an existing one.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Annotated, Any

import typer

from ratecard.cli_sets import (
    decision_json,
    decision_word,
    long_progress,
    skipping,
    with_skipped,
)
from ratecard.options import (
    MAX_ID,
    NOT_CONFIRMED,
    DbOption,
    JsonOption,
    LimitOption,
    Refused,
    bad_input,
    catalog,
    check_catalog,
    check_choice,
    check_name,
    check_queue_filter,
    check_queue_source,
    check_reason,
    check_reviewer,
    check_sources,
    confirmed,
    interrupted_ends,
    operator,
    parse_duration,
    prefect_ready,
    run_in_flow,
)
from ratecard.output import for_a_person, plural, print_json, print_table, say
from schemas.vocab import unit_label, units_spelled

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from ratecard.options import Interruption
    from ratecard.output import Progress
    from review import decisions

ReviewerOption = Annotated[str, typer.Option("--reviewer", "-r", help="Who decides (must exist).")]
ItemArgument = Annotated[
    int | None,
    typer.Argument(
        min=1, max=MAX_ID, metavar="ID", help="The item's id; leave out to decide by filter."
    ),
]
KindOption = Annotated[str | None, typer.Option(help="Bulk: only items of this kind.")]
RouteOption = Annotated[str | None, typer.Option(help="Bulk: only items for this route.")]
ModelOption = Annotated[str | None, typer.Option(help="Bulk or --set: only items for this model.")]
SourceOption = Annotated[str | None, typer.Option(help="Bulk: only items citing this source.")]
YesOption = Annotated[bool, typer.Option("--yes", "-y", help="Bulk or --set: do not ask first.")]
DryRunOption = Annotated[
    bool,
    typer.Option(
        "--dry-run",
        help="Decide nothing: an item's values it would close and open; a filter's or set's items.",
    ),
]
SetOption = Annotated[
    str | None, typer.Option("--set", help="Decide this change set (see `review sets`).")
]
OverrideOption = Annotated[
    bool, typer.Option("--override", help="Approve a submission whose claims were not found.")
]
SkipRefusedOption = Annotated[
    bool,
    typer.Option(
        "--skip-refused",
        help="Bulk or --set: decide the items that would not be refused, leaving those open.",
    ),
]
UseSourceOption = Annotated[
    str | None,
    typer.Option(
        "--use-source",
        help=(
            "A disagreement: write this source's value; an anomaly: the route's official "
            "source's (without it, the value in force stands)."
        ),
    ),
]


def _decide(
    verdict: str,
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
    use_source: str | None = None,
    skip_refused: bool = False,
    marked: list[tuple[Engine, int]] | None = None,
) -> None:
    from review import decisions

    if item_id is not None and not which.is_empty():
        raise bad_input("ID", f"{item_id}: give an item id or a filter (--kind, …), not both")
    if item_id is not None and skip_refused:
        raise bad_input("--skip-refused", "decides a filter's or a set's items: give no item id")
    check_filter(which.kind, which.source, which.route, which.model)
    check_sources("--use-source", [use_source] if use_source is not None else None)
    chosen = decisions.Verdict(verdict)
    check_reason(reason, "a rejection" if chosen is decisions.Verdict.REJECT else None)
    with catalog(db) as engine:
        check_reviewer(engine, reviewer)
        if marked is not None:
            marked.append((engine, decisions.newest_audit_row(engine)))
        skipped: Mapping[int, decisions.DecisionError] = {}  # what --skip-refused left open
        try:
            if item_id is not None:
                if chosen is decisions.Verdict.APPROVE:
                    made = [
                        decisions.approve(
                            engine,
                            item_id,
                            reviewer=reviewer,
                            reason=reason,
                            client_id=operator(),
                            override=override,
                            use_source=use_source,
                            dry_run=dry_run,
                        )
                    ]
                else:
                    made = [
                        decisions.reject(
                            engine,
                            item_id,
                            reviewer=reviewer,
                            reason=reason or "",
                            client_id=operator(),
                            dry_run=dry_run,
                        )
                    ]
            elif use_source is not None:
                raise decisions.DecisionError("--use-source decides one item: give its id")
            else:
                made, skipped = _decide_many(
                    engine, chosen, which, reviewer, reason, yes, dry_run, as_json, skip_refused
                )
                if dry_run:
                    return
        except decisions.DecisionError as exc:
            raise Refused(f"refused: {exc}") from None
    if as_json:
        decided = [decision_json(d, dry_run) for d in made]
        print_json(with_skipped(decided, skipped if skip_refused else None))
        return
    for d in made:
        _print_decision(d, chosen, dry_run)


def _print_decision(d: decisions.Decision, verdict: decisions.Verdict, dry_run: bool) -> None:
    """One line per decision, then with --dry-run each value it would close and open."""
    if not d.changed:
        say(f"#{d.item_id} already {d.status.value}, unchanged")
        return
    values = f"{plural(len(d.closed), 'value')} closed, {len(d.opened)} opened"
    if not dry_run:
        say(f"#{d.item_id} {verdict.status.value} ({values})")
        return
    say(f"dry run, nothing decided: #{d.item_id} would be {verdict.status.value} ({values})")
    for verb, rows in (("close", d.closed), ("open", d.opened)):
        for row in rows:
            dims = f" [{row['dimensions']}]" if row.get("dimensions") else ""
            unit = unit_label(row["unit"])
            say(f"  would {verb} {row['component']}{dims}: {row['value']} {unit}")


def check_set_alone(item_id: int | None, *others: str | None) -> None:
    """Refuse what `--set` would silently ignore: an item id, a filter (--kind, --route,
    --source) or --use-source; only --model narrows a set."""
    if item_id is not None or any(other is not None for other in others):
        raise bad_input(
            "--set",
            "decides one change set (narrowed only by --model): give no ID, --kind, --route, "
            "--source or --use-source with it",
        )


def check_filter(
    kind: str | None, source: str | None, route: str | None = None, model: str | None = None
) -> None:
    """Refuse a --kind that is no review kind, a --source no review item can cite (one not
    configured, other than 'submission': `check_queue_source`), and a --route or --model that
    is no name (`check_name`)."""
    from schemas.records import ReviewKind

    check_choice("--kind", kind, ReviewKind)
    check_queue_source("--source", source)
    for argument, name in (("--route", route), ("--model", model)):
        if name is not None:
            check_name(argument, name)


def _decide_many(
    engine: Engine,
    verdict: decisions.Verdict,
    which: decisions.Filter,
    reviewer: str,
    reason: str | None,
    yes: bool,
    dry_run: bool,
    as_json: bool = False,
    skip_refused: bool = False,
) -> tuple[list[decisions.Decision], dict[int, decisions.DecisionError]]:
    """A bulk decision: the matching open items listed (with --json and --dry-run, as JSON;
    a dry run lists every one, the question before a decision the first 20), each item the
    decision would refuse marked with why, and then, when any would be, refused in one line
    before any question (a dry run too: its exit says whether the decision would be made);
    else confirmed (unless `yes`), then decided all or nothing. `skip_refused`: the items that
    would be refused are named and left open, and the others decided (refused when none is
    left). Returns the decisions made and the refusals of the items left open."""
    from review import decisions

    if which.is_empty():
        raise bad_input(
            "ID",
            "give an item id, or a filter (--kind, --route, --model, --source) for a bulk decision",
        )
    from catalog.queries import QueueFilter

    with engine.connect() as conn:
        check_queue_filter(
            conn, QueueFilter(route=which.route, model=which.model, source=which.source)
        )
    matching = decisions.matching_open(engine, which)
    refused = decisions.refusals(
        engine,
        verdict,
        [i.id for i in matching],
        reviewer=reviewer,
        reason=reason,
        client_id=operator(),
        progress=long_progress(len(matching), "items checked"),
    )
    if as_json and dry_run:
        print_json(
            [
                {
                    "id": i.id,
                    "kind": i.kind.value,
                    "title": i.title,
                    "refused": str(refused[i.id]) if i.id in refused else None,
                }
                for i in matching
            ]
        )
    elif not as_json:
        # a dry run is read in full; the question before a decision shows the first 20
        shown = matching if dry_run else matching[:20]
        with for_a_person():  # its reader leaving (`--yes | head -2`) decides all the same
            say(
                *(
                    f"  #{item.id} {units_spelled(item.title)}{_refused(refused, item.id)}"
                    for item in shown
                )
            )
            if len(matching) > len(shown):
                say(f"  … and {len(matching) - len(shown)} more")
            say(f"{plural(len(matching), 'open item')} match{'es' if len(matching) == 1 else ''}")
    deciding = skipping(refused, [i.id for i in matching], skip_refused, as_json, dry_run)
    if dry_run or not matching:
        return [], refused
    asked = f"{verdict.value} all {len(matching)}?" if len(matching) > 1 else f"{verdict.value} it?"
    if refused:
        asked = f"{verdict.value} the other {plural(len(deciding), 'item')}?"
    if not yes and not confirmed(asked, err=as_json):
        raise Refused(NOT_CONFIRMED)
    progress = long_progress(len(deciding), f"items {verdict.status.value}")
    if refused:
        made = decisions.decide_items(
            engine,
            verdict,
            deciding,
            reviewer=reviewer,
            reason=reason,
            client_id=operator(),
            progress=progress,
        )
        return made, refused
    made = decisions.decide_many(
        engine,
        verdict,
        which,
        reviewer=reviewer,
        reason=reason,
        client_id=operator(),
        progress=progress,
    )
    return made, refused


def _refused(refused: Mapping[int, Exception], item_id: int) -> str:
    """' (refused: WHY)' after an item a bulk decision would refuse, else ''."""
    return f" (refused: {refused[item_id]})" if item_id in refused else ""


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
    use_source: UseSourceOption = None,
    skip_refused: SkipRefusedOption = False,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Approve an item, a change set (--set), or every open item a filter matches. Approving a
    disagreement or an anomaly keeps the value in force unless --use-source names the source to
    take (for an anomaly, the route's official source)."""
    _decide_command(
        "approve",
        item_id,
        reviewer,
        reason,
        _decisions_filter(kind, route, model, source),
        yes=yes,
        dry_run=dry_run,
        set_id=set_id,
        override=override,
        use_source=use_source,
        skip_refused=skip_refused,
        db=db,
        as_json=as_json,
    )


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
    skip_refused: SkipRefusedOption = False,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Reject an item, a change set (--set), or every open item a filter matches."""
    _decide_command(
        "reject",
        item_id,
        reviewer,
        reason,
        _decisions_filter(kind, route, model, source),
        yes=yes,
        dry_run=dry_run,
        set_id=set_id,
        skip_refused=skip_refused,
        db=db,
        as_json=as_json,
    )


def _decisions_filter(
    kind: str | None, route: str | None, model: str | None, source: str | None
) -> decisions.Filter:
    """The bulk decision's filter of these options (review/decisions.py Filter)."""
    from review import decisions

    return decisions.Filter(kind=kind, route=route, model=model, source=source)


def _decide_command(
    verdict: str,
    item_id: int | None,
    reviewer: str,
    reason: str | None,
    which: decisions.Filter,
    *,
    yes: bool,
    dry_run: bool,
    set_id: str | None,
    skip_refused: bool,
    db: str | None,
    as_json: bool,
    override: bool = False,
    use_source: str | None = None,
) -> None:
    """`review approve` or `review reject` (`verdict`): one item, a change set (`set_id`, which
    only --model narrows) or every open item `which` matches; an interrupt ends it in one line
    saying whether anything was decided (`decision_word`)."""
    marked: list[tuple[Engine, int]] = []  # the catalog once open, its newest audit row
    with interrupted_ends(decision_word(marked)):
        if set_id is not None:  # an empty one is refused, not read as none
            from ratecard.cli_sets import decide_set

            check_set_alone(item_id, which.kind, which.route, which.source, use_source)
            decide_set(
                verdict == "approve",
                set_id,
                model=which.model,
                reviewer=reviewer,
                reason=reason,
                override=override,
                yes=yes,
                dry_run=dry_run,
                db=db,
                as_json=as_json,
                skip_refused=skip_refused,
                marked=marked,
            )
            return
        _decide(
            verdict,
            item_id,
            reviewer,
            reason,
            which,
            yes=yes,
            dry_run=dry_run,
            db=db,
            as_json=as_json,
            override=override,
            use_source=use_source,
            skip_refused=skip_refused,
            marked=marked,
        )


# The secret's prompt left unanswered: the terminal's input ended (Ctrl-D) before one was given.
NO_SECRET = "nothing added (no secret given)"


def reviewer_add(
    name: Annotated[str, typer.Argument(help="The reviewer's name, e.g. alice.")],
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the secret from standard input.")
    ] = False,
    db: DbOption = None,
) -> None:
    """Create a reviewer account; the secret is stored as an argon2 hash."""
    from review.reviewers import (
        NOT_UTF8,
        ReviewerError,
        add_reviewer,
        validate_name,
        validate_secret,
    )

    try:
        validate_name(name)
    except ReviewerError as exc:
        raise bad_input("NAME", str(exc)) from None
    if password_stdin:
        try:
            secret = sys.stdin.readline().rstrip("\r\n")
        except UnicodeDecodeError:  # a standard input that decodes strictly
            raise bad_input("--password-stdin", NOT_UTF8) from None
    elif not sys.stdin.isatty():  # no terminal to prompt on without echoing the secret
        raise bad_input(
            "--password-stdin", "standard input is no terminal: pipe the secret in with it"
        )
    else:
        try:
            secret = typer.prompt("Secret", hide_input=True, confirmation_prompt=True)
        except typer.Abort:
            raise Refused(NO_SECRET) from None
    try:
        validate_secret(secret)
    except ReviewerError as exc:
        raise bad_input("--password-stdin" if password_stdin else "secret", str(exc)) from None
    with catalog(db, create=True) as engine:
        try:
            add_reviewer(engine, name, secret, actor=operator())
        except ReviewerError as exc:
            raise Refused(f"refused: {exc}") from None
    say(f"reviewer {name} added")


def reviewer_list(db: DbOption = None, as_json: JsonOption = False) -> None:
    """The reviewer accounts (names and whether active; never the secrets)."""
    from review.reviewers import list_reviewers
    from schemas.records import clock_text

    with catalog(db) as engine:
        found = list_reviewers(engine)
    if as_json:
        print_json(found)
        return
    if not found:
        say("no reviewer yet: `ratecard reviewer add NAME` adds one")
        return
    say(
        *(
            f"{r['name']}  {'active' if r['active'] else 'inactive'}"
            f"  added {clock_text(str(r['created_at']))}"
            for r in found
        )
    )


def submit(
    route: Annotated[str, typer.Argument(help="Who sells the model, e.g. anthropic.")],
    model: Annotated[str, typer.Argument(help="The model, e.g. claude-sonnet-4-5.")],
    url: Annotated[str, typer.Argument(help="Where the price is stated (http or https).")],
    claim: Annotated[
        list[str],
        typer.Option(
            "--claim",
            "-c",
            metavar="CLAIM",
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
    from review import submissions as submitted
    from schemas.records import clock_text

    try:
        claims = [submitted.parse_claim_text(text) for text in claim]
    except submitted.SubmissionError as exc:
        raise bad_input("--claim", str(exc)) from None
    site = status_site()  # refused before anything is stored
    with catalog(db) as engine:
        if submitter is not None:
            from review.reviewers import reviewer_exists

            with engine.connect() as conn:
                if not reviewer_exists(conn, submitter):
                    raise bad_input("--as", f"no active reviewer named {submitter!r}")
        try:
            created = submitted.submit(
                engine,
                route=route,
                model=model,
                source_url=url,
                claims=claims,
                contact=contact,
                submitter=submitter,
                client_id=operator(),
            )
        except submitted.SubmissionError as exc:
            raise bad_input(_submitted_argument(str(exc)), str(exc)) from None
    page = f"{site}/submissions/{created['token']}"
    if as_json:
        print_json({**created, "status_page": page})
        return
    say(
        f"submission #{created['id']} stored; due {clock_text(created['due_at'])}; "
        f"status page {page}"
    )


SERVED_AT = "http://127.0.0.1:8000"  # where `ratecard serve` answers by default


def status_site() -> str:
    """The address a submitter opens their status page at: RATECARD_PUBLIC_URL (the web app's
    public address, which escalations link to as well), else `ratecard serve`'s default. The
    path alone ('/submissions/TOKEN') was no link a person could open. An address that is no
    web app's (review/escalation.py `public_url_from_env`) is refused naming the variable."""
    from review.escalation import PUBLIC_URL_ENV, EscalationError, public_url_from_env

    try:
        return public_url_from_env() or SERVED_AT
    except EscalationError as exc:
        raise bad_input(PUBLIC_URL_ENV, str(exc)) from None


def _submitted_argument(message: str) -> str:
    """The argument a submission's refusal names: its message starts with the part it checks."""
    for part, argument in (
        ("route", "ROUTE"),
        ("model", "MODEL"),
        ("source URL", "URL"),
        ("contact", "--contact"),
    ):
        if message.startswith(part):
            return argument
    return "--claim"


def status(
    within: Annotated[str, typer.Option(help="What counts as due soon, e.g. 12h.")] = "12h",
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """The promise at a glance: open, due-soon and overdue items, submissions not yet fetched."""
    due_soon = parse_duration(within, "--within")
    from catalog import queries

    with catalog(db) as engine, engine.connect() as conn:
        report = queries.sla_report(conn, datetime.now(UTC), due_soon)
    counts = {**report["counts"], "pending_submissions": len(report["pending_submissions"])}
    promise = report["promise"]
    if as_json:
        print_json({**counts, **promise})
        return
    print_table(
        "review queue",
        ("", "open", f"due within {within}", "overdue"),
        [
            (label, row["open"], row["due_soon"], row["overdue"])
            for label, row in (
                ("submissions", promise["submissions"]),
                ("machine items", promise["machine"]),
                ("all", counts),
            )
        ],
    )
    say(f"{plural(counts['pending_submissions'], 'submission')} waiting to be fetched")


def process_submissions(
    db: DbOption = None, limit: LimitOption = 100, as_json: JsonOption = False
) -> None:
    """Fetch pending submissions safely and open their review items (the Prefect flow).
    Interrupted: one line saying what was kept, exit 130."""
    run: list[bool] = []  # once the flow run is under way

    def last_word(interruption: Interruption) -> str:
        said = f"ratecard process-submissions: {interruption.reason or 'interrupted'}; "
        if not run:
            return said + "nothing done (no run had started)"
        return said + (
            "each submission it had processed keeps its review item; the others stay pending "
            "for the next run"
        )

    def process(progress: Progress) -> list[dict[str, Any]]:
        from flows.submissions import process_submissions as flow

        progress("*", "running the flow")
        run.append(True)
        return flow(database=db, limit=limit)

    with interrupted_ends(last_word) as interruption:
        check_catalog(db)
        prefect_ready()
        results = run_in_flow(interruption, process)
    if as_json:
        print_json(results)
        return
    say(
        *(
            f"submission #{r['submission']} failed: {r['detail']}"
            if r["review_item"] is None
            else f"submission #{r['submission']} → item #{r['review_item']}: {r['fetch']}, "
            f"{r['found']}/{r['claims']} claims found"
            for r in results
        ),
        f"{len(results)} submissions processed",
    )


def check_address(host: str, port: int) -> None:
    """Refuse, before anything starts or is created, an address the server could not listen
    on: a host that does not resolve or is not this machine's ('--host'), a port in use or
    not allowed ('--port'). Binds a socket and closes it at once."""
    import errno
    import socket

    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise bad_input("--host", f"{host!r}: {getattr(exc, 'strerror', None) or exc}") from None
    family, kind, proto, _, address = found[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as exc:
            argument = "--port" if exc.errno in (errno.EADDRINUSE, errno.EACCES) else "--host"
            raise bad_input(argument, f"cannot listen on {host}:{port}: {exc.strerror}") from None


def serve(
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8000,
    host: Annotated[str, typer.Option(help="Address to bind (loopback by default).")] = "127.0.0.1",
    db: DbOption = None,
) -> None:
    """Serve the web app: the review queue, submissions and the JSON API (docs at /docs). A
    missing catalog (or an empty server database) is created, as a new deployment starts."""
    check_address(host, port)
    check_catalog(db, create=True)
    import uvicorn

    from webapp import create_app

    # The app reads X-Forwarded-For itself, from configured proxies only (RATECARD_TRUSTED_PROXIES).
    uvicorn.run(create_app(db), host=host, port=port, proxy_headers=False)
