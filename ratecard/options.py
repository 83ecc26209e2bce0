"""What every command shares: options, exit codes, durations, refusals and the catalog's opening.

This module sits at the bottom of the CLI (`cli` registers the commands of `cli_catalog` and
`cli_queue`, which import only `options` and `output`) and imports nothing heavy: SQLAlchemy and
the catalog are imported when a command opens the catalog, not when the CLI loads.

Bad input never ends in a traceback: a command raises `bad_input` (exit 2, like Click's own
usage errors) or `Refused` (exit 1), and `OneLineErrors` prints either as one line on standard
error, `ratecard COMMAND: Invalid value for '--db': <URL>: <why>`.
"""

from __future__ import annotations

import _thread
import gc
import getpass
import logging
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager, nullcontext
from datetime import date, timedelta
from pathlib import Path
from types import FrameType, SimpleNamespace
from typing import IO, TYPE_CHECKING, Annotated, Any, NoReturn, TypeVar

import typer
from typer.core import TyperGroup

from ratecard.output import Progress, flow_progress, reader_left
from schemas.interrupts import interrupt_in

if TYPE_CHECKING:
    from sqlalchemy import Connection, Engine

    from catalog.queries import QueueFilter

# An argument that breaks its rule exits 2: Click's usage errors (typer.BadParameter, `bad_input`).
EXIT_OK = 0
EXIT_REFUSED = 1  # a well-formed request the catalog refuses (no such item, decision refused)

# Exit codes of `ratecard refresh`.
EXIT_SOURCES_FAILED = 1  # some source failed or broke: it changed nothing, the others applied
EXIT_RUN_FAILED = 2  # the run failed (every source failed, or an error): nothing applied

MAX_ID = 2**31 - 1  # the largest id a catalog integer column holds everywhere (PostgreSQL)
MAX_DURATION = timedelta(days=36_500)


def _db_given(url: str | None) -> str | None:
    """--db as given; an empty one (an unset shell variable: `--db "$CATALOG"`) is refused, not
    read as "the default catalog", and so is an empty RATECARD_DB when --db is not given."""
    if url == "":
        raise bad_input("--db", "empty: give a SQLAlchemy URL, or leave --db out for the default")
    if url is None and os.environ.get("RATECARD_DB") == "":
        raise bad_input("RATECARD_DB", "set but empty: unset it for the default catalog")
    return url


DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        help="SQLAlchemy URL (default: RATECARD_DB or data/ratecard.db)",
        callback=_db_given,
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")]
AtOption = Annotated[
    str | None,
    typer.Option("--at", help="As of this date (YYYY-MM-DD, UTC end of day); default: now."),
]


def parse_at(text: str | None) -> date | None:
    """--at DATE: an ISO date (0001-01-01 to 9999-12-31), else `bad_input('--at', …)`."""
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise bad_input("--at", f"{text!r}: use a date, YYYY-MM-DD") from None


LimitOption = Annotated[
    int, typer.Option("--limit", min=1, max=100_000, help="At most this many (1-100000).")
]


MAX_NAME = 300  # the longest route or model name a command takes (the web app's limit too)


MISSING_COMMAND = "Missing command."  # Click's words for a group given no command


class Refused(typer.TyperException):
    """A request the catalog refuses (exit 1); the message is the one line printed, after the
    command's name as a bad argument's is ('ratecard review show: no review item 9'): the
    command running when it is raised is kept for it."""

    exit_code = EXIT_REFUSED

    def __init__(self, message: str) -> None:
        super().__init__(message)
        from typer._click.globals import get_current_context

        self.ctx = get_current_context(silent=True)


# A question before a decision answered no: a refusal like any other, one line and exit 1.
NOT_CONFIRMED = "nothing decided (not confirmed)"
# The question left unanswered (standard input ended, or Ctrl-C at the prompt).
NOT_ANSWERED = "nothing decided (no answer; --yes decides without asking)"


def confirmed(question: str, *, err: bool) -> bool:
    """Ask `question` on standard output (error with `err`) and read yes or no. An answer that
    never comes (standard input at its end, `< /dev/null`, or Ctrl-C) is a refusal, NOT_ANSWERED,
    printed on a line of its own: the prompt's line is ended first (Click leaves it open, so the
    refusal used to read 'approve all 16? [y/N]: ratecard: aborted'). With `err` nothing at all
    goes to standard output, which --json keeps for its JSON (Click's prompt wrote its last
    space there)."""
    try:
        if not err:
            return typer.confirm(question)
        while True:
            typer.echo(f"{question} [y/N]: ", err=True, nl=False)
            line = sys.stdin.readline()
            if not line:  # end of input: no answer
                raise typer.Abort
            answer = line.strip().lower()
            if answer in ("y", "yes", "n", "no", ""):  # as Click's confirm reads it; N by default
                return answer in ("y", "yes")
            typer.echo("Error: invalid input", err=True)
    except (typer.Abort, KeyboardInterrupt):
        typer.echo("", err=err)
        raise Refused(NOT_ANSWERED) from None


