"""The publishing commands, registered on ratecard.cli's `app` by `register(app)`:

    ratecard cost ROUTE/MODEL --input-tokens N --output-tokens N [--cached-tokens N]
        [--images QUALITY:SIZE:N] [--requests-per-day N] [--at DATE] [--json]
    ratecard export json|csv|litellm [--verified-only] [--at DATE] [-o FILE]
    ratecard publish DIR [--at DATE]

Heavy modules (the web app, exports) are imported inside the commands.
"""

from __future__ import annotations

import json
import os
import stat
import sys
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer

from ratecard.options import (
    AtOption,
    DbOption,
    Interruption,
    Refused,
    bad_input,
    catalog,
    check_name,
    given_path,
    interrupted_ends,
    parse_at,
    parse_target,
    spelling_hint,
    whole_number_rule,
)
from ratecard.output import plural, progress_lines, write_out

if TYPE_CHECKING:
    from catalog.cost import CostEstimate

T = TypeVar("T")


def check_writable(argument: str, path: Path) -> Path:
    """Refuse an output file that cannot be written, before any work: a directory, a missing
    folder, a folder this process may not write in, or a node that is no file (a device, a
    pipe, a socket: the export replaces its file, and replaced /dev/full or a pipe's node with
    one, exiting 0, in a fault round). Returns the file to write: `path`, or the file a
    symbolic link `path` names (written there, the link kept). Creates nothing."""
    link, path = path, path.resolve() if path.is_symlink() else path
    folder = path.parent
    if path.is_dir():
        raise bad_input(argument, f"{link} is a directory; give a file")
    if path.exists() and not path.is_file():
        raise bad_input(argument, f"{link} is not a file (a device, a pipe); give a file")
    if not folder.is_dir():
        blocking = _file_in_the_way(folder)
        if blocking is not None:
            raise bad_input(argument, f"{link}: {blocking} is a file, not a folder")
        raise bad_input(argument, f"{link}: no folder {folder} (nothing was created)")
    if not os.access(folder, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise bad_input(argument, f"{link}: not writable")
    return path


def _file_in_the_way(folder: Path) -> Path | None:
    """The file standing where `folder`, or a folder above it, must be; None where there is
    none (the system's word for it, 'Not a directory' or 'File exists', named no file)."""
    standing = next((p for p in (folder, *folder.parents) if p.exists()), None)
    return standing if standing is not None and not standing.is_dir() else None


SQLITE_HEADER = b"SQLite format 3\x00"  # the first 16 bytes of every SQLite database file


def refuse_database(argument: str, path: Path, db: str | None) -> None:
    """Refuse to write an export over a database: the catalog the command reads (`db`, as
    `--db`; its file or the -wal/-shm files beside it, whether or not they exist yet) or any
    existing SQLite file (another catalog, another application's). Reads 16 bytes at most."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    from catalog import store

    try:
        url = make_url(store.database_url(db))
    except (ArgumentError, ValueError):
        url = None  # no database URL: refused in one line when the catalog is opened
    if (
        url is not None
        and url.get_backend_name() == "sqlite"
        and url.database not in (None, "", ":memory:")
    ):
        catalog = Path(url.database or "").resolve()
        if path.resolve() in {
            catalog.with_name(catalog.name + end) for end in ("", "-wal", "-shm")
        }:
            raise bad_input(argument, f"{path} is the catalog this export reads (--db)")
    if path.is_file():
        with path.open("rb") as existing:
            if existing.read(len(SQLITE_HEADER)) == SQLITE_HEADER:
                raise bad_input(
                    argument, f"{path} is an SQLite database: an export never replaces one"
                )


def write_files(files: Sequence[tuple[str, Path, str]]) -> None:
    """Write each (argument, path, text), all or none: each text goes to a temporary file beside
    its path first, and the files take their paths only once every one is written, so a refused
    destination leaves nothing behind (no export without its sidecar). A destination the OS will
    not write (/proc, a read-only disk) is `bad_input(argument, …)` with the OS's reason, as a
    missing folder is. A file keeps the mode of the one it replaces (else the umask's)."""
    mask = os.umask(0)
    os.umask(mask)
    staged: list[tuple[Path, Path]] = []
    try:
        for argument, path, text in files:
            try:
                handle, name = tempfile.mkstemp(
                    dir=path.parent, prefix=f".{path.name}.", suffix=".part"
                )
                staged.append((Path(name), path))
                with os.fdopen(handle, "w") as out:
                    out.write(text)
                mode = stat.S_IMODE(path.stat().st_mode) if path.exists() else 0o666 & ~mask
                os.chmod(name, mode)
            except OSError as exc:
                raise bad_input(argument, f"{path}: cannot write: {exc.strerror}") from None
        for staged_path, path in staged:
            os.replace(staged_path, path)
    finally:
        for staged_path, _ in staged:
            staged_path.unlink(missing_ok=True)


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
        typer.Option(
            "--images",
            metavar="QUALITY:SIZE:N",
            help="N images of a quality and size, e.g. high:1536x1024:2 (repeatable).",
        ),
    ] = None,
    requests_per_day: Annotated[
        int | None,
        typer.Option(
            min=0,
            help="Requests a day: adds the cost per day and per month (without it, per request "
            "only).",
        ),
    ] = None,
    service_tier: Annotated[
        str, typer.Option(help="standard, batch, flex or priority.")
    ] = "standard",
    scope: Annotated[
        str | None, typer.Option(help="Deployment scope: global (default), data_zone, regional.")
    ] = None,
    region: Annotated[str | None, typer.Option(help="Deployment region, e.g. eastus2.")] = None,
    variant: Annotated[
        str | None,
        typer.Option(
            help="Only the prices stated for this variant, e.g. free (OpenRouter's :free models) "
            "or fine_tuned (Azure); without it, prices stated for a variant are not used."
        ),
    ] = None,
    at: AtOption = None,
    db: DbOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """What a workload costs on one route: per request, and with --requests-per-day per day and
    per month (30.4375 days), naming every price used and its verification; refuses when a
    needed price is unknown."""
    from pydantic import ValidationError

    from catalog.cost import CostError, Workload, workload_error
    from catalog.queries import workload_cost

    route, model = parse_target("TARGET", target, "azure/gpt-image-2")
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
            variant=variant,
        )
    except ValidationError as exc:
        field, rule = workload_error(exc)
        words = whole_number_rule(exc.errors()[0])
        if words is not None:
            rule = f"the image {exc.errors()[0]['loc'][0]} {words}" if field == "images" else words
        raise bad_input(f"--{field.replace('_', '-')}", rule) from None
    except ValueError as exc:
        raise bad_input("--images", str(exc)) from None
    with catalog(db) as engine, engine.connect() as conn:
        try:
            result = workload_cost(conn, route, model, workload, day)
        except CostError as exc:
            raise Refused(f"{route}/{model}: refused: {exc}") from None
    if as_json:
        typer.echo(json.dumps(result.model_dump(mode="json"), indent=2))
        return
    typer.echo(print_estimate(result))


