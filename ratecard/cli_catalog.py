"""The catalog's commands: refresh, runs, show, routes, the disagreement report, review list/show.

    ratecard refresh [--replay WORLD.json] [--source NAME ...] [--accept-new] [--json]
    ratecard runs [--limit N] [--json]
    ratecard show ROUTE/MODEL [--json]
    ratecard routes MODEL [--json]
    ratecard report disagreements [--source NAME ...] [--json]
    ratecard review list [--status S] [--kind K] [--route R] [--source S] [--due-within 12h]
    ratecard review show ID [--json]

Every command but `refresh` only reads: it needs an existing catalog and creates nothing.
`refresh` checks its arguments (world file, sources, catalog URL) before Prefect starts.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from ratecard.options import (
    EXIT_OK,
    EXIT_RUN_FAILED,
    EXIT_SOURCES_FAILED,
    MAX_ID,
    AtOption,
    DbOption,
    Interruption,
    JsonOption,
    LimitOption,
    Refused,
    bad_input,
    catalog,
    check_choice,
    check_name,
    check_queue_filter,
    check_queue_source,
    check_sources,
    given_path,
    interrupted_ends,
    parse_at,
    parse_duration,
    parse_target,
    prefect_ready,
    run_in_flow,
    without_collector,
)
from ratecard.output import (
    field_name,
    for_a_person,
    heading,
    measure_name,
    note_cut,
    plural,
    print_json,
    print_table,
    reason_lines,
    say,
)
from schemas.vocab import unit_label, units_spelled

if TYPE_CHECKING:
    from prefect.client.schemas.objects import State
    from sqlalchemy import Connection, Engine

    from catalog.views import Capabilities, FieldView, ReviewDetail
    from ratecard.output import Progress
    from schemas.records import Run
    from spiders.ahead import FetchAhead

RUN_COLUMNS = (
    "source",
    "status",
    "responses",
    "observations",
    "quarantined",
    "stamped",
    "review items",
    "observed at",
    "reason",
)

SourceNames = Annotated[
    list[str] | None,
    typer.Option("--source", "-s", metavar="SOURCE", help="Only these sources (repeatable)."),
]


def check_world(path: Path) -> None:
    """Refuse a replay world that cannot be served: not a manifest, or naming missing files;
    or that a run cannot record (a path longer than the catalog keeps, store.world_unfit).

    Checked here so that a bad `--replay` answers at once, before Prefect's server starts; a
    path that is no readable file is refused in Click's words, as for any path option.
    """
    from catalog.store import world_unfit
    from spiders.replay import World

    if not path.exists():
        raise bad_input("--replay", f"file {str(path)!r} does not exist.")
    if path.is_dir():
        raise bad_input("--replay", f"file {str(path)!r} is a directory.")
    if not os.access(path, os.R_OK):
        raise bad_input("--replay", f"file {str(path)!r} is not readable.")
    unfit = world_unfit(str(path.resolve()))
    if unfit:
        raise bad_input("--replay", f"{path}: {unfit}")
    manifest = "not a world manifest"
    try:
        world = World.load(path)
    except UnicodeDecodeError:
        raise bad_input("--replay", f"{path}: {manifest} (not UTF-8 text)") from None
    except json.JSONDecodeError as exc:
        raise bad_input("--replay", f"{path}: {manifest} (bad JSON: {exc})") from None
    except KeyError as exc:
        lacking = "the manifest lacks" if exc.args == ("responses",) else "an entry lacks"
        raise bad_input("--replay", f"{path}: {manifest} ({lacking} {exc})") from None
    except ValueError as exc:
        raise bad_input("--replay", f"{path}: {manifest} (a bad value: {exc})") from None
    except (TypeError, AttributeError):
        shape = "an object whose 'responses' is a list of entries"
        raise bad_input("--replay", f"{path}: {manifest} (expected {shape})") from None
    if not world.responses:
        raise bad_input("--replay", f"{path}: the world records no responses")
    files = (r.file for r in world.responses.values() if r.file is not None)
    missing = sorted(str(file) for file in files if not file.is_file())
    if missing:
        raise bad_input(
            "--replay",
            f"{path}: {plural(len(missing), 'recorded file')} missing, e.g. {missing[0]}",
        )


def refresh(
    replay: Annotated[
        Path | None,
        typer.Option(
            parser=given_path("--replay", "leave --replay out to fetch the live sources"),
            metavar="FILE",
            help="Replay this recorded world over loopback HTTP.",
        ),
    ] = None,
    source: SourceNames = None,
    accept_new: Annotated[
        bool,
        typer.Option(
            "--accept-new",
            help="Policy for loading an empty catalog: new values enter without review "
            "(official ones verified, secondary ones unverified with their source named); on "
            "a catalog that holds values, what is new goes to review.",
        ),
    ] = False,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Fetch the sources, validate, compare with the catalog and apply in one transaction.

    Exit 0: every source read in full or in part; 1: some source failed and changed nothing
    (the others applied); 2: the run failed (every source chosen failed, `--source` ones too,
    or an error: nothing applied), Prefect's temporary server ended under it, or an argument
    was refused; 130: interrupted (one line says whether the apply had committed).
    """
    from catalog import runlog
    from spiders.ahead import FetchAhead

    held: list[tuple[Engine, int]] = []  # the catalog, once held, and its newest run then
    # From the command's start: a signal while it checks its arguments, imports Prefect or opens
    # the catalog ended it with exit 130 and not a word.
    with (
        without_collector("flows.refresh"),
        interrupted_ends(lambda i: _last_word(held, i)) as interruption,
        ExitStack() as stack,
    ):
        if replay is not None:
            check_world(replay)
        check_sources("--source", source)
        if source:  # a source named twice is one source (it was crawled and printed twice)
            source = list(dict.fromkeys(source))
        # The download starts now, in a child on the other core, while Prefect and the flow's
        # modules load (spiders/ahead.py); the flow takes what it read. A live one reaches the
        # sources themselves: it starts once this command holds the catalog's refresh lock, so
        # that a command refused (Prefect unreachable, another refresh running: "nothing
        # started") has requested nothing of them, nor written the HTTP cache beside the crawl
        # of the refresh that runs.
        ahead = None if replay is None else stack.enter_context(FetchAhead(source or [], replay))
        prefect_ready()
        # The catalog's refresh lock is taken here, before Prefect starts, and handed to the
        # flow run in this process: a second refresh is refused at once, even while this one
        # starts up.
        with catalog(db, create=True) as engine, _held(engine), ExitStack() as live:
            held.append((engine, runlog.newest_run(engine)))
            if ahead is None:  # ended before the lock is let go
                ahead = live.enter_context(FetchAhead(source or [], None))
            try:
                state = _run_flow(replay, source, db, accept_new, interruption, ahead)
            except KeyboardInterrupt:  # told while the refresh lock is held
                interruption.tell_once(_last_word(held, interruption))
                raise typer.Exit(interruption.exit_code) from None
            if interruption.raised:
                # The signal landed where the flow took it for a failure (in a source's
                # crawl: that source failed, and the run ended): interrupted all the same.
                interruption.tell_once(_last_word(held, interruption))
                raise typer.Exit(interruption.exit_code)
        # The report too: a signal while it is read or printed ends the command in its one
        # line (the run had applied), not in a traceback or the signal's own death.
        run_id = state.result(raise_on_failure=False) if state.is_final() else None
        run = _own_run(db, run_id) if isinstance(run_id, int) else None
        with for_a_person():  # its reader leaving (`| head -2`): the run's exit all the same
            if as_json:
                print_json(
                    {
                        "state": state.name,
                        "message": state.message,
                        "run": run.model_dump(mode="json") if run else None,
                    }
                )
            else:
                if run is not None:
                    _print_run(run)
                say(state.message or state.type.value)
    if not state.is_completed() or run is None:
        raise typer.Exit(EXIT_RUN_FAILED)
    raise typer.Exit(EXIT_OK if run.status == "ok" else EXIT_SOURCES_FAILED)