def bad_input(argument: str, message: str) -> typer.BadParameter:
    """The error for an argument that breaks its rule: `Invalid value for 'ARGUMENT': message`."""
    return typer.BadParameter(message, param_hint=f"'{argument}'")


class WholeSummaries(TyperGroup):
    """A command group whose --help lists each command with the whole first sentence of its
    help, folded to the width: Click cuts it at the terminal's width less the names ('Every
    field of a (route, model): value,...'), piped or not."""

    def format_commands(
        self, ctx: typer._click.core.Context, formatter: typer._click.formatting.HelpFormatter
    ) -> None:
        """The 'Commands' section: name, then the first sentence of its help, never cut."""
        rows = []
        for name in self.list_commands(ctx):
            command = self.get_command(ctx, name)
            if command is not None and not command.hidden:
                rows.append((name, command.get_short_help_str(limit=sys.maxsize)))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


class OneLineErrors(WholeSummaries):
    """The command group: every Click error and refusal is one line on standard error.

    Click and Typer would print a usage block and a boxed message; a person reading a pipe or a
    log wants the argument and the rule on one line, and the exit code (2: bad input, 1: refused).
    """

    def invoke(self, ctx: typer._click.core.Context) -> Any:
        """The command; if standard output's reader stops early (`| head`), a quiet exit 0
        (Click would make it exit 1, which here means a refusal). A signal before the command
        took over its own (`interrupted_ends`), while Typer read its arguments or a command
        that takes none ran, ends it in one line (Typer's exit 130 said nothing), as does one
        that compiled code turned into an error of its own (`interrupt_within`)."""
        called = [*ctx._protected_args, *ctx.args]  # before the group's invoke takes them
        try:
            return super().invoke(ctx)
        except BrokenPipeError:  # the rest of the output goes nowhere, so exit's flush is quiet
            reader_left(sys.stdout)
            raise SystemExit(EXIT_OK) from None
        except Exception as exc:
            if not interrupt_within(exc):
                raise
            self._interrupted(ctx, called)
        except KeyboardInterrupt:
            self._interrupted(ctx, called)

    def make_context(
        self,
        info_name: str | None,
        args: list[str],
        parent: typer._click.core.Context | None = None,
        **extra: Any,
    ) -> typer._click.core.Context:
        """The group's context, its arguments read. A signal while they are read (before
        `invoke`) ends the command in one line, exit 130: Typer made it a silent Exit(130)."""
        try:
            return super().make_context(info_name, args, parent, **extra)
        except KeyboardInterrupt:
            named = info_name or "ratecard"
            typer.echo(f"{named}: interrupted; nothing done (it had not started)", err=True)
            raise typer.Exit(EXIT_INTERRUPTED) from None

    def _interrupted(self, ctx: typer._click.core.Context, called: list[str]) -> NoReturn:
        """End an interrupted command in one line, exit 130."""
        names = _command_names(self, called)
        done = NOT_STARTED.get(" ".join(names), "nothing done (it had not started)")
        typer.echo(
            f"{' '.join([ctx.info_name or 'ratecard', *names])}: interrupted; {done}", err=True
        )
        raise typer.Exit(EXIT_INTERRUPTED) from None

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        windows_expand_args: bool = True,
        **extra: Any,
    ) -> Any:
        """Run the command line `args` (default: sys.argv[1:]) and exit with the command's code
        (2 for bad input, 1 for a refusal, 0 for a command that returns none). An argument
        holding bytes UTF-8 never has, and every Click or Typer error, is one line on standard
        error naming the command and the argument; an abort says so. With `standalone_mode` False
        the code is returned instead."""
        try:
            argv = list(sys.argv[1:] if args is None else args)
            self._refuse_bytes(argv, prog_name or "ratecard")
            code = super().main(argv, prog_name, complete_var, False, windows_expand_args, **extra)
        except typer.TyperException as exc:
            if isinstance(exc, typer.BadParameter):
                exc.message = _whole_number_rule(exc) or exc.message
            context = getattr(exc, "ctx", None)
            where = context.command_path if context is not None else "ratecard"
            # one line: line breaks go, spaces within a line stay (a quoted value keeps its own)
            message = " ".join(line.strip() for line in exc.format_message().splitlines())
            if message == MISSING_COMMAND:  # `ratecard` alone: say where the commands are
                message = f"{message} `{where} --help` lists them."
            typer.echo(f"{where}: {message}", err=True)
            code = exc.exit_code
        except typer.Abort:
            typer.echo("ratecard: aborted", err=True)
            code = EXIT_REFUSED
        if not standalone_mode:
            return code
        sys.exit(code if isinstance(code, int) else EXIT_OK)

    def _refuse_bytes(self, argv: list[str], prog_name: str) -> None:
        """Refuse an argument holding bytes UTF-8 never has, before any command runs: Python
        hands them on as lone surrogates, which no catalog, page or hash can encode (every
        command ended in a traceback at its first write or query). Names the option the value
        belongs to (`--reason`, `--reason=…`) or the command's positional argument."""
        from typer.core import TyperGroup

        for index, text in enumerate(argv):
            if not _holds_bytes(text):
                continue
            command: Any = self
            path = [prog_name]
            for token in argv[:index]:
                if isinstance(command, TyperGroup) and token in command.commands:
                    command = command.commands[token]
                    path.append(token)
            name = _argument_name(command, argv[len(path) - 1 : index + 1])
            raise typer.BadParameter(
                f"{text!r} is not UTF-8 text: it holds bytes no character has",
                param_hint=f"'{name}'",
                ctx=typer._click.core.Context(command, info_name=" ".join(path)),
            )