def print_estimate(result: CostEstimate) -> str:
    """The plain-text report of a CostEstimate: one line per price used, then the totals."""
    from schemas.records import decimal_text
    from schemas.vocab import unit_label

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
    lines.extend(f"note: {note}" for note in result.notes)
    if not result.all_verified:
        lines.append("some prices are unverified: no official source states them")
    return "\n".join(lines)


def export(
    fmt: Annotated[str, typer.Argument(metavar="json|csv|litellm", help="The export format.")],
    verified_only: Annotated[
        bool, typer.Option("--verified-only", help="Only values an official source verified.")
    ] = False,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            parser=given_path("--output", "leave -o out for standard output"),
            metavar="FILE",
            help="Write to FILE (default: stdout).",
        ),
    ] = None,
    provenance: Annotated[
        Path | None,
        typer.Option(
            parser=given_path("--provenance", "leave it out to write it beside -o"),
            metavar="FILE",
            help="litellm: where the provenance sidecar goes (default: beside -o NAME.json as "
            "NAME.provenance.json).",
        ),
    ] = None,
    at: AtOption = None,
    db: DbOption = None,
) -> None:
    """Export the catalog: JSON with provenance per value, CSV, or LiteLLM's map format with a
    provenance sidecar."""
    from catalog import export as exports
    from catalog import reader
    from schemas.records import time_text

    if fmt not in exports.FORMATS:
        raise bad_input("FORMAT", f"{fmt!r}: one of {', '.join(exports.FORMATS)}")
    if provenance is not None and fmt != "litellm":
        raise bad_input(
            "--provenance", f"only with litellm: the {fmt} export holds each value's provenance"
        )
    moment = reader.as_of(parse_at(at))
    if fmt == "litellm" and provenance is None and output is not None:
        provenance = output.with_name(f"{output.stem}.provenance.json")
    if provenance is not None and output is not None and provenance.resolve() == output.resolve():
        raise bad_input("--provenance", f"{provenance} is the export's own file (-o)")
    if output is not None:
        output = check_writable("--output", output)
        refuse_database("--output", output, db)
    if provenance is not None:
        provenance = check_writable("--provenance", provenance)
        refuse_database("--provenance", provenance, db)
    counted = [0]
    with catalog(db) as engine, engine.connect() as conn:
        progress = _on_terminal()
        if progress:
            typer.echo(f"reading the values in force on {moment.date().isoformat()}…", err=True)
        published = reader.iter_published(conn, moment, verified_only=verified_only)
        values = _counted(published, counted, progress)
        text, sidecar = exports.render(
            fmt, values, as_of=time_text(moment), verified_only=verified_only
        )
    files = [] if output is None else [("--output", output, text)]
    if sidecar is not None and provenance is not None:
        files.append(("--provenance", provenance, sidecar))
    write_files(files)
    if output is None:
        write_out(text)
    typer.echo(f"exported {plural(counted[0], 'value')} ({fmt})", err=True)
    if sidecar is not None:
        if provenance is None:
            typer.echo("provenance sidecar not written: give -o FILE or --provenance", err=True)
        else:
            typer.echo(f"provenance: {provenance}", err=True)