class RefreshRefused(Refused):
    """Another refresh holds the catalog: refused before Prefect starts (exit 2, as the flow's
    own refusal, which guards the refreshes no command started, a deployment's)."""

    exit_code = EXIT_RUN_FAILED


@contextmanager
def _held(engine: Engine) -> Iterator[None]:
    """This catalog's refresh lock for the refresh this command runs (catalog/runlog.py);
    RefreshRefused, naming the running refresh, when another holds it."""
    from catalog import runlog

    try:
        with runlog.held_for_refresh(engine):
            yield
    except runlog.RefreshRunning as exc:
        raise RefreshRefused(f"refused: {exc}") from None


def _last_word(held: Sequence[tuple[Engine, int]], interruption: Interruption) -> str:
    """The one line an interrupted refresh ends with: why, and whether anything was applied.
    `held`: the catalog and its newest run when this command took its refresh lock, or nothing
    before (no run can have started). Its run, the newest after that one (this command holds
    the lock, no other can start one), is ended as its apply left it (runlog.end_broken_run)."""
    from catalog import runlog

    reason = interruption.reason or "interrupted"
    if not held:
        return f"ratecard refresh: {reason}; nothing applied (no run had started)"
    engine, before = held[0]
    run_id = runlog.newest_run(engine)
    if run_id <= before:
        return f"ratecard refresh: {reason}; nothing applied (no run had started)"
    status = runlog.end_broken_run(engine, run_id, reason, datetime.now(UTC))
    if runlog.applied(engine, run_id):
        return (
            f"ratecard refresh: {reason}; run {run_id} had applied everything "
            f"(one transaction) and is recorded {status}"
        )
    return f"ratecard refresh: {reason}; nothing applied (run {run_id} recorded {status})"