# What a command interrupted before its own handling of signals says, where more is known
# than "nothing done": a refresh's run starts later still.
NOT_STARTED = {
    "refresh": "nothing applied (no run had started)",
    **{f"review {verb}": "nothing decided" for verb in ("approve", "reject", "undo")},
}


def _command_names(group: TyperGroup, argv: Sequence[str]) -> list[str]:
    """The names of the (sub)command `argv` calls in `group`: ['review', 'approve']."""
    command: Any = group
    names: list[str] = []
    for token in argv:
        if not (isinstance(command, TyperGroup) and token in command.commands):
            break
        command = command.commands[token]
        names.append(token)
    return names


def _long_name(opts: Sequence[str], given: str) -> str:
    """An option's long name ('--output' for '-o'), as the other refusals name it."""
    return next((o for o in opts if o.startswith("--")), given)


def _holds_bytes(text: str) -> bool:
    """True when `text` holds a lone surrogate: a byte of the command line UTF-8 never has."""
    return any("\ud800" <= c <= "\udfff" for c in text)


def _argument_name(command: Any, tokens: list[str]) -> str:
    """The option (`--reason`) or positional argument (`TARGET`) whose value is the last of
    `tokens` (the command's own, after its name); a command name when none is either."""
    from typer.core import TyperArgument, TyperGroup, TyperOption

    *before, text = tokens
    options = {o: p for p in command.params if isinstance(p, TyperOption) for o in p.opts}
    if text.startswith("-") and "=" in text:
        given = text.split("=", 1)[0]
        return _long_name(options[given].opts, given) if given in options else given
    if before and before[-1] in options and not options[before[-1]].is_flag:
        return _long_name(options[before[-1]].opts, before[-1])
    positional = [p for p in command.params if isinstance(p, TyperArgument)]
    if isinstance(command, TyperGroup) or not positional:
        return "COMMAND"
    taken = 0
    value_next = False
    for token in before:
        if value_next:
            value_next = False
        elif token in options:
            value_next = not options[token].is_flag
        elif not token.startswith("-"):
            taken += 1
    chosen = positional[min(taken, len(positional) - 1)]
    return str(chosen.metavar or (chosen.name or "").upper())


# Prefect as a command runs a flow unless told otherwise: its own logs only when something is
# wrong, and then to the Prefect API (the run's page) and not the console, where the command
# prints the outcome itself (a refresh whose source failed said so four times: Scrapy's retry
# error naming the loopback URL, the flow's warning, Prefect's 'Finished in state Failed', then
# the report); no telemetry; and patience for the temporary server's first start, which can
# take 20 s or more on a busy 2-core machine.
PREFECT_DEFAULTS = {
    "PREFECT_LOGGING_LEVEL": "WARNING",
    "PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL": "CRITICAL",
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "90",
}


