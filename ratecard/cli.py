"""The `ratecard` command."""

from __future__ import annotations

import asyncio
import json
import os
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from catalog import queries, reports, store
from ratecard import cli_publish
from schemas.sources import sources as configured_sources

app = typer.Typer(
    help="ratecard: AI model prices that say where they were read, when, and who agrees."
)
review_app = typer.Typer(help="The review queue: proposed changes with their evidence.")
app.add_typer(review_app, name="review")
report_app = typer.Typer(help="Reports across sources.")
app.add_typer(report_app, name="report")
cli_publish.register(app)  # cost, export, publish
console = Console()

DbOption = Annotated[
    str | None,
    typer.Option("--db", help="SQLAlchemy URL (default: RATECARD_DB or data/ratecard.db)"),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")]

# Prefect as this command runs it unless told otherwise: its own logs only when something is
# wrong (the command prints the run report), no telemetry, and patience for the temporary
# server's first start, which can take 20 s on a 2-core machine.
PREFECT_DEFAULTS = {
    "PREFECT_LOGGING_LEVEL": "WARNING",
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "90",
}

# Exit codes of `ratecard refresh`.
EXIT_OK = 0  # every source read in full or in part (partial sources are reported)
EXIT_SOURCES_FAILED = 1  # some source failed or broke: it changed nothing, the others applied
EXIT_RUN_FAILED = 2  # the run failed (every source failed, or an error): nothing applied


def _print_json(data: Any) -> None:
    console.print_json(json.dumps(data, default=str))


def parse_duration(text: str) -> timedelta:
    match = re.fullmatch(r"(\d+)\s*([smhd])", text.strip())
    if not match:
        raise typer.BadParameter(f"{text!r}: use a number and s, m, h or d (e.g. 12h)")
    amount, unit = int(match[1]), match[2]
    return timedelta(**{{"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}[unit]: amount})


@app.command()
def refresh(
    replay: Annotated[
        Path | None, typer.Option(help="Replay this recorded world over loopback HTTP.")
    ] = None,
    source: Annotated[
        list[str] | None, typer.Option("--source", "-s", help="Only these sources (repeatable).")
    ] = None,
    accept_new: Annotated[
        bool,
        typer.Option(
            "--accept-new",
            help="Policy for loading an empty catalog: new values enter without review "
            "(official ones verified, secondary ones unverified with their source named).",
        ),
    ] = False,
    db: DbOption = None,
) -> None:
    """Fetch the sources, validate, compare with the catalog and apply in one transaction."""
    for name, value in PREFECT_DEFAULTS.items():
        os.environ.setdefault(name, value)
    from flows import refresh as refresh_flow

    progress = Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    )
    tasks: dict[str, Any] = {}

    def on_progress(name: str, message: str) -> None:
        if name not in tasks:
            tasks[name] = progress.add_task(f"{name}: {message}")
        progress.update(tasks[name], description=f"{name}: {message}")

    refresh_flow.listeners.append(on_progress)
    try:
        with progress:
            state = asyncio.run(
                refresh_flow.refresh(
                    sources=source,
                    replay=str(replay.resolve()) if replay else None,
                    database=db,
                    accept_new=accept_new,
                    return_state=True,
                )
            )
    finally:
        refresh_flow.listeners.remove(on_progress)
    engine = store.connect(db)
    with engine.connect() as conn:
        latest = queries.list_runs(conn, limit=1)
    if latest:
        _print_run(latest[0])
    console.print(state.message or state.name)
    if not state.is_completed():
        raise typer.Exit(EXIT_RUN_FAILED)
    raise typer.Exit(EXIT_OK if latest[0]["status"] == "ok" else EXIT_SOURCES_FAILED)


def _print_run(run: dict[str, Any]) -> None:
    table = Table(
        title=f"run {run['id']} ({run['policy']}) {run['status']}  {run['world'] or 'live'}"
    )
    for column in (
        "source",
        "status",
        "responses",
        "observations",
        "quarantined",
        "stamped",
        "review items",
        "observed at",
        "reason",
    ):
        table.add_column(column)
    for s in run["sources"]:
        table.add_row(
            s["source"],
            s["status"],
            str(s["responses"]),
            str(s["observations"]),
            str(s["quarantined"]),
            str(s["stamped"]),
            str(s["review_items"]),
            (s["observed_at"] or "")[:10],
            s["reason"][:120],
        )
    console.print(table)


@app.command()
def runs(db: DbOption = None, limit: int = 10, as_json: JsonOption = False) -> None:
    """The latest refreshes and what each source did in them."""
    with store.connect(db).connect() as conn:
        found = queries.list_runs(conn, limit=limit)
    if as_json:
        _print_json(found)
        return
    for run in found:
        _print_run(run)


@app.command()
def show(
    target: Annotated[str, typer.Argument(help="ROUTE/MODEL, e.g. azure/gpt-image-1-mini")],
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Every field of a (route, model): value, provenance, agreement, open review items."""
    route, _, model = target.partition("/")
    if not model:
        raise typer.BadParameter("use ROUTE/MODEL")
    with store.connect(db).connect() as conn:
        view = queries.model_view(conn, route, model)
    if as_json:
        _print_json(view)
        return
    if not (view["fields"] or view["not_in_catalog"] or view["open_review_items"]):
        console.print(f"nothing known about {route}/{model}")
        raise typer.Exit(1)
    table = Table(title=f"{route}/{model}")
    for column in ("field", "value", "unit", "verified", "corroborated by", "disagreeing"):
        table.add_column(column)
    for f in view["fields"]:
        verified = (
            f"{f['verified_by']} {f['verified_at'][:10]}"
            if f["verified_at"]
            else f"unverified ({f['accepted_source']}, {f['accepted_by']})"
        )
        table.add_row(
            _field_name(f),
            f["value"],
            f["unit"],
            verified,
            ", ".join(f"{s['source']} {str(s['observed_at'])[:10]}" for s in f["corroborated_by"]),
            ", ".join(f"{s['source']}={s['value']}" for s in f["disagreeing"]),
        )
    console.print(table)
    if view["not_in_catalog"]:
        other = Table(title="stated by sources, not in the catalog")
        for column in ("field", "value", "unit", "source", "observed"):
            other.add_column(column)
        for s in view["not_in_catalog"]:
            other.add_row(_field_name(s), s["value"], s["unit"], s["source"], s["observed_at"][:10])
        console.print(other)
    if view["open_review_items"]:
        console.print("[bold]open review items[/bold]")
        for item in view["open_review_items"]:
            console.print(f"  #{item['id']} {escape(item['title'])}  (due {item['due_at'][:16]})")


@app.command()
def routes(
    model: Annotated[str, typer.Argument(help="canonical model, e.g. gpt-image-1-mini")],
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """One model's prices on every route that sells it, side by side."""
    with store.connect(db).connect() as conn:
        views = [queries.model_view(conn, r, model) for r in queries.routes_of(conn, model)]
    if as_json:
        _print_json(views)
        return
    if not views:
        console.print(f"no route sells {model} in the catalog")
        raise typer.Exit(1)
    columns: dict[str, dict[str, str]] = {}
    for view in views:
        for f in view["fields"]:
            if f["kind"] == "price":
                name = f"{_field_name(f)} {f['unit'].removeprefix('usd_')}"
                mark = "" if f["verified_at"] else " ?"
                columns.setdefault(name, {})[view["route"]] = f"{f['value']}{mark}"
    table = Table(title=f"{model} by route (? = unverified)")
    table.add_column("price")
    for view in views:
        table.add_column(view["route"])
    for name, values in sorted(columns.items()):
        table.add_row(name, *(values.get(v["route"], "") for v in views))
    console.print(table)


@report_app.command("disagreements")
def report_disagreements(
    source: Annotated[
        list[str] | None, typer.Option("--source", help="Secondary source(s) to report on.")
    ] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """How many of a secondary source's entries disagree with the route's official source."""
    chosen = source or [s.id for s in configured_sources().values()]
    with store.connect(db).connect() as conn:
        found = [reports.disagreements(conn, s) for s in chosen]
    if as_json:
        _print_json(found)
        return
    for report in found:
        if not report["comparable_entries"]:
            continue
        for entry in report["entries"]:
            console.print(f"[bold]{entry['route']}/{entry['model']}[/bold]")
            for f in entry["fields"]:
                mine, theirs = f[report["source"]], f["official"]
                console.print(
                    f"  {_field_name(f)}: {report['source']} {mine['value']} "
                    f"({mine['source_model']}, {mine['observed_at'][:10]}) vs "
                    f"{theirs['source']} {theirs['value']} ({theirs['observed_at'][:10]}) "
                    f"{f['unit']}"
                )
        for route, counts in report["by_route"].items():
            console.print(
                f"{report['source']} on {route}: {counts['disagreeing']} of "
                f"{counts['comparable']} comparable entries disagree with {route}'s official source"
            )
        console.print(
            f"{report['source']}: {report['disagreeing_entries']} of "
            f"{report['comparable_entries']} comparable entries disagree with the official source"
        )


def _field_name(f: dict[str, Any]) -> str:
    dims = ", ".join(f"{k}={v}" for k, v in f["dimensions"].items())
    return escape(f"{f['component']}{f' [{dims}]' if dims else ''}")


@review_app.command("list")
def review_list(
    status: Annotated[
        str | None, typer.Option(help="open, approved, rejected, superseded")
    ] = "open",
    kind: Annotated[str | None, typer.Option(help="price_change, new_model, anomaly...")] = None,
    route: str | None = None,
    source: str | None = None,
    due_within: Annotated[str | None, typer.Option(help="e.g. 12h: due within this time")] = None,
    limit: int = 50,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Review items, soonest due first."""
    due_before = datetime.now(UTC) + parse_duration(due_within) if due_within else None
    with store.connect(db).connect() as conn:
        items = queries.list_reviews(
            conn, status=status, kind=kind, route=route, source=source, due_before=due_before
        )
    if as_json:
        _print_json(items)
        return
    table = Table(
        title=f"{len(items)} review items" + (f" (showing {limit})" if len(items) > limit else "")
    )
    for column in ("id", "kind", "status", "due", "title"):
        table.add_column(column)
    for item in items[:limit]:
        table.add_row(
            str(item["id"]), item["kind"], item["status"], item["due_at"][:16], item["title"]
        )
    console.print(table)


@review_app.command("show")
def review_show(item_id: int, db: DbOption = None, as_json: JsonOption = False) -> None:
    """One review item with its evidence: current and proposed values, every source's value."""
    with store.connect(db).connect() as conn:
        item = queries.get_review(conn, item_id)
    if item is None:
        console.print(f"no review item {item_id}")
        raise typer.Exit(1)
    if as_json:
        _print_json(item)
        return
    console.print(f"[bold]#{item['id']} {escape(item['title'])}[/bold]")
    console.print(
        f"{item['kind']} · {item['status']} · due {item['due_at']} · run {item['run_id']}"
    )
    for change in item["changes"]:
        pct = f" ({change['pct_change']:+.1f}%)" if change.get("pct_change") is not None else ""
        console.print(
            f"\n{_field_name(change)}: {change['current']} → {change['proposed']} "
            f"{change['unit']}{pct}"
        )
        for s in change["sources"]:
            role = "official" if s["official"] else "secondary"
            console.print(
                f"  {s['source']} ({role}) {s['value']} as of {s['observed_at'][:10]} "
                f"{s['url']}\n    {s['evidence']}"
            )
    if item["detail"]:
        console.print(escape(f"\n{item['detail']}"))


from ratecard import cli_queue  # noqa: E402, F401  (registers the queue commands