def _run_flow(
    replay: Path | None,
    source: list[str] | None,
    db: str | None,
    accept_new: bool,
    interruption: Interruption,
    ahead: FetchAhead,
) -> State[Any]:
    """Run the refresh flow in this process; its steps go to standard error as they happen
    (a spinner on a terminal, one plain line each on a pipe or a log), its fetch taken from
    `ahead`. Returns its final state."""
    import asyncio
    import gc

    # The flow's modules (Prefect, Scrapy, polars, SQLAlchemy) build ~3.4 x 10^5 objects as they
    # load, none of them garbage: the cyclic collector paused meanwhile saves it re-walking them
    # (~0.2 s of ~1.3 s), and frozen after, its later collections skip them.
    gc.disable()
    try:
        from flows import refresh as refresh_flow
    finally:
        gc.enable()
    gc.freeze()

    async def run_flow(progress: Progress) -> State[Any]:
        return await refresh_flow.refresh(
            sources=source,
            replay=str(replay.resolve()) if replay else None,
            database=db,
            accept_new=accept_new,
            progress=progress,
            ahead=ahead,
            return_state=True,
        )

    return run_in_flow(interruption, lambda progress: asyncio.run(run_flow(progress)))


def _own_run(db: str | None, run_id: int) -> Run | None:
    """The run this refresh's flow recorded (its result), not merely the newest: others may
    overlap or have started since."""
    from catalog import queries

    with catalog(db) as engine, engine.connect() as conn:
        return queries.get_run(conn, run_id)


def _print_run(run: Run) -> None:
    kept = [
        f"{count} {what}"
        for count, what in (
            (run.decided_before, "not opened again (decided before on the same evidence)"),
            (run.stale_items, "stale (premise gone or decided meanwhile)"),
            (run.reopened_items, "reopened (closed without a decision, proposed again)"),
        )
        if count
    ]
    print_table(
        f"run {run.id} ({run.policy}) {run.status}  {run.world or 'live'}"
        + (f"  items {'; '.join(kept)}" if kept else ""),
        RUN_COLUMNS,
        (
            (
                s.source,
                s.status.value,
                s.responses,
                s.observations,
                s.quarantined,
                s.stamped,
                s.review_items,
                s.observed_at.date().isoformat() if s.observed_at else "",
                s.reason,
            )
            for s in run.sources
        ),
    )


def runs(db: DbOption = None, limit: LimitOption = 10, as_json: JsonOption = False) -> None:
    """The latest refreshes and what each source did in them."""
    from datetime import UTC, datetime

    from catalog import queries, runlog

    with catalog(db) as engine:
        runlog.reap(engine, datetime.now(UTC))  # runs whose process died read as abandoned
        with engine.connect() as conn:
            found = queries.list_runs(conn, limit=limit)
    if as_json:
        print_json([run.model_dump(mode="json") for run in found])
        return
    if not found:
        say("no refresh has run on this catalog yet")
    for run in found:
        _print_run(run)