def prefect_ready() -> None:
    """Set PREFECT_DEFAULTS in this process's environment where the operator set nothing, and
    refuse (PrefectUnreachable, exit 2) before any flow starts when the Prefect API the
    operator named (PREFECT_API_URL, in the environment or Prefect's profile) is empty, answers
    nothing at all, or answers its health check with an error other than asking for
    credentials (a fault round: the server's address without `/api` answered 404, and the flow
    ended in 260 lines of tracebacks): Prefect's client would retry it for seconds and end in
    pages of tracebacks. A server that wants credentials (401, 403, 407) answers; none is asked
    for when no API is named (Prefect's temporary server is started for the command)."""
    for name, value in PREFECT_DEFAULTS.items():
        os.environ.setdefault(name, value)
    named = os.environ.get("PREFECT_API_URL")
    if named is not None and not named.strip():  # Prefect half-reads it: pages of tracebacks
        raise PrefectUnreachable(
            "PREFECT_API_URL is set but empty: unset it to run on Prefect's temporary server, "
            "or set it to a Prefect API's URL; nothing started"
        ) from None
    from prefect.settings import PREFECT_API_URL

    api = PREFECT_API_URL.value()
    if not api:
        return
    import urllib.error
    import urllib.request

    health = f"{api.rstrip('/')}/health"
    try:
        with urllib.request.urlopen(health, timeout=API_TIMEOUT):
            return
    except urllib.error.HTTPError as exc:
        if exc.code in CREDENTIALS_ASKED:
            return
        usual = (
            "" if api.rstrip("/").endswith("/api") else "; Prefect's API is at the server's /api"
        )
        reason = f"GET {health} answered {exc.code} {exc.reason}{usual}"
    except (OSError, ValueError) as exc:
        reason = str(getattr(exc, "reason", exc))
    raise PrefectUnreachable(
        f"PREFECT_API_URL: no Prefect API answers at {api} ({reason}); nothing started"
    ) from None


CREDENTIALS_ASKED = frozenset({401, 403, 407})  # a server that answers, wanting credentials


API_TIMEOUT = 10  # seconds a named Prefect API has to answer before a flow command refuses


def _whole_number_rule(exc: typer.BadParameter) -> str | None:
    """A whole-number argument's rule in ratecard's words, for the words Typer takes from
    pydantic (`whole_number_rule`), the range the argument's own bounds; None for any other
    refusal."""
    from pydantic import ValidationError

    cause, param = exc.__cause__, exc.param
    if not isinstance(cause, ValidationError) or param is None or cause.error_count() != 1:
        return None
    return whole_number_rule(
        cause.errors()[0], getattr(param, "min", None), getattr(param, "max", None)
    )


def whole_number_rule(error: Mapping[str, Any], low: Any = None, high: Any = None) -> str | None:
    """A pydantic error about a whole number in ratecard's words, the value first ("'abc': use a
    whole number from 1 to 100000"): pydantic's own ("Input should be a valid integer, unable to
    parse string as an integer") never named the value nor, past the bound it broke, the range.
    `low` and `high`: the bounds, where the error states at most the one it broke. None for an
    error about anything else."""
    if not str(error["type"]).startswith(("int_", "greater_than", "less_than")):
        return None
    bounds = error.get("ctx", {})
    low = bounds.get("ge") if low is None else low
    high = bounds.get("le") if high is None else high
    if low is not None and high is not None:
        span = f" from {low} to {high}"
    elif low is not None:
        span = f" of {low} or more"
    else:
        span = "" if high is None else f" of {high} or less"
    return f"{str(error['input'])!r}: use a whole number{span}"


class PrefectUnreachable(Refused):
    """The Prefect API the operator named does not answer: nothing started (exit 2)."""

    exit_code = EXIT_RUN_FAILED


@contextmanager
def without_collector(module: str) -> Iterator[None]:
    """Run a command's work, which imports `module` (and all it needs), with the cyclic garbage
    collector paused; when the block was the one to import `module` (a new process, as from a
    shell), freeze what is alive at its end (gc.freeze: no later collection walks it, the
    interpreter's last ones at exit included).

    A refresh imports some 2,000 modules (Prefect, Scrapy, SQLAlchemy, polars, pandera) and
    builds ~10^6 records, nearly all alive until the process ends. The collector walking them as
    they loaded and grew found next to nothing and cost about 1 s of CPU on the epoch-2 replay,
    and its passes at exit about 1 s more; without it the run's peak memory grew by ~5 MB
    (measured). Objects are still freed as their references go, and what the command opens
    (engines, files) it closes itself: nothing waits for a collection. A process that had
    already imported `module` (a test session) gets its collector back as it was, its own
    garbage never frozen.
    """
    first = module not in sys.modules
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if first and module in sys.modules:
            gc.freeze()
        if was_enabled:
            gc.enable()


