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
import sys
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rich.console import Console, RenderableType
    from rich.table import Table

    from schemas.field import Measure

UNLIMITED_WIDTH = 1_000_000  # piped output: a row is as long as its values


def _reader_gone() -> None:
    """rich's own handling of a closed pipe exits 1; the BrokenPipeError goes on instead, to
    where every command is invoked (ratecard.options.OneLineErrors), which ends it quietly."""
    raise BrokenPipeError


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


def heading(text: str) -> None:
    """A bold line (plain when piped)."""
    from rich.text import Text

    console().print(Text(text, style="bold"))


def table(title: str, columns: Iterable[str], rows: Iterable[Iterable[Any]]) -> Table:
    """A table whose cells fold rather than cut when a terminal is narrow; cells are plain text."""
    from rich.table import Table
    from rich.text import Text

    out = Table(title=title)
    for column in columns:
        out.add_column(column, overflow="fold")
    for row in rows:
        out.add_row(*(Text("" if cell is None else str(cell)) for cell in row))
    return out


def print_table(title: str, columns: Iterable[str], rows: Iterable[Iterable[Any]]) -> None:
    console().print(table(title, columns, rows))


def print_json(data: Any) -> None:
    """Data as indented JSON on standard output (dates and Decimals as strings)."""
    sys.stdout.write(json.dumps(data, indent=2, default=str) + "\n")


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