QUARANTINE_COLUMNS = ("source", "record", "rule", "field", "value", "runs", "detail")


def quarantine(
    run: Annotated[
        int | None,
        typer.Option(
            "--run", min=1, max=MAX_ID, help="The run whose set-aside records to list (latest)."
        ),
    ] = None,
    source: Annotated[str | None, typer.Option(help="Only this source's.")] = None,
    rule: Annotated[
        str | None, typer.Option(help="Only rules holding this text, e.g. 'unit-ambiguous'.")
    ] = None,
    db: DbOption = None,
    limit: LimitOption = 50,
    as_json: JsonOption = False,
) -> None:
    """What a refresh set aside and why: each record, field or value quarantined in a run (the
    latest by default), with its rule and detail, and the runs it has been set aside in. The
    run's report shows the first of them; this lists them all (--limit)."""
    from catalog import queries

    check_sources("--source", [source] if source is not None else None)
    if rule is not None and not rule.strip():
        raise bad_input("--rule", "is empty: give text a rule holds, e.g. 'unit-ambiguous'")
    with catalog(db) as engine, engine.connect() as conn:
        if run is None:
            latest = queries.list_runs(conn, limit=1)
            if not latest:  # nothing to list, as `runs` says it: an answer, not a refusal
                if as_json:
                    print_json([])
                else:
                    say("no refresh has run on this catalog yet")
                return
            run_id = latest[0].id
        elif queries.get_run(conn, run) is None:
            raise Refused(f"no run {run} in this catalog")
        else:
            run_id = run
        total, rows = queries.quarantined(
            conn, run_id, source=source, rule=rule.strip() if rule else None, limit=limit
        )
    if as_json:
        print_json([row.as_json() for row in rows])
        note_cut(len(rows), total, "quarantined records")
        return
    if not rows:  # the count says it: no empty table under it
        say(f"run {run_id}: {plural(total, 'quarantined record')}")
        return
    runs_of = (
        f"{r.first_run}" if r.first_run == r.last_run else f"{r.first_run}-{r.last_run}"
        for r in rows
    )
    print_table(
        f"run {run_id}: {plural(total, 'quarantined record')}"
        + (f", the first {len(rows)}" if total > len(rows) else ""),
        QUARANTINE_COLUMNS,
        (
            (r.source, r.record, r.rule, r.field or "", r.value or "", spans, r.detail)
            for r, spans in zip(rows, runs_of, strict=True)
        ),
    )