def parse_duration(text: str, argument: str) -> timedelta:
    """'12h' → timedelta(hours=12): a whole number and s, m, h or d, at most 36,500 days.

    Raises `bad_input(argument, …)` for anything else.
    """
    match = re.fullmatch(r"(\d+)\s*([smhd])", text.strip())
    if not match:
        raise bad_input(argument, f"{text!r}: use a whole number and s, m, h or d (e.g. 12h)")
    seconds = int(match[1]) * {"s": 1, "m": 60, "h": 3600, "d": 86_400}[match[2]]
    if seconds > MAX_DURATION.total_seconds():
        raise bad_input(argument, f"{text!r}: at most {MAX_DURATION.days} days")
    return timedelta(seconds=seconds)


def check_name(argument: str, text: str, what: str = "a name") -> str:
    """A route or model name as given: 1 to 300 printable characters (no control characters),
    not only spaces, and no space (of any script) at either end: no catalog name has one, and a
    refusal that quoted it would read as naming the catalog's own spelling.

    Raises `bad_input(argument, …)` naming the rule; returns `text` unchanged."""
    if not text.strip():
        raise bad_input(argument, f"{what} is empty")
    if text != text.strip():
        raise bad_input(argument, f"{text!r}: {what} begins or ends with a space")
    if len(text) > MAX_NAME:
        raise bad_input(argument, f"{what} of {len(text)} characters: at most {MAX_NAME}")
    if any(ord(c) < 32 or 127 <= ord(c) < 160 for c in text):
        raise bad_input(argument, f"{text!r}: {what} holds control characters")
    return text


def parse_target(argument: str, text: str, example: str) -> tuple[str, str]:
    """'ROUTE/MODEL' → (route, model), each checked by `check_name`; the model may hold '/'.

    Raises `bad_input(argument, …)`: 'use ROUTE/MODEL' when either side is missing."""
    route, _, model = text.partition("/")
    if not (route and model):
        raise bad_input(argument, f"{text!r}: use ROUTE/MODEL, e.g. {example}")
    return check_name(argument, route, "the route"), check_name(argument, model, "the model")


def spelling_hint(conn: Connection, route: str | None, model: str | None) -> str:
    """' (the catalog calls it …)' when a route and/or model the catalog does not hold is another
    spelling of one it does; '' otherwise (`catalog.queries.spelling_hint`, which the web app's
    refusals use too)."""
    from catalog import queries

    return queries.spelling_hint(conn, route, model)


def check_queue_filter(conn: Connection, which: QueueFilter) -> None:
    """Refuse a queue filter's --route, --model, --source or set that no review item, whatever
    its status, could name: the rule the web queue follows (catalog/filters.py), never an empty
    list that reads as "nothing matches". Another spelling of a catalog name is refused naming
    the catalog's (' (the catalog calls it …)')."""
    from catalog.filters import UnknownFilter
    from catalog.filters import check_queue_filter as check

    try:
        check(conn, which)
    except UnknownFilter as exc:
        raise bad_input(f"--{exc.name}", str(exc)) from None


def check_choice(argument: str, value: str | None, allowed: Iterable[str]) -> None:
    """Refuse a value outside `allowed` (None passes), listing what is allowed."""
    known = sorted(allowed)
    if value is not None and value not in known:
        raise bad_input(argument, f"{value!r} is not one of: {', '.join(known)}")


def check_sources(argument: str, names: Iterable[str] | None) -> None:
    """Refuse source names that data/sources.json does not configure."""
    from schemas.sources import sources

    for name in names or ():
        check_choice(argument, name, sources())


def check_queue_source(argument: str, name: str | None) -> None:
    """Refuse a review filter's source that no review item can cite: one data/sources.json does
    not configure, other than 'submission' (schemas/sources.py `queue_sources`, the names the
    web queue's filters take)."""
    from schemas.sources import queue_sources

    check_choice(argument, name, queue_sources())


def check_reason(reason: str | None, what: str | None) -> None:
    """Refuse, before anything is read or shown, a --reason the decision would refuse: a blank
    one where the decision needs one (`what`: 'a rejection', 'an undo'; None where a reason is
    optional, an approval), and one holding control characters (`checked_reason`'s rule: the
    decision refused it only after the preview, as a refusal naming no argument)."""
    from review.decisions import DecisionError, checked_reason

    if what is not None and not (reason or "").strip():
        raise bad_input("--reason", f"{what} needs a reason")
    try:
        checked_reason(reason)
    except DecisionError as exc:
        raise bad_input("--reason", str(exc)) from None


