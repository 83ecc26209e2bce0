"""The `ratecard` console script: the command line (ratecard/cli.py) with a signal's one line
from its first instant.

A Ctrl-C while the command loaded (its imports take a few tenths of a second) printed a
15-line traceback of the import it landed in; one while Typer read the arguments ended the
command with exit 130 and not a word; SIGTERM or a hang-up ended a read command (`runs`,
`review list`, `export`) silently. Until a command takes over the signals itself (a refresh, a
decision: ratecard/options.py `interruptible`), each of SIGINT, SIGTERM and SIGHUP ends it in
one line, exit 130, as the command group does for a signal while a command runs
(`OneLineErrors.invoke`).
"""

from __future__ import annotations

import os
import signal
import sys
from types import FrameType

EXIT_INTERRUPTED = 130  # ratecard/options.py's, not imported: this runs before any import
SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
NOT_STARTED = "ratecard: interrupted; nothing done (it had not started)\n"


def _while_loading(signum: int, frame: FrameType | None) -> None:
    """While the command's modules load: nothing has started, so the line and the exit at once
    (a KeyboardInterrupt raised inside the import machinery is printed as ignored, and lost)."""
    os.write(2, NOT_STARTED.encode())
    os._exit(EXIT_INTERRUPTED)


def _interrupt(signum: int, frame: FrameType | None) -> None:
    """Once loaded: KeyboardInterrupt in the main thread, as Ctrl-C raises it, for the command
    group to end the command in its one line."""
    raise KeyboardInterrupt


def main() -> None:
    """Run the command line (sys.argv) and exit with its code. A signal the command was started
    ignoring stays ignored (`nohup` ignores a hang-up, a shell's background job Ctrl-C). Once
    the command has ended, the signals are ignored while the process exits: Python puts their
    default action back as it finalizes, and a SIGTERM in those tenths after `cost` printed its
    answer ended the process by the signal (143) without a word."""
    heeded = [n for n in SIGNALS if signal.getsignal(n) is not signal.SIG_IGN]
    for number in heeded:
        signal.signal(number, _while_loading)
    from ratecard.cli import app

    for number in heeded:
        signal.signal(number, _interrupt)
    try:
        app()
    except KeyboardInterrupt:  # before the group took the command over (reading arguments)
        sys.stderr.write(NOT_STARTED)
        sys.exit(EXIT_INTERRUPTED)
    finally:
        for number in heeded:
            signal.signal(number, signal.SIG_IGN)
