"""`ratecard publish DIR`: the index, the model pages and the exports as files a static host can
serve, and that open from the folder with no server (relative links, no scripts).

    DIR/index.html                      every model, with routes, category and lowest price
    DIR/models/<model>.html             the model page (as /models/<model> renders it)
    DIR/models/<model>-history-<component>.svg
    DIR/static/style.css, publish.css
    DIR/catalog.json, catalog.csv       exports with provenance per value
    DIR/model_prices_and_context_window.json (+ .provenance.json)   LiteLLM's format
"""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import tempfile
from collections import defaultdict
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path

from jinja2 import Environment, FileSystemLoader
from sqlalchemy import Engine

from catalog import reader
from catalog.export import render
from catalog.reader import PublishedValue
from schemas.records import CatalogValue, time_text
from schemas.vocab import unit_label, units_spelled
from webapp.catalog_view import Peers, index_rows, model_view, price_history_svgs

HERE = Path(__file__).resolve().parent
SAFE_NAME = frozenset("abcdefghijklmnopqrstuvwxyz0123456789.-_")
# The longest file name `file_name` writes: far below every file system's 255 bytes, with room
# for the ".html" after it.
NAME_BYTES = 120


def file_name(model: str) -> str:
    """A model's file name (without ".html"): its canonical name where every character is safe
    (SAFE_NAME), else each other character written `~hex~` ("~" is never safe, so no two names
    share a file: "+1+1" and "_2b_1_2b_1" did), a leading "." too (no hidden file: ".." was
    "...html"); a name that would be longer than NAME_BYTES (a 300-character name, or Chinese
    characters at seven bytes each) is cut and told apart by its SHA-256 (a fault round: one
    long name failed the whole site, half written)."""
    escaped = "".join(ch if ch in SAFE_NAME else f"~{ord(ch):x}~" for ch in model)
    if escaped.startswith("."):  # ".." would be "...html", a hidden file static hosts skip
        escaped = f"~2e~{escaped[1:]}"
    if len(escaped) <= NAME_BYTES:
        return escaped
    digest = hashlib.sha256(model.encode("utf-8", "backslashreplace")).hexdigest()[:24]
    return f"{escaped[: NAME_BYTES - len(digest) - 1]}~{digest}"


STAGE_PREFIX = ".publishing-"  # the folder inside DIR a site is written in before it is put up
HELD_SIGNALS = {signal.SIGINT, signal.SIGTERM, signal.SIGHUP}  # held while a site is put up


def publish(
    engine: Engine,
    directory: Path,
    at: datetime,
    models: Sequence[str] | None = None,
    progress: Callable[[int, int], None] | None = None,
    put_up: Callable[[], None] | None = None,
) -> list[Path]:
    """Write the static site for the catalog as of `at` into `directory` (created if needed);
    only `models` when given. The site is written whole into a folder of its own inside
    `directory` first, then put in place with a rename per entry (`_put_up`): a publish stopped
    or failing halfway (an interrupt, a full disk) leaves the site that was there as it was
    (a new user's session: an interrupted publish left an index linking 306 pages it had not
    written yet, and no exports). SIGINT, SIGTERM and SIGHUP are held while the renames run
    (a signal then takes effect once they are done, after `put_up` is called): an interrupted
    publish leaves the old site or the new one, never some of each. Model pages and charts of
    an older site that this one does not write are gone with its models folder; other files
    in its folders stay (`_keep`). Returns the files written, as put in place."""
    made = _missing_folders(directory)
    directory.mkdir(parents=True, exist_ok=True)
    try:
        stage = Path(tempfile.mkdtemp(prefix=STAGE_PREFIX, dir=directory))
        try:
            written = _write_site(engine, stage, at, models, progress)
            unheld = signal.pthread_sigmask(signal.SIG_BLOCK, HELD_SIGNALS)
            try:
                _put_up(stage, directory)
                if put_up is not None:
                    put_up()
            finally:
                signal.pthread_sigmask(signal.SIG_SETMASK, unheld)
        finally:
            shutil.rmtree(stage, ignore_errors=True)
    except BaseException:
        _remove_empty(made)
        raise
    return [directory / path.relative_to(stage) for path in written]


def _missing_folders(directory: Path) -> list[Path]:
    """The folders of `directory`'s path that do not exist yet, deepest first: what its mkdir
    will create."""
    missing: list[Path] = []
    for folder in (directory, *directory.parents):
        if folder.exists():
            break
        missing.append(folder)
    return missing


def _remove_empty(folders: list[Path]) -> None:
    """Remove `folders` (deepest first) that a publish created and left empty: one that failed
    or was cut (`publish DIR 2>&1 | head -2`, an interrupt, a full disk) leaves no new empty
    folder behind, as it leaves no part of a site. A folder something else wrote into stays."""
    for folder in folders:
        try:
            folder.rmdir()
        except OSError:
            return