def given_path(argument: str, instead: str) -> Callable[[str], Path]:
    """The parser of a path option (Typer's `parser=`): the path as given, and an empty one (an
    unset shell variable: `-o "$OUT"`) refused as `bad_input(argument, 'empty: …, or INSTEAD')`.
    Read as a path, '' is '.', the current folder: the refusal named the folder, not the
    argument left empty."""

    def parse(text: str) -> Path:
        if not text:
            raise bad_input(argument, f"empty: give a file's path, or {instead}")
        return Path(text)

    return parse


def operator() -> str:
    """Who runs the CLI, as a decision's and a submission's client id ('cli:ACCOUNT'): the CLI
    trusts the local operator, so the OS account is the person (README, "Who is who"). Every
    command that submits or decides passes it, whatever way it names the items."""
    return f"cli:{getpass.getuser()}"


def check_reviewer(engine: Engine, name: str) -> None:
    """Refuse a --reviewer that names no active reviewer (as `submit --as` does)."""
    from review.reviewers import reviewer_exists

    with engine.connect() as conn:
        if not reviewer_exists(conn, name):
            raise bad_input("--reviewer", f"no active reviewer named {name!r}")


@contextmanager
def catalog(db: str | None, *, create: bool = False) -> Iterator[Engine]:
    """The catalog engine for one command, disposed after it (so SQLite's -wal/-shm go too).

    Without `create` nothing is created: a missing or unusable catalog is `bad_input('--db')`
    (or 'RATECARD_DB' when the URL came from there), with the URL and the reason. A database
    error while the command works (a locked file, a dropped connection) is `Refused` with its
    first line.
    """
    from sqlalchemy.exc import SQLAlchemyError

    from catalog import store

    from_environment = os.environ.get("RATECARD_DB", "") if db is None else ""
    if _holds_bytes(from_environment):  # --db's own bytes are refused with the other arguments
        raise bad_input(
            "RATECARD_DB",
            f"{from_environment!r} is not UTF-8 text: it holds bytes no character has",
        )
    try:
        engine = store.open_catalog(db, create=create)
    except store.CatalogUnavailable as exc:
        from_env = db is None and os.environ.get("RATECARD_DB")
        raise bad_input("RATECARD_DB" if from_env else "--db", str(exc)) from None
    try:
        yield engine
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        raise Refused(f"the catalog refused: {reason}") from None
    finally:
        engine.dispose()


def check_catalog(db: str | None, *, create: bool = False) -> None:
    """Refuse an unusable catalog before a command hands its URL to a flow or the web app.

    With `create` a missing catalog is created (and migrated) here, as the flow would.
    """
    with catalog(db, create=create):
        return


EXIT_INTERRUPTED = 130  # 128 + SIGINT, as a shell reports a command Ctrl-C ended
INTERRUPT_GRACE = 10.0  # seconds an interrupted command may take to end before it is ended
SERVER_GONE_GRACE = 3.0  # the same once Prefect's server has ended: its reporting cannot succeed


class Interruption:
    """What ended a command early: set by the first SIGINT, SIGTERM or SIGHUP (or by
    `temporary_server` when Prefect's server ends), read once the command unwinds."""

    def __init__(self) -> None:
        self.reason: str | None = None
        self.raised = False  # the KeyboardInterrupt is raised once
        self.exit_code = EXIT_INTERRUPTED
        self.grace = INTERRUPT_GRACE
        # the temporary server's process (its latest), killed if the grace runs out
        self.server: subprocess.Popen[bytes] | None = None
        self._told = threading.Lock()

    def tell_once(self, line: str) -> bool:
        """Print `line` on standard error unless a line was already told; whether it was."""
        if not self._told.acquire(blocking=False):
            return False
        typer.echo(line, err=True)
        return True


# Where a signal's KeyboardInterrupt cannot be raised: importlib's frozen bootstrap, whose
# module-lock weakref callback prints and ignores an exception; and how soon it comes again.
IMPORT_MACHINERY = "<frozen importlib"
REDELIVER_SECONDS = 0.01


