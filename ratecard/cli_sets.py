"""Change sets, triage and undo on the command line. ratecard.cli registers these commands;
heavy modules are imported inside them.

    ratecard review sets [--kind K] [--route R] [--source S] [--limit N] [--json]
    ratecard review approve --set ID [--model M] [--dry-run] [--yes] --reviewer NAME [--reason T]
    ratecard review reject --set ID [--model M] [--dry-run] [--yes] --reviewer NAME --reason T
    ratecard review undo ID --reviewer NAME --reason TEXT
    ratecard review triage
    ratecard sla-watch [--within 12h] [--webhook URL]

`approve --set` and `reject --set` (the options live on the commands in ratecard.cli_queue) print
exactly the fields the decision changes, then decide the set's open items in one transaction,
one audit record per item.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Annotated, Any

import typer

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
    confirmed,
    interrupted_ends,
    operator,
    parse_duration,
    prefect_ready,
    run_in_flow,
    spelling_hint,
)
from ratecard.output import for_a_person, note_cut, plural, print_json, progress_lines

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from ratecard.options import Interruption
    from ratecard.output import Progress
    from review import decisions


def _line(text: str) -> None:
    """One plain line: never cut or re-wrapped when piped."""
    typer.echo(text)


def _fields(count: int) -> str:
    """What a set's items propose, as its line says it: '4 fields', or 'no field to change' for
    a set of anomalies or unmapped names about records set aside, which a decision acknowledges
    and which change no value ('1 item, 0 fields' read as an empty set)."""
    return plural(count, "field") if count else "no field to change"


def _citing(items: int, whole: int, source: str | None) -> str:
    """' (12 cite litellm)' after a set's whole size when a source filter is given: a set
    decision covers all of the set's open items, not only those citing the source."""
    if source is None:
        return ""
    return f" ({'all' if items == whole else items} cite {source})"


# The heading line of `review sets`: one tab-separated line per set follows it, so the columns
# read under their names in a terminal and `cut -f1` still takes the set ids.
SET_COLUMNS = ("set", "items, fields", "due", "priority", "label")