# What an older site's models folder holds of its own: its model pages and their charts.
PAGE_SUFFIXES = frozenset({".html", ".svg"})


def _put_up(stage: Path, directory: Path) -> None:
    """Move each entry of `stage` over `directory`'s of the same name: a file by one atomic
    replace, a folder (models, static) by moving the old one into the stage (deleted with it)
    and the new one in; the index last, so it never links a page not yet in place. Entries of
    `directory` the site does not write are left as they are, in its folders too (`_keep`)."""
    for entry in sorted(stage.iterdir(), key=lambda path: path.name == "index.html"):
        if entry.name.startswith(STAGE_PREFIX):
            continue
        target = directory / entry.name
        if entry.is_dir():
            if target.is_dir() and not target.is_symlink():
                old = stage / f"{STAGE_PREFIX}old-{entry.name}"
                os.replace(target, old)
                _keep(old, entry)
            elif target.exists():
                os.replace(target, stage / f"{STAGE_PREFIX}old-{entry.name}")
            os.replace(entry, target)
        else:
            os.replace(entry, target)


def _keep(old: Path, new: Path) -> None:
    """Move into the new folder what the old one holds that the new site does not write and
    that is no page of an older site: a host's favicon or style sheet in static/, a robots.txt
    or a folder of its own in models/ (a new user's session: publishing again deleted them).
    The old site's model pages and charts (PAGE_SUFFIXES in models/) go with the old folder,
    so no page of a model left out stays up with old prices."""
    for child in old.iterdir():
        if (new / child.name).exists() or (new / child.name).is_symlink():
            continue
        if new.name == "models" and child.is_file() and child.suffix in PAGE_SUFFIXES:
            continue
        os.replace(child, new / child.name)


def _write_site(
    engine: Engine,
    directory: Path,
    at: datetime,
    models: Sequence[str] | None,
    progress: Callable[[int, int], None] | None,
) -> list[Path]:
    """The site's files written into `directory` (an empty folder); see `publish`."""
    env = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=True)
    env.filters.update(unit=unit_label, units=units_spelled)  # as the app's pages write them
    (directory / "models").mkdir(exist_ok=True)
    (directory / "static").mkdir(exist_ok=True)
    written: list[Path] = []
    for css in ("style.css", "publish.css"):
        target = directory / "static" / css
        shutil.copyfile(HERE / "static" / css, target)
        written.append(target)
    with engine.connect() as conn:
        summaries = reader.model_summaries(conn, at)  # the index's and every page's facts
        index = index_rows(conn, at, summaries=summaries)
        peers, pending = Peers(summaries), reader.pending(conn)
        if models is not None:
            wanted = set(models)
            index["rows"] = [r for r in index["rows"] if r["model"] in wanted]
        for row in index["rows"]:
            row["model_file"] = file_name(row["model"])
        written.append(
            _write(
                directory / "index.html",
                env.get_template("models_index.html").render(
                    **index, root="", ext=".html", static=True, filters={}
                ),
            )
        )
        names = [r["model"] for r in index["rows"]]
        # Every value in force read at once (the exports' too), each model's taken from it.
        values = list(reader.iter_published(conn, at))
        by_model: dict[str, list[PublishedValue]] = defaultdict(list)
        for published in values:
            by_model[published.value.model].append(published)
        for done, model in enumerate(names, 1):
            histories: dict[str, list[CatalogValue]] = {}
            view = model_view(
                conn,
                model,
                at,
                peers=peers,
                values=by_model.get(model, []),
                pending=pending,
                histories=histories,
            )
            if view is None:
                continue
            name = file_name(model)
            charts = price_history_svgs(
                conn, model, view["history"], histories, view["route_names"]
            )
            for component, svg in charts.items():
                target = directory / "models" / f"{name}-history-{component}.svg"
                written.append(_write(target, svg))
            page = env.get_template("model_routes.html").render(
                **view, model_file=name, at="", root="../", ext=".html", static=True
            )
            written.append(_write(directory / "models" / f"{name}.html", page))
            if progress:
                progress(done, len(names))
    as_of = time_text(at)
    for fmt, export_name in (
        ("json", "catalog.json"),
        ("csv", "catalog.csv"),
        ("litellm", "model_prices_and_context_window.json"),
    ):
        text, sidecar = render(fmt, values, as_of=as_of, verified_only=False)
        written.append(_write(directory / export_name, text))
        if sidecar is not None:
            written.append(
                _write(directory / "model_prices_and_context_window.provenance.json", sidecar)
            )
    return written


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path