@contextmanager
def interruptible(last_word: Callable[[Interruption], str]) -> Iterator[Interruption]:
    """Run a command that a signal may end (SIGINT, SIGTERM, SIGHUP): the first raises
    KeyboardInterrupt in the main thread at once, wherever it is (asyncio's own handler would
    only cancel its task at the next await, seconds away in a long synchronous stage), silences
    logging (Prefect's reports of the crash are noise to a person who pressed Ctrl-C), and
    ignores the signals after it. Should the command not have ended `INTERRUPT_GRACE` seconds
    later (a reporting call that retries), `last_word(interruption)` is printed and the process
    ends there (`interruption.exit_code`: 130 for a signal), killing the temporary server it
    started.

    The caller catches KeyboardInterrupt and prints `last_word` itself through `tell_once`.
    """
    interruption = Interruption()

    def grace_over() -> None:
        interruption.tell_once(last_word(interruption))
        if interruption.server is not None:
            interruption.server.kill()
        sys.stderr.flush()
        os._exit(interruption.exit_code)

    def on_signal(signum: int, frame: FrameType | None) -> None:
        if interruption.raised:
            return
        if frame is not None and frame.f_code.co_filename.startswith(IMPORT_MACHINERY):
            # Raised inside importlib's module-lock callback, KeyboardInterrupt would be printed
            # as "Exception ignored" with a traceback, and lost: the signal comes again a moment
            # later, past the import (CI saw it once in test_interrupt).
            again = threading.Timer(
                REDELIVER_SECONDS, signal.pthread_kill, (threading.main_thread().ident, signum)
            )
            again.daemon = True
            again.start()
            return
        interruption.raised = True
        interruption.reason = interruption.reason or "interrupted"
        logging.disable(logging.CRITICAL)
        timer = threading.Timer(interruption.grace, grace_over)
        timer.daemon = True
        timer.start()
        raise KeyboardInterrupt

    caught = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
    previous = {signum: signal.signal(signum, on_signal) for signum in caught}
    try:
        yield interruption
    finally:
        # After a signal the command is ending: the signals stay ignored to its exit, so another
        # Ctrl-C cannot cut short the exit handlers (Prefect's stop of the temporary server)
        # with a traceback. The grace timer still ends a stuck exit.
        for signum, handler in previous.items():
            signal.signal(signum, signal.SIG_IGN if interruption.raised else handler)


@contextmanager
def interrupted_ends(last_word: Callable[[Interruption], str]) -> Iterator[Interruption]:
    """`interruptible`, whose KeyboardInterrupt ends the command: `last_word(interruption)` told
    once on standard error ('ratecard review approve: interrupted; nothing decided'), exit 130,
    no traceback (Typer ended an interrupted command with 130 and not a word)."""
    with interruptible(last_word) as interruption:
        try:
            yield interruption
        except KeyboardInterrupt:
            interruption.tell_once(last_word(interruption))
            raise typer.Exit(interruption.exit_code) from None
        except Exception as exc:
            if not interrupt_within(exc):
                raise
            interruption.tell_once(last_word(interruption))
            raise typer.Exit(interruption.exit_code) from None


def interrupt_within(exc: BaseException) -> bool:
    """Whether `exc` is a signal's KeyboardInterrupt that compiled code turned into an error of
    its own, the KeyboardInterrupt its cause (schemas.interrupts `interrupt_in`: pydantic-core's
    serializer, Ctrl-C landing while Prefect dumps its settings four seconds into `refresh` or
    `sla-watch`, ended in a boxed traceback, "PydanticSerializationError: ... KeyboardInterrupt",
    exit 1). Typer's and Click's own exits are never one."""
    if isinstance(exc, typer.Exit | typer._click.exceptions.ClickException):
        return False
    return interrupt_in(exc)


def _own_session_popen(
    args: list[str], env: dict[str, str], output: IO[bytes]
) -> subprocess.Popen[bytes]:
    """subprocess.Popen as Prefect's server module calls it (the uvicorn command, its
    environment), in a session of its own: a terminal's Ctrl-C (SIGINT to its foreground
    process group) or hang-up reaches the command, not the server under it. On Linux the child
    also gets SIGTERM when the command's process dies, however it dies (PR_SET_PDEATHSIG). Its
    standard output and error go to `output`, not the command's: what uvicorn prints as Prefect
    stops it at exit (a cancelled request's traceback) is not the command's to show."""
    preexec = None
    if sys.platform == "linux":
        import ctypes

        prctl = ctypes.CDLL(None, use_errno=True).prctl  # resolved before the fork

        def preexec() -> None:
            prctl(1, int(signal.SIGTERM))  # 1: PR_SET_PDEATHSIG

    return subprocess.Popen(
        args,
        env=env,
        start_new_session=True,
        preexec_fn=preexec,
        stdout=output,
        stderr=subprocess.STDOUT,
    )


def _last_line(output: IO[bytes]) -> str:
    """The last line a process wrote to `output` (a file it shares), at most 300 characters."""
    output.seek(0, os.SEEK_END)
    output.seek(max(0, output.tell() - 4096))
    lines = output.read().decode(errors="replace").strip().splitlines()
    return lines[-1].strip()[:300] if lines else ""


PORT_TAKEN = 3  # the temporary server's exit when its port was taken: Prefect starts another


