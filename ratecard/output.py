"""How commands print: tables that never cut a value, plain lines, and JSON.

On a terminal, rich fits tables to its width and folds a long value onto more lines (never an
ellipsis). Piped or redirected there is no width to fit, so nothing is folded or cut: each row
is one line as long as its values, readable by `grep`, `less -S` and people alike. Cells and
lines are printed as text, never read as rich markup (a source's value may contain brackets).
`--json` prints plain JSON (no colour, no wrapping) for `jq` and scripts. A reader that stops
early (`| head -1`) ends the command quietly with exit 0 (ratecard.options.OneLineErrors): the
reader had what it wanted, and 1 means a refusal.
"""

from __future__ import annotations

import json
import os
import re
import sys
import time
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import date, datetime
from typing import IO, TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rich.console import Console, RenderableType
    from rich.table import Table

    from schemas.field import Measure

UNLIMITED_WIDTH = 1_000_000  # piped output: a row is as long as its values


def _reader_gone() -> None:
    """rich's own handling of a closed pipe exits 1; the BrokenPipeError goes on instead, to
    where every command is invoked (ratecard.options.OneLineErrors), which ends it quietly."""
    raise BrokenPipeError


def reader_left(stream: IO[str]) -> None:
    """`stream`'s reader has left (a closed pipe): what is still written to it goes nowhere, so
    neither a later write nor the interpreter's flush at exit fails on it."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, stream.fileno())
    os.close(devnull)


@contextmanager
def for_a_person() -> Iterator[None]:
    """Output a person reads before or after work that goes on without them (a decision's
    preview, a refresh's report): its reader leaving (`| head -2`) ends the output, not the
    work nor the exit code the work ends with."""
    try:
        yield
    except BrokenPipeError:
        reader_left(sys.stdout)


def console(*, stderr: bool = False) -> Console:
    """A rich console on standard output (or error): terminal width, or unlimited when piped."""
    from rich.console import Console

    out = Console(stderr=stderr, highlight=False)
    out.on_broken_pipe = _reader_gone  # type: ignore[method-assign]
    if not out.is_terminal:
        out.width = UNLIMITED_WIDTH
    return out


def say(*lines: RenderableType) -> None:
    """Print lines as they are (strings are not read as markup)."""
    out = console()
    for line in lines:
        out.print(line, markup=False)


def reason_lines(reason: str) -> str:
    """A person's reason as `review show` prints it after its entry: each line after the first
    indented under a bar ("      | "), so that no line of a reason reads as an entry of its own
    (a fault round: a reason's second line forged another reviewer's approval), and each other
    control or format character escaped (`\\x9b`, `\\u202e`: a catalog may hold one written
    before they were refused)."""
    shown = "".join(
        c
        if c in "\n\t" or unicodedata.category(c) not in _HIDING
        else c.encode("unicode_escape").decode()
        for c in reason.replace("\r\n", "\n")
    )
    return shown.replace("\n", "\n      | ")


_HIDING = frozenset({"Cc", "Cf", "Zl", "Zp"})  # control, format and separator characters


def heading(text: str) -> None:
    """A bold line (plain when piped)."""
    from rich.text import Text

    console().print(Text(text, style="bold"))


NUMBER = re.compile(r"\d[\d.]*( \?)?")  # a value as the tables print it: '0.275', '8 ?'
NARROWEST = 4  # the width a folding column keeps beside a column of numbers kept whole


def table(
    title: str, columns: Iterable[str], rows: Iterable[Iterable[Any]], width: int | None = None
) -> Table:
    """A table whose cells fold rather than cut when a terminal is narrow; cells are plain text.

    Given the terminal's `width`, a column of numbers (every cell empty or a plain number, as
    `decimal_text` writes it, with the unverified mark ' ?') keeps each number on one line when
    the other columns, folded to NARROWEST characters, leave it room (a price broken over three
    lines reads as three numbers); otherwise it folds like the others."""
    from rich.table import Table
    from rich.text import Text

    names = list(columns)
    cells = [["" if cell is None else str(cell) for cell in row] for row in rows]
    longest = {
        i: max(len(names[i]), *(len(cell) for cell in found))  # a whole column's heading too
        for i in range(len(names))
        if (found := [row[i] for row in cells if i < len(row) and row[i]])
        and all(NUMBER.fullmatch(cell) for cell in found)
    }
    room = (width or 0) - (len(names) + 1) - 2 * len(names)  # borders, then each cell's padding
    whole: set[int] = set()
    for i in sorted(longest, key=longest.__getitem__):
        others = len(names) - len(whole) - 1
        if sum(longest[j] for j in whole) + longest[i] + others * NARROWEST <= room:
            whole.add(i)
    out = Table(title=title or None)
    for i, column in enumerate(names):
        out.add_column(column, overflow="fold", no_wrap=i in whole)
    for row in cells:
        out.add_row(*(Text(cell) for cell in row))
    return out


def print_table(title: str, columns: Iterable[str], rows: Iterable[Iterable[Any]]) -> None:
    """Print `rows` under `columns` as a rich table titled `title` on standard output, sized to
    the terminal (unlimited when piped), numbers kept whole where there is room (`table`).
    Piped, the title is a line of its own above the table, as long as its text (centred over
    the table, it was padded to the table's width)."""
    out = console()
    if out.is_terminal:
        out.print(table(title, columns, rows, out.width))
        return
    if title:
        say(title)
    out.print(table("", columns, rows, out.width))


def print_json(data: Any) -> None:
    """Data as indented JSON on standard output (times and dates in ISO 8601, as every listing
    gives them; Decimals and the rest as strings)."""
    write_out(json.dumps(data, indent=2, default=_json_text) + "\n")


CHUNK = 65_536  # characters written to standard output at once (a pipe holds 64 KiB)


def write_out(text: str) -> None:
    """`text` on standard output, a pipe's worth at a time, so that a reader that stopped early
    (`| head`) is a BrokenPipeError at the next write, which ends the command quietly
    (ratecard.options.OneLineErrors). Written at once, megabytes to a pipe whose reader had
    left came back short and no error, and the command went on to say on standard error what
    it had written ('exported 63755 values' after `export csv | head -2` printed two)."""
    for start in range(0, len(text), CHUNK):
        sys.stdout.write(text[start : start + CHUNK])
        sys.stdout.flush()


def _json_text(value: Any) -> str:
    """A value JSON has no type for as text: a time as `time_text` writes it (one spelling of
    UTC in a document), a date as ISO 8601, anything else (a Decimal) as `str` gives it."""
    from schemas.records import time_text

    if isinstance(value, datetime):
        return time_text(value)
    return value.isoformat() if isinstance(value, date) else str(value)


Progress = Callable[[str, str], None]  # (what: a source's name or '*', its step now)


@contextmanager
def flow_progress() -> Iterator[Progress]:
    """A flow-running command's steps on standard error as they happen, `progress(name, step)`:
    on a terminal a transient spinner per name with its time elapsed, gone when the block ends;
    on a pipe or a log one plain line per step, '  26.4s *: run 32769', the seconds since the
    block began (a start-up of 20 s with no word looked like a hang). Lines whose reader has
    left (`refresh 2>&1 | head -2`) go nowhere and the work goes on: the refresh failed its run
    on the closed pipe, and exited 0."""
    from rich.progress import Progress as Spinners
    from rich.progress import SpinnerColumn, TextColumn, TimeElapsedColumn

    errors = console(stderr=True)
    spinners = Spinners(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
        console=errors,
        transient=True,
    )
    tasks: dict[str, Any] = {}
    started = time.monotonic()

    def progress(name: str, message: str) -> None:
        if not errors.is_terminal:  # a log or a pipe: one plain line per step, as it happens
            elapsed = time.monotonic() - started
            try:
                errors.print(f"{elapsed:6.1f}s {name}: {message}", markup=False, highlight=False)
            except BrokenPipeError:
                reader_left(sys.stderr)
            return
        if name not in tasks:
            tasks[name] = spinners.add_task(f"{name}: {message}")
        spinners.update(tasks[name], description=f"{name}: {message}")

    if not errors.is_terminal:  # no spinners to draw (they ended with a blank line there)
        yield progress
        return
    with spinners:
        yield progress


def note_cut(shown: int, total: int, what: str) -> None:
    """Under a --json listing cut at --limit, one line on standard error (the JSON stays the
    list): 'showing 50 of 6607 review items (--limit)'; nothing when none was left out."""
    if total > shown:
        sys.stderr.write(f"showing {shown} of {total} {what} (--limit)\n")


def progress_lines(what: str, every: int) -> Callable[[int, int], None]:
    """A progress callback, (done, total): 'DONE of TOTAL WHAT' on standard error at every
    `every`-th and at the last ('50 of 533 model pages', '1000 of 3872 items approved'), so a
    long step says how far it is while standard output keeps only its result. Lines whose
    reader has left (`publish DIR 2>&1 | head -2`) go nowhere and the step goes on: the closed
    pipe ended a publish with no site, or a decision with nothing decided, and exit 0."""

    def progress(done: int, total: int) -> None:
        if done % every == 0 or done == total:
            try:
                sys.stderr.write(f"{done} of {total} {what}\n")
                sys.stderr.flush()
            except BrokenPipeError:
                reader_left(sys.stderr)

    return progress


def field_name(f: Mapping[str, Any]) -> str:
    """'input [service_tier=batch]': a field's component and dimensions, from a JSON record."""
    dims = ", ".join(f"{k}={v}" for k, v in f["dimensions"].items())
    return f"{f['component']}{f' [{dims}]' if dims else ''}"


def measure_name(measure: Measure) -> str:
    """'input [service_tier=batch]': a measure's component and dimensions."""
    dims = measure.dims.text()
    return f"{measure.component.value}{f' [{dims}]' if dims else ''}"


def plural(n: int, noun: str) -> str:
    """`n` and the noun, plural unless n is 1: '1 item', '3 open items'."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"