def review_sets(
    kind: Annotated[str | None, typer.Option(help="Only sets of this kind.")] = None,
    route: Annotated[str | None, typer.Option(help="Only sets for this route.")] = None,
    source: Annotated[str | None, typer.Option(help="Only sets citing this source.")] = None,
    limit: LimitOption = 50,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """The change sets of the open review items, soonest due first, with items and fields:
    a heading line, the first --limit of them (one tab-separated line each), then one line
    counting every set and open item that matched."""
    from catalog import queries
    from review import sets
    from schemas.records import ReviewKind, clock_text

    check_choice("--kind", kind, ReviewKind)
    check_queue_source("--source", source)
    if route is not None:
        check_name("--route", route, "the route")
    which = queries.QueueFilter(kind=kind, route=route, source=source)
    with catalog(db) as engine:
        with engine.connect() as conn:
            check_queue_filter(conn, which)
        found = sets.list_sets(engine, which)
    if as_json:
        _line(json.dumps(found[:limit], indent=2))
        note_cut(min(limit, len(found)), len(found), "sets")
        return
    if found:
        _line("\t".join(SET_COLUMNS))
    for s in found[:limit]:
        _line(
            f"{s['id']}\t{plural(s['set_items'], 'item')}, {_fields(s['set_fields'])}"
            f"{_citing(s['items'], s['set_items'], source)}"
            f"\tdue {clock_text(s['due_at'])}\tP{s['priority']}\t{s['label']}"
        )
    shown = f" (showing {limit})" if len(found) > limit else ""
    items = sum(s["set_items"] for s in found)
    cited = sum(s["items"] for s in found)
    citing = f", {cited} citing {source}" if source is not None else ""
    _line(f"{plural(len(found), 'set')}, {plural(items, 'open item')}{citing}{shown}")


def decision_json(d: decisions.Decision, dry_run: bool) -> dict[str, Any]:
    """A decision as --json prints it: each value's dimensions an object, as `review show` and
    `show` give them; a rehearsal's values to open without an id (the real decision gives them
    theirs)."""
    from schemas.field import Dims

    def value(row: dict[str, Any], rehearsed: bool) -> dict[str, Any]:
        shown = {**row, "dimensions": dict(Dims.parse(row.get("dimensions") or ""))}
        if rehearsed:
            shown.pop("id", None)
        return shown

    return {
        **vars(d),
        "closed": [value(row, False) for row in d.closed],
        "opened": [value(row, dry_run) for row in d.opened],
        "dry_run": dry_run,
    }


def with_skipped(decided: list[dict[str, Any]], skipped: Mapping[int, object] | None) -> Any:
    """What --json prints of a bulk or set decision: its decisions; with --skip-refused
    (`skipped` not None), an object of them ('decided') and of the items it left open
    ('skipped': id and refusal)."""
    if skipped is None:
        return decided
    return {
        "decided": decided,
        "skipped": [{"id": i, "refused": str(why)} for i, why in sorted(skipped.items())],
    }


def skipping(
    refused: Mapping[int, decisions.DecisionError],
    item_ids: Sequence[int],
    skip_refused: bool,
    as_json: bool,
    dry_run: bool = False,
) -> list[int]:
    """The items of a bulk or set decision to decide: all of `item_ids` when none would be
    refused. Else, with `skip_refused`, the others, the refused ones named as left open (on
    standard error with --json); without it, or when every one would be refused, the decision
    is refused in one line (DecisionError) before any question, naming --skip-refused where it
    would decide some."""
    from review import decisions

    if not refused:
        return list(item_ids)
    deciding = [i for i in item_ids if i not in refused]
    if not skip_refused or not deciding:
        refusal = decisions.refusing(dict(refused), len(item_ids))
        if deciding:
            hint = f"; --skip-refused decides the other {plural(len(deciding), 'item')}"
        else:
            hint = "; --skip-refused leaves nothing to decide" if skip_refused else ""
        raise type(refusal)(f"{refusal}{hint}")
    named = ", ".join(f"#{i}" for i in sorted(refused)[:10]) + (", …" if len(refused) > 10 else "")
    verb = "would skip" if dry_run else "skipping"
    typer.echo(f"{verb} {plural(len(refused), 'refused item')}, left open: {named}", err=as_json)
    return deciding


def decision_word(marked: Sequence[tuple[Engine, int]]) -> Callable[[Interruption], str]:
    """The line an interrupted decision ends with ('ratecard review approve: interrupted;
    nothing decided'). `marked`: the catalog, once open, and its audit log's newest row then
    (decisions.newest_audit_row). A decision is one transaction, rolled back when interrupted:
    the audit log says whether it had been committed before the signal came."""
    from typer._click.globals import get_current_context

    from review import decisions

    command = get_current_context().command_path

    def word(interruption: Interruption) -> str:
        reason = interruption.reason or "interrupted"
        written = decisions.decided_since(*marked[0]) if marked else 0
        if not written:
            return f"{command}: {reason}; nothing decided"
        return (
            f"{command}: {reason} once its decision was committed "
            f"({plural(written, 'decision')} recorded; `review list` shows them)"
        )

    return word


LONG_DECISION = 1000  # items: a decision on more says on standard error how far it is, each 1000


def long_progress(items: int, what: str) -> Callable[[int, int], None] | None:
    """For a bulk or set decision (or its rehearsal) on more than LONG_DECISION items, progress
    lines on standard error every LONG_DECISION items ('1000 of 3872 items approved'), as
    `publish` counts its pages: such a decision took some 20 s in silence. None for a shorter
    one, whose output is as it was."""
    return progress_lines(what, LONG_DECISION) if items > LONG_DECISION else None


def decide_set(
    approve: bool,
    set_id: str,
    *,
    model: str | None,
    reviewer: str,
    reason: str | None,
    override: bool,
    yes: bool,
    dry_run: bool,
    db: str | None,
    as_json: bool,
    skip_refused: bool = False,
    marked: list[tuple[Engine, int]] | None = None,
) -> None:
    """`review approve|reject --set ID`: print the fields it changes, then decide (or not);
    `skip_refused`: the items the decision would refuse left open, the others decided;
    `marked`: given the catalog once open and its newest audit row (`decision_word`)."""
    from review import decisions, sets

    if not set_id:  # an unset shell variable: read as no --set, it asked for an ID or a filter
        raise bad_input("--set", "empty: give a set id, as `review sets` lists them")
    if not sets.well_formed(set_id):
        raise bad_input(
            "--set",
            f"{set_id[:120]!r}: a set id is RUN:SOURCE:ROUTE:KIND (':MODEL' after new_model) or "
            "submission:ID, as `review sets` lists them",
        )
    if model is not None:  # an empty one would select no model: the whole set
        check_name("--model", model, "the model")
    verdict = decisions.Verdict.APPROVE if approve else decisions.Verdict.REJECT
    check_reason(reason, None if approve else "a rejection")  # before the preview, not after it
    selection = sets.Selection(set_id=set_id, model=model)
    with catalog(db) as engine:
        check_reviewer(engine, reviewer)
        if marked is not None:
            marked.append((engine, decisions.newest_audit_row(engine)))
        _decide_set(
            engine,
            verdict,
            selection,
            reviewer,
            reason,
            override,
            yes,
            dry_run,
            as_json,
            skip_refused,
        )


def _decide_set(
    engine: Any,
    verdict: Any,
    selection: Any,
    reviewer: str,
    reason: str | None,
    override: bool,
    yes: bool,
    dry_run: bool,
    as_json: bool,
    skip_refused: bool,
) -> None:
    from review import decisions, sets

    set_id, model = selection.set_id, selection.model
    if sets.get_set(engine, set_id) is None:
        raise Refused(f"no change set {set_id} (`review sets` lists them)")
    try:
        found = sets.items(engine, selection)
        if not found:
            with engine.connect() as conn:
                hint = spelling_hint(conn, None, model) if model else ""
            raise sets.SetError(
                f"set {set_id} has no open items{f' for {model}' if model else ''}{hint}"
            )
        refused = decisions.refusals(
            engine,
            verdict,
            [i.id for i in found],
            reviewer=reviewer,
            reason=reason,
            client_id=operator(),
            override=override,
            progress=long_progress(len(found), "items checked"),
        )
        rows = sets.preview(found, refused)
        if not as_json or dry_run:
            with for_a_person():  # its reader leaving (`--yes | head -2`) decides all the same
                _print_preview(rows, as_json=as_json)
        # said before any question: the decision would not be made, or not on these
        deciding = skipping(refused, [i.id for i in found], skip_refused, as_json, dry_run)
        if dry_run:
            return
        asked = f"{verdict.value} {plural(len(found), 'item')} of set {set_id}?"
        if refused:
            selection = sets.Selection(set_id=set_id, model=model, item_ids=tuple(deciding))
            asked = f"{verdict.value} the other {plural(len(deciding), 'item')} of set {set_id}?"
        if not yes and not confirmed(asked, err=as_json):
            raise Refused(NOT_CONFIRMED)
        made = sets.decide(
            engine,
            verdict,
            selection,
            reviewer=reviewer,
            reason=reason,
            client_id=operator(),
            override=override,
            progress=long_progress(len(deciding), f"items {verdict.status.value}"),
        )
    except decisions.DecisionError as exc:
        raise Refused(f"refused: {exc}") from None
    if as_json:
        decided = [decision_json(d, False) for d in made]  # as a filter's decision prints
        shown = with_skipped(decided, refused if skip_refused else None)
        print_json(shown)
        return
    opened = sum(len(d.opened) for d in made)
    closed = sum(len(d.closed) for d in made)
    _line(
        f"{plural(len(made), 'item')} {verdict.status.value}: {plural(opened, 'value')} opened, "
        f"{closed} closed"
    )


def _print_preview(rows: list[dict[str, Any]], *, as_json: bool) -> None:
    from schemas.vocab import units_spelled

    if as_json:
        _line(json.dumps(rows, indent=2))
        return
    for r in rows:
        pct = f" ({r['pct_change']:+.1f}%)" if r["pct_change"] is not None else ""
        if r["refused"] or (r["current"] is None and r["proposed"] is None):
            what = r["effect"]
        else:
            what = f"{r['current'] if r['current'] is not None else '—'} → {r['proposed']}{pct}"
        field = units_spelled(r["field"])  # the JSON keeps the unit's token
        _line(f"#{r['item']}\t{r['route']}/{r['model']}\t{field}\t{what}")
    _line(_preview_total(rows))


def _preview_total(rows: list[dict[str, Any]]) -> str:
    """The preview's last line: '12 fields in 7 items', its fields those a decision would
    change. A set of anomalies about records set aside (a row per whole item, which writes no
    value) said '2 fields in 2 items' where `review sets` says it changes none."""
    from review.sets import WHOLE_ITEM

    items = plural(len({r["item"] for r in rows}), "item")
    fields = sum(1 for r in rows if r["field"] != WHOLE_ITEM)
    return f"{plural(fields, 'field')} in {items}" if fields else f"{items}, no field to change"


def review_undo(
    item_id: Annotated[int, typer.Argument(min=1, max=MAX_ID, metavar="ID", help="The item.")],
    reviewer: Annotated[str, typer.Option("--reviewer", "-r", help="Who undoes (must exist).")],
    reason: Annotated[str, typer.Option(help="Why (required, recorded).")],
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Undo a decision: the values before it come back in force, the item is open again."""
    marked: list[tuple[Engine, int]] = []
    with interrupted_ends(decision_word(marked)):
        from review import decisions

        check_reason(reason, "an undo")
        try:
            with catalog(db) as engine:
                check_reviewer(engine, reviewer)
                marked.append((engine, decisions.newest_audit_row(engine)))
                done = decisions.undo(engine, item_id, reviewer=reviewer, reason=reason)
        except decisions.DecisionError as exc:
            raise Refused(f"refused: {exc}") from None
    if as_json:
        print_json(decision_json(done, False))
        return
    _line(
        f"#{item_id} open again: {plural(len(done.closed), 'value')} closed, "
        f"{len(done.opened)} restored"
    )


def review_triage(db: DbOption = None, as_json: JsonOption = False) -> None:
    """Give open items not yet triaged (from before triage existed) priority, due time, set."""
    from review import triage

    with catalog(db) as engine:
        triaged = triage.assign_pending(engine)
    if as_json:
        print_json({"triaged": triaged})
        return
    _line(f"{plural(triaged, 'item')} triaged")


def sla_watch(
    within: Annotated[str, typer.Option(help="What counts as due soon, e.g. 12h.")] = "12h",
    webhook: Annotated[
        str | None,
        typer.Option(help="Escalate to this URL (default: RATECARD_ESCALATION_WEBHOOK)."),
    ] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Run the sla-watch flow now: report items due soon and overdue, escalate each once.

    Escalations the receiver did not accept: the report is printed all the same, then one line
    naming them on standard error, exit 1 (the next run sends them again). Interrupted: one
    line saying what was sent, exit 130."""
    import logging

    from review.escalation import (
        PUBLIC_URL_ENV,
        WEBHOOK_ENV,
        EscalationError,
        Undelivered,
        public_url_from_env,
        webhook_from_env,
    )

    run: list[str | None] = []  # the webhook, once the flow run is under way

    def last_word(interruption: Interruption) -> str:
        said = f"ratecard sla-watch: {interruption.reason or 'interrupted'}; "
        if not run:
            return said + "nothing done (no run had started)"
        if run[0] is None:
            return said + "nothing sent (no webhook configured)"
        return said + "each escalation sent is recorded sent; the next run sends the others"

    with interrupted_ends(last_word) as interruption:
        hours = parse_duration(within, "--within").total_seconds() / 3600
        if webhook is not None and not webhook.strip():  # not "no webhook": a URL left out
            raise bad_input(
                "--webhook", f"the URL is empty; leave --webhook out to use {WEBHOOK_ENV}"
            )
        try:
            url = webhook_from_env(webhook)  # a bad URL is named before the flow starts
        except EscalationError as exc:
            raise bad_input("--webhook" if webhook else WEBHOOK_ENV, str(exc)) from None
        if url:  # its escalations link the items' pages
            try:
                public_url_from_env()
            except EscalationError as exc:
                raise bad_input(PUBLIC_URL_ENV, str(exc)) from None
        check_catalog(db)
        prefect_ready()

        def watch(progress: Progress) -> dict[str, Any]:
            from flows.sla import sla_watch as flow

            progress("*", "running the flow")
            run.append(url)
            return flow(database=db, within_hours=hours, webhook_url=url)

        undelivered: Undelivered | None = None
        runs_log = logging.getLogger("prefect.flow_runs")
        quiet = _WithoutTraceback(Undelivered)
        runs_log.addFilter(quiet)  # the command says it in one line; the run still fails
        try:
            report = run_in_flow(interruption, watch)
        except Undelivered as exc:
            undelivered, report = exc, exc.report
        except EscalationError as exc:
            raise Refused(f"refused: {exc}") from None
        finally:
            runs_log.removeFilter(quiet)
    _print_sla(report, within, as_json)
    if undelivered is not None:
        raise Refused(undelivered.summary())


class _WithoutTraceback:
    """A logging filter that drops records logged with an exception of `kind` (Prefect logs a
    failed flow's exception with its traceback)."""

    def __init__(self, kind: type[BaseException]) -> None:
        self.kind = kind

    def filter(self, record: Any) -> bool:
        """False for a record carrying an exception of `kind`."""
        return not (record.exc_info and isinstance(record.exc_info[1], self.kind))


def _print_sla(report: dict[str, Any], within: str, as_json: bool) -> None:
    """The sla-watch report: JSON, or a line per promise (submissions, machine items) and one
    counting the escalations sent."""
    if as_json:
        print_json(report)
        return
    for who, row in report["promise"].items():
        _line(
            f"{who}: {row['open']} open, {row['due_soon']} due within {within}, "
            f"{row['overdue']} overdue"
        )
    sent = report.get("escalations")
    _line(f"{len(sent['sent'])} escalations sent" if sent else "no webhook configured: none sent")