@contextmanager
def temporary_server(interruption: Interruption) -> Iterator[None]:
    """Start Prefect's temporary server for this command, when no PREFECT_API_URL names one,
    in a session of its own (see `_own_session_popen`), as the instance Prefect's clients use
    (SubprocessASGIServer's default one, stopped at exit as Prefect stops it). From its start
    to the block's end a watcher interrupts the main thread should the server end: Prefect
    would otherwise wait out its start-up timeout, or retry its reporting against a dead API
    for as long as the run lasts. `interruption.reason` then names the server's exit, and the
    exit code is 2 (the run failed), and the reason ends with the last line the server wrote
    (its own output is kept apart from the command's: `_own_session_popen`)."""
    from prefect.settings import PREFECT_API_URL, PREFECT_SERVER_EPHEMERAL_ENABLED

    if PREFECT_API_URL.value() or not PREFECT_SERVER_EPHEMERAL_ENABLED.value():
        yield  # a server of its own is named: the server's modules are not even imported
        return
    from prefect.server.api import server as prefect_server

    started, done = threading.Event(), threading.Event()
    output = tempfile.TemporaryFile()  # noqa: SIM115 (the server's output: the watcher closes it)

    def spawn(args: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
        process = _own_session_popen(args, env, output)
        interruption.server = process
        return process

    def watch() -> None:
        with output:
            while not done.wait(0.2):
                process = interruption.server
                code = process.poll() if process is not None else None
                if code is None or (code == PORT_TAKEN and not started.is_set()) or done.is_set():
                    continue
                last = _last_line(output)
                interruption.reason = f"Prefect's temporary server ended (exit {code})" + (
                    f": {last}" if last else ""
                )
                interruption.exit_code = EXIT_RUN_FAILED
                interruption.grace = SERVER_GONE_GRACE
                logging.disable(logging.CRITICAL)  # its clients' failures are no news now
                _thread.interrupt_main(signal.SIGINT)
                return

    watcher = threading.Thread(target=watch, name="temporary-server-watch", daemon=True)
    watcher.start()
    try:
        server = prefect_server.SubprocessASGIServer()
        names = vars(prefect_server)  # the server module spawns through its `subprocess` name
        spawner = names["subprocess"]
        names["subprocess"] = SimpleNamespace(Popen=spawn)
        try:
            server.start()
        finally:
            names["subprocess"] = spawner
        started.set()
        yield
    finally:
        done.set()


FLOW_STARTING = "starting the flow run (Prefect)"  # the first progress line of a flow command
T = TypeVar("T")


def run_in_flow(interruption: Interruption, call: Callable[[Progress], T]) -> T:
    """What every flow-running command (`refresh`, `sla-watch`, `process-submissions`) does
    once its arguments are checked, inside `interrupted_ends` (or `interruptible`): say on
    standard error that the flow run is starting, then as it goes (`flow_progress`, which
    `call` is given), and run `call` (which imports the flow and runs it) on Prefect's
    temporary server started in a session of its own (`temporary_server`: a terminal's Ctrl-C
    reaches the command, which ends at once, and not the server, which printed 'Aborted!'). A
    signal the flow took for a failure (it landed in a task) ends the command as interrupted
    all the same: KeyboardInterrupt, which the caller's `interrupted_ends` turns into its one
    line. Before, `sla-watch` and `process-submissions` said nothing for 13-26 s of start-up
    and took up to 12 s to end on Ctrl-C."""
    with flow_progress() as progress:
        progress("*", FLOW_STARTING)
        with temporary_server(interruption), signals_kept():
            result = call(progress)
    if interruption.raised:
        raise KeyboardInterrupt
    return result


@contextmanager
def signals_kept() -> Iterator[None]:
    """While the block runs a flow in this process, SIGTERM stays the command's (`interruptible`:
    KeyboardInterrupt in the main thread, one line, exit 130), as SIGINT and SIGHUP do. Prefect's
    flow engine otherwise puts its own handler in its place for the flow run (capture_sigterm:
    a bridge for a runner cancelling a deployment's run, none here), whose TerminationSignal,
    raised while the event loop waited (a fetch waiting for the crawl started ahead, a source's
    download), left asyncio.run past every handler: a traceback and exit 1, or the flow failed
    'Task run is not set' (exit 2), or the run hung until killed."""
    from prefect import flow_engine

    names = vars(flow_engine)  # the engine enters capture_sigterm through its module's name
    bridge = names.get("capture_sigterm")
    if bridge is None:  # a Prefect without it: nothing to keep apart
        yield
        return
    names["capture_sigterm"] = nullcontext
    try:
        yield
    finally:
        names["capture_sigterm"] = bridge
