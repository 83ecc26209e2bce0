"""The publishing commands, registered on ratecard.cli's `app` by `register(app)`:

    ratecard cost ROUTE/MODEL --input-tokens N --output-tokens N [--cached-tokens N]
        [--images QUALITY:SIZE:N] [--requests-per-day N] [--at DATE] [--json]
    ratecard export json|csv|litellm [--verified-only] [--at DATE] [-o FILE]
    ratecard publish DIR [--at DATE]

Heavy modules (the web app, exports) are imported inside the commands.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from catalog.cost import CostEstimate

Db = Annotated[
    str | None,
    typer.Option("--db", help="SQLAlchemy URL (default: RATECARD_DB or data/ratecard.db)"),
]
At = Annotated[
    str | None,
    typer.Option("--at", help="As of this date (YYYY-MM-DD, UTC end of day); default: now."),
]


def fail(message: str, code: int = 1) -> typer.Exit:
    """Print one line naming what is wrong to stderr; the exit to raise."""
    typer.echo(message, err=True)
    return typer.Exit(code)


def parse_at(text: str | None) -> date | None:
    """--at DATE: an ISO date, else a clear error."""
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise fail(f"--at {text!r}: use a date, YYYY-MM-DD", 2) from None


def cost(
    target: Annotated[str, typer.Argument(help="ROUTE/MODEL, e.g. azure/gpt-image-2")],
    input_tokens: Annotated[int, typer.Option(min=0, help="Prompt tokens per request.")],
    output_tokens: Annotated[int, typer.Option(min=0, help="Output tokens per request.")],
    cached_tokens: Annotated[
        int, typer.Option(min=0, help="Of the prompt, tokens read from the cache.")
    ] = 0,
    cache_write_tokens: Annotated[
        int, typer.Option(min=0, help="Of the prompt, tokens written to the cache.")
    ] = 0,
    cache_ttl: Annotated[str | None, typer.Option(help="Cache lifetime: 5m or 1h.")] = None,
    images: Annotated[
        list[str] | None,
        typer.Option("--images", help="QUALITY:SIZE:N generated images (repeatable)."),
    ] = None,
    requests_per_day: Annotated[int | None, typer.Option(min=0)] = None,
    service_tier: Annotated[
        str, typer.Option(help="standard, batch, flex or priority.")
    ] = "standard",
    scope: Annotated[
        str | None, typer.Option(help="Deployment scope: global (default), data_zone, regional.")
    ] = None,
    region: Annotated[str | None, typer.Option(help="Deployment region, e.g. eastus2.")] = None,
    at: At = None,
    db: Db = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """What a workload costs on one route: per request, per day and per month (30.4375 days),
    naming every price used and its verification; refuses when a needed price is unknown."""
    from pydantic import ValidationError

    from catalog import reader, store
    from catalog.cost import CostError, Workload, estimate

    route, _, model = target.partition("/")
    if not route or not model:
        raise fail(f"{target!r}: use ROUTE/MODEL, e.g. azure/gpt-image-2", 2)
    day = parse_at(at)
    try:
        workload = Workload.from_options(
            input_tokens=input_tokens,
            output_tokens=output_tokens,
            cached_tokens=cached_tokens,
            cache_write_tokens=cache_write_tokens,
            cache_ttl=cache_ttl,
            images=images or (),
            requests_per_day=requests_per_day,
            service_tier=service_tier,
            scope=scope,
            region=region,
        )
    except ValidationError as exc:
        first = exc.errors()[0]
        raise fail(f"ratecard cost: {first['msg'].removeprefix('Value error, ')}", 2) from None
    except ValueError as exc:
        raise fail(f"ratecard cost: {exc}", 2) from None
    with store.connect(db).connect() as conn:
        values = reader.published_values(conn, reader.as_of(day), route=route, model=model)
    try:
        result = estimate(values, workload, route=route, model=model)
    except CostError as exc:
        raise fail(f"ratecard cost {route}/{model}: refused: {exc}") from None
    if as_json:
        typer.echo(json.dumps(result.model_dump(mode="json"), indent=2))
        return
    typer.echo(print_estimate(result))


def print_estimate(result: CostEstimate) -> str:
    """The plain-text report of a CostEstimate: one line per price used, then the totals."""
    from catalog.cost import unit_label
    from schemas.records import decimal_text

    lines = [f"{result.route}/{result.model} as of {result.as_of.date().isoformat()} (USD)"]
    for line in result.lines:
        unit = unit_label(line.unit)
        lines.append(
            f"  {line.label()}: {decimal_text(line.quantity)} × {decimal_text(line.price)} "
            f"{unit} = {decimal_text(line.amount)}; {line.provenance}"
            + (f"; {line.derived}" if line.derived else "")
        )
    lines.append(f"per request: {decimal_text(result.per_request)}")
    if result.per_day is not None and result.per_month is not None:
        lines.append(
            f"per day ({result.workload.requests_per_day} requests): {decimal_text(result.per_day)}"
        )
        lines.append(
            f"per month ({decimal_text(result.days_per_month)} days): "
            f"{decimal_text(result.per_month)}"
        )
    if not result.all_verified:
        lines.append("some prices are unverified: no official source states them")
    return "\n".join(lines)


def export(
    fmt: Annotated[str, typer.Argument(metavar="json|csv|litellm", help="The export format.")],
    verified_only: Annotated[
        bool, typer.Option("--verified-only", help="Only values an official source verified.")
    ] = False,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to FILE (default: stdout).")
    ] = None,
    provenance: Annotated[
        Path | None,
        typer.Option(
            help="litellm: where the provenance sidecar goes (default: beside -o FILE as "
            "FILE.provenance.json)."
        ),
    ] = None,
    at: At = None,
    db: Db = None,
) -> None:
    """Export the catalog: JSON with provenance per value, CSV, or LiteLLM's map format with a
    provenance sidecar."""
    from catalog import export as exports
    from catalog import reader, store

    if fmt not in exports.FORMATS:
        raise fail(f"ratecard export: format {fmt!r}: one of {', '.join(exports.FORMATS)}", 2)
    moment = reader.as_of(parse_at(at))
    with store.connect(db).connect() as conn:
        values = reader.iter_published(conn, moment, verified_only=verified_only)
        text, sidecar = exports.render(
            fmt, values, as_of=moment.isoformat(), verified_only=verified_only
        )
    if output is None:
        typer.echo(text, nl=False)
    else:
        output.write_text(text)
    if sidecar is not None:
        if provenance is None and output is not None:
            provenance = output.with_name(f"{output.stem}.provenance.json")
        if provenance is None:
            typer.echo("provenance sidecar not written: give -o FILE or --provenance", err=True)
        else:
            provenance.write_text(sidecar)
            typer.echo(f"provenance: {provenance}", err=True)


def publish(
    directory: Annotated[Path, typer.Argument(help="Where to write the site.")],
    model: Annotated[
        list[str] | None, typer.Option("--model", help="Only these models (repeatable).")
    ] = None,
    at: At = None,
    db: Db = None,
) -> None:
    """Write the index, the model pages and the exports as static files that open with no
    server (DIR/index.html)."""
    from catalog import reader, store
    from webapp.static_site import publish as write_site

    moment = reader.as_of(parse_at(at))

    def progress(done: int, total: int) -> None:
        if done % 50 == 0 or done == total:
            typer.echo(f"{done} of {total} model pages", err=True)

    written = write_site(store.connect(db), directory, moment, model, progress)
    typer.echo(f"wrote {len(written)} files; open {directory / 'index.html'}")


def register(app: typer.Typer) -> None:
    """Add the publishing commands to the `ratecard` app."""
    app.command()(cost)
    app.command()(export)
    app.command()(publish)