def _holds_files(directory: Path) -> bool:
    """Whether `directory` holds anything but what a publish stopped before it cleaned up left
    (its stage folder: webapp/static_site.py STAGE_PREFIX)."""
    from webapp.static_site import STAGE_PREFIX

    return any(not entry.name.startswith(STAGE_PREFIX) for entry in directory.iterdir())


def is_site(directory: Path) -> bool:
    """Whether `directory` holds a site `publish` wrote before (its index and its own style
    sheet, static/publish.css): publishing again rewrites it."""
    return (directory / "index.html").is_file() and (directory / "static" / "publish.css").is_file()


def _on_terminal() -> bool:
    """Whether standard error is a terminal (progress lines go there; a log gets none)."""
    return sys.stderr.isatty()


def _counted(
    values: Iterator[T], seen: list[int], progress: bool, every: int = 10_000
) -> Iterator[T]:
    """`values` as they are, counted into seen[0]; with `progress` (standard error is a
    terminal), a line there every `every` (an export of the whole catalog reads ~60k values:
    progress, not silence; a log or a pipe gets only the closing count)."""
    for value in values:
        seen[0] += 1
        if progress and seen[0] % every == 0:
            typer.echo(f"{seen[0]} values read", err=True)
        yield value


def publish(
    folder: Annotated[
        str,
        typer.Argument(
            metavar="DIR", help="Where to write the site: a new or empty folder, or a site."
        ),
    ],
    model: Annotated[
        list[str] | None,
        typer.Option("--model", metavar="MODEL", help="Only these models (repeatable)."),
    ] = None,
    at: AtOption = None,
    db: DbOption = None,
) -> None:
    """Write the index, the model pages and the exports as static files that open with no
    server (DIR/index.html)."""
    directory = Path(folder)
    stood = is_site(directory)  # a site publish wrote before, which stands until the new is up
    put_up: list[bool] = []  # told once the new site is up (webapp.static_site.publish)
    with interrupted_ends(lambda i: _interrupted_publish(i, directory, stood, bool(put_up))):
        from catalog import reader
        from webapp.static_site import publish as write_site

        moment = reader.as_of(parse_at(at))
        for name in model or ():
            check_name("--model", name, "the model")
        if not folder:
            raise bad_input("DIR", "the path is empty; give the folder's path")
        if directory.exists() and not directory.is_dir():
            raise bad_input("DIR", f"{directory} is a file; give a folder")
        if directory.is_dir() and not stood and _holds_files(directory):
            raise bad_input(
                "DIR",
                f"{folder}: a folder holding other files; give a new or empty folder, "
                "or one publish wrote before",
            )
        blocking = _file_in_the_way(directory.parent)
        if blocking is not None:  # refused before the site is read and written, not after
            raise bad_input("DIR", f"{directory}: {blocking} is a file, not a folder")
        existing = next((p for p in (directory, *directory.parents) if p.exists()), None)
        if existing is None or not os.access(existing, os.W_OK):
            raise bad_input("DIR", f"{directory}: not writable")
        with catalog(db) as engine:
            with engine.connect() as conn:
                unknown = [name for name in model or () if not reader.models(conn, moment, name)]
                hint = spelling_hint(conn, None, unknown[0]) if len(unknown) == 1 else ""
            if unknown:
                when = reader.read_when(moment if at is not None else None)
                them = "it" if len(unknown) == 1 else "them"
                sells = f"no route sells {them} in the catalog {when}{hint}"
                raise Refused(f"--model {', '.join(unknown)}: {sells}")
            pages = progress_lines("model pages", 50)
            try:
                written = write_site(
                    engine, directory, moment, model, pages, lambda: put_up.append(True)
                )
            except OSError as exc:  # an unwritable destination is the argument's fault
                reason = f"{exc.strerror}: {exc.filename}" if exc.filename else str(exc)
                raise bad_input("DIR", f"{directory}: cannot write: {reason}") from None
        typer.echo(f"wrote {len(written)} files; open {directory / 'index.html'}")


def _interrupted_publish(
    interruption: Interruption, directory: Path, stood: bool, put_up: bool
) -> str:
    """The line an interrupted publish ends with: whether the new site had been put up (its
    renames, which no signal cuts short, done) or what stands in `directory`: the site that was
    there (`stood`), or none, as the site is written in a folder of its own and put up whole."""
    reason = interruption.reason or "interrupted"
    if put_up:
        return f"ratecard publish: {reason} once the new site was up: {directory} holds it whole"
    if stood:
        return (
            f"ratecard publish: {reason}; nothing put up: the site in {directory} stands as it was"
        )
    return f"ratecard publish: {reason}; nothing put up: no site was written in {directory}"


def register(app: typer.Typer) -> None:
    """Add the publishing commands to the `ratecard` app."""
    app.command()(cost)
    app.command()(export)
    app.command()(publish)