def show(
    target: Annotated[str, typer.Argument(help="ROUTE/MODEL, e.g. azure/gpt-image-1-mini")],
    at: AtOption = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Every field of a (route, model): value, provenance, agreement, open review items; and its
    capabilities: the ten flags, input and output modalities, each with the sources that state
    it (unknown where none does). Capability statements are answered there, not listed as
    fields (a model's `mode` is its category). With --at, the catalog's values as they stood at
    the end of that UTC day (as /models/ROUTE/MODEL?at= shows them); capabilities, sources'
    statements and open items as they stand now."""
    from schemas.records import clock_text

    route, model = parse_target("TARGET", target, "azure/gpt-image-1-mini")
    day = parse_at(at)
    from catalog import queries, reader
    from schemas.vocab import Kind

    with catalog(db) as engine, engine.connect() as conn:
        view = queries.model_view(conn, route, model)
        known = bool(view.fields or view.not_in_catalog or view.open_review_items)
        known = known or (day is not None and bool(view.history))
        meant = None if known else queries.canonical_name(conn, route, model)
        if known and day is not None:
            view = queries.model_view_as_of(conn, view, reader.as_of(day))
    if not known:
        hint = f" (the catalog calls it {meant[0]}/{meant[1]})" if meant else ""
        raise Refused(f"nothing known about {route}/{model}{hint}")
    if as_json:
        print_json(view.as_json())
        return
    as_of = f" as of {day.isoformat()}" if day is not None else ""
    if day is not None:
        say(
            f"catalog values as of {day.isoformat()} (end of day, UTC); capabilities, sources' "
            "statements and open review items as they stand now"
        )
    if day is not None and not view.fields:
        say(f"no value of {route}/{model} was in force in the catalog on {day.isoformat()}")
    else:
        _print_fields(f"{route}/{model}{as_of}", view.fields)
    stated = [s for s in view.not_in_catalog if s.kind != Kind.CAPABILITY]
    if stated:
        print_table(
            "stated by sources, not in the catalog",
            ("field", "value", "unit", "source", "observed"),
            (
                (
                    measure_name(s.measure),
                    s.value,
                    unit_label(s.unit.value),
                    s.source,
                    (s.observed_at or "")[:10],
                )
                for s in stated
            ),
        )
    if view.scheduled:
        print_table(
            "scheduled by sources (in force from their date, compared with nothing till then)",
            ("field", "value", "unit", "from", "source", "observed"),
            (
                (
                    measure_name(s.measure),
                    s.value,
                    unit_label(s.unit.value),
                    s.effective_from.isoformat(),
                    s.source,
                    (s.observed_at or "")[:10],
                )
                for s in view.scheduled
            ),
        )
    _print_capabilities(view.capabilities)
    if view.open_review_items:
        heading("open review items")
        say(
            *(
                f"  #{item.id} {units_spelled(item.title)}  (due {clock_text(item.due_at)})"
                for item in view.open_review_items
            )
        )


def _print_fields(title: str, fields: Sequence[FieldView]) -> None:
    """`show`'s table of catalog values: value, unit, in force since (as the route's page's
    Since), verification, agreement."""
    from schemas.records import decimal_text
    from schemas.vocab import Kind

    print_table(
        title,
        ("field", "value", "unit", "since", "verified", "corroborated by", "disagreeing"),
        (
            (
                measure_name(f.measure),
                decimal_text(f.value),
                unit_label(f.unit.value),
                f.valid_from.date().isoformat(),
                f"{f.verified_by} {f.verified_at.date().isoformat()}"
                if f.verified_at
                else f"unverified ({f.accepted_source}, {f.accepted_by})",
                ", ".join(f"{s.source} {(s.observed_at or '')[:10]}" for s in f.corroborated_by),
                ", ".join(f"{s.source}={s.value}" for s in f.disagreeing),
            )
            for f in fields
            if f.kind != Kind.CAPABILITY
        ),
    )


def _print_capabilities(found: Capabilities) -> None:
    """The capability answers of `show`: the category, the flags, then the modalities."""
    stated = "; ".join(s.text() for s in found.category_sources)
    say(f"category: {found.category or 'unknown'}" + (f" ({stated})" if stated else ""))
    print_table(
        "capabilities",
        ("capability", "answer", "stated by"),
        (
            (a.name, a.text, "; ".join(s.text() for s in a.sources))
            for a in (*found.flags, *found.other_flags)
        ),
    )
    print_table(
        "modalities",
        ("modality", "answer", "stated by"),
        (
            (f"{side} {a.name}", a.text, "; ".join(s.text() for s in a.sources))
            for side, answers in (
                ("input", found.input_modalities),
                ("output", found.output_modalities),
            )
            for a in answers
        ),
    )
    if found.unmapped:
        say(
            "raw capability names outside the vocabulary: "
            + "; ".join(s.text() for s in found.unmapped)
        )


def routes(
    model: Annotated[str, typer.Argument(help="canonical model, e.g. gpt-image-1-mini")],
    at: AtOption = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """One model's prices on every route that sells it, side by side. With --at, the routes
    and prices in force at the end of that UTC day (as /models/MODEL?at= shows them)."""
    check_name("MODEL", model, "the model")
    day = parse_at(at)
    from catalog import queries, reader

    with catalog(db) as engine, engine.connect() as conn:
        if day is None:
            sold_on = queries.routes_of(conn, model)
        else:
            sold_on = [r for r, _ in reader.models(conn, reader.as_of(day), model)]
        views = [queries.model_view(conn, r, model) for r in sold_on]
        meant = None if views else queries.canonical_name(conn, None, model)
        if day is not None:
            views = [queries.model_view_as_of(conn, v, reader.as_of(day)) for v in views]
    if not views:
        hint = f" (the catalog calls it {meant[1]})" if meant and meant[1] != model else ""
        when = f" on {day.isoformat()}" if day is not None else ""
        raise Refused(f"no route sells {model} in the catalog{when}{hint}")
    if as_json:
        print_json([view.as_json() for view in views])
        return
    from schemas.records import decimal_text
    from schemas.vocab import Kind, unit_label

    columns: dict[str, dict[str, str]] = {}
    for view in views:
        for f in view.fields:
            if f.kind == Kind.PRICE:
                name = f"{measure_name(f.measure)} {unit_label(f.unit.value)}"
                mark = "" if f.verified_at else " ?"
                columns.setdefault(name, {})[view.route] = f"{decimal_text(f.value)}{mark}"
    priced = [v.route for v in views if any(v.route in values for values in columns.values())]
    if priced:
        print_table(
            f"{model} by route{f' as of {day.isoformat()}' if day else ''} (? = unverified)",
            ("price", *priced),
            (
                (name, *(values.get(r, "") for r in priced))
                for name, values in sorted(columns.items())
            ),
        )
    unpriced = [v.route for v in views if v.route not in priced]
    if unpriced:
        say(f"no price of {model} in the catalog on: {', '.join(unpriced)}")


def report_disagreements(
    source: Annotated[
        list[str] | None,
        typer.Option("--source", metavar="SOURCE", help="Secondary source(s) to report on."),
    ] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """How many of a secondary source's entries disagree with the route's official source
    (every configured source's, unless --source names some; each heading names the source)."""
    from catalog import reports
    from schemas.sources import sources

    check_sources("--source", source)
    chosen = source or list(sources())
    with catalog(db) as engine, engine.connect() as conn:
        found = [reports.disagreements(conn, s) for s in chosen]
    if as_json:
        print_json(found)
        return
    if not source:
        heading(f"every configured source (--source picks some): {', '.join(chosen)}")
    for report in found:
        if not report["comparable_entries"]:
            say(
                f"{report['source']}: no entry to compare (it states no field an official "
                "source of the same route states, or it is that official source)"
            )
            continue
        for entry in report["entries"]:
            who = report["source"]
            heading(f"{entry['route']}/{entry['model']}: {who} against the official source")
            for f in entry["fields"]:
                mine, theirs = f[report["source"]], f["official"]
                say(
                    f"  {field_name(f)}: {report['source']} {mine['value']} "
                    f"({mine['source_model']}, {mine['observed_at'][:10]}) vs "
                    f"{theirs['source']} {theirs['value']} ({theirs['observed_at'][:10]}) "
                    f"{unit_label(f['unit'])}"
                )
        for route, counts in report["by_route"].items():
            say(
                f"{report['source']} on {route}: {counts['disagreeing']} of "
                f"{counts['comparable']} comparable entries disagree with {route}'s official source"
            )
        say(
            f"{report['source']}: {report['disagreeing_entries']} of "
            f"{report['comparable_entries']} comparable entries disagree with the official source"
        )


ANY_STATUS = "any"  # review list --status: every status, as the web queue's ?status=any


def review_list(
    status: Annotated[
        str, typer.Option(help="open, approved, rejected, superseded, or any (every status)")
    ] = "open",
    kind: Annotated[str | None, typer.Option(help="price_change, new_model, anomaly...")] = None,
    route: Annotated[str | None, typer.Option(help="Only items for this route.")] = None,
    model: Annotated[
        str | None, typer.Option(help="Only items about this model (the catalog's name).")
    ] = None,
    source: Annotated[str | None, typer.Option(help="Only items citing this source.")] = None,
    due_within: Annotated[str | None, typer.Option(help="e.g. 12h: due within this time")] = None,
    limit: LimitOption = 50,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Review items, soonest due first, then most urgent (as the web queue sorts them)."""
    from schemas.records import ReviewKind, ReviewStatus, clock_text

    check_choice("--status", status, [*ReviewStatus, ANY_STATUS])
    check_choice("--kind", kind, ReviewKind)
    check_queue_source("--source", source)
    if route is not None:
        check_name("--route", route, "the route")
    if model is not None:
        check_name("--model", model, "the model")
    due = parse_duration(due_within, "--due-within") if due_within is not None else None
    from catalog import queries

    with catalog(db) as engine, engine.connect() as conn:
        check_queue_filter(conn, queries.QueueFilter(route=route, model=model, source=source))
        due_before = datetime.now(UTC) + due if due is not None else None
        items = queries.list_reviews(
            conn,
            status=None if status == ANY_STATUS else status,
            kind=kind,
            route=route,
            model=model,
            source=source,
            due_before=due_before,
        )
    if as_json:
        print_json([item.as_json() for item in items[:limit]])
        note_cut(min(limit, len(items)), len(items), "review items")
        return
    counted = plural(len(items), "review item")
    if not items:  # the count says it: no empty table under it
        say(counted)
        return
    print_table(
        counted + (f" (showing {limit})" if len(items) > limit else ""),
        ("id", "kind", "status", "due", "priority", "title"),
        (
            (
                item.id,
                item.kind.value,
                item.status.value,
                clock_text(item.due_at),
                "" if item.priority is None else f"P{item.priority}",
                units_spelled(item.title),
            )
            for item in items[:limit]
        ),
    )


def _open_on_same_slot(conn: Connection, item: ReviewDetail | None) -> int | None:
    """The open item about the same thing (same slot) as `item` when it was superseded."""
    from sqlalchemy import select

    from catalog.tables import review_items

    if item is None or item.status.value != "superseded":
        return None
    mine = select(review_items.c.slot).where(review_items.c.id == item.id).scalar_subquery()
    c = review_items.c
    found = conn.execute(
        select(c.id).where(c.slot == mine, c.status == "open", c.id != item.id).limit(1)
    ).scalar()
    return None if found is None else int(found)


def review_show(
    item_id: Annotated[int, typer.Argument(min=1, max=MAX_ID, metavar="ID", help="The item's id.")],
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """One review item with its evidence: current and proposed values, every source's value,
    and its audit trail (each decision and undo: who, when, by which channel, why)."""
    from catalog import queries
    from schemas.records import clock_text

    with catalog(db) as engine, engine.connect() as conn:
        item = queries.get_review(conn, item_id)
        successor = _open_on_same_slot(conn, item)
        audit = queries.audit_entries(conn, target=f"review:{item_id}") if item else []
    if item is None:
        raise Refused(f"no review item {item_id}")
    if as_json:
        print_json({**item.as_json(), "audit": [entry.as_json() for entry in audit]})
        return
    heading(f"#{item.id} {units_spelled(item.title)}")
    origin = f"run {item.run_id}" if item.run_id is not None else "submitted"
    due = clock_text(item.due_at)  # to the minute, as `review list` gives it
    say(f"{item.kind.value} · {item.status.value} · due {due} · {origin}")
    if item.decided_at is not None:
        why = f": {reason_lines(item.reason)}" if item.reason else ""
        by = f" by {item.reviewer}" if item.reviewer else ""  # no one decides a supersession
        decided = clock_text(item.decided_at, seconds=True)  # to the second, as its audit line
        say(f"{item.status.value} {decided}{by}{why}")
    if successor is not None:
        say(f"open now about the same thing: #{successor}")
    for change in item.changes:
        pct = f" ({change.pct_change:+.1f}%)" if change.pct_change is not None else ""
        current = "none" if change.current is None else change.current
        unit = unit_label(change.unit.value)
        if change.proposed is None:  # the sources below disagree, as the web's '(no value…)'
            held = "no value in force" if change.current is None else f"{current} {unit} in force"
            say("", f"{measure_name(change.measure)}: {held}, no value proposed")
        else:
            say("", f"{measure_name(change.measure)}: {current} → {change.proposed} {unit}{pct}")
        for s in change.sources:
            role = "official" if s.official else "secondary"
            say(
                f"  {s.source} ({role}) {s.value} as of {s.observed_at.date().isoformat()} {s.url}",
                f"    {s.evidence}",
            )
    if item.detail:
        say("", units_spelled(item.detail))
    if audit:  # newest first, as the web's item page lists it
        say("", "audit:")
        for entry in audit:
            why = f": {reason_lines(entry.reason)}" if entry.reason else ""
            at = clock_text(entry.at, seconds=True)
            say(f"  {at} {entry.actor} ({entry.channel}) {entry.action}{why}")
