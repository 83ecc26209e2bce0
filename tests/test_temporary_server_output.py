"""What Prefect's temporary server prints stays out of the command's output.

The README's first command, run on a fresh clone, once ended its output with a Python traceback
ending `asyncio.exceptions.CancelledError` after the run's summary: the temporary server (a
uvicorn process the command starts, sharing its terminal) printing a cancelled request as
Prefect stopped it at exit. The server's standard output and error now go to a file of the
command's (ratecard/options.py `_own_session_popen`); should the server end under a run, the
last line it wrote ends the command's one-line reason (`_last_line`).

The process here is the interpreter the server runs on, ending as that traceback ended.
"""

from __future__ import annotations

import os
import sys
import tempfile

import pytest

from ratecard.options import _last_line, _own_session_popen

CANCELLED = "import asyncio; print('INFO: shutting down'); raise asyncio.CancelledError"


def test_the_servers_traceback_is_not_the_commands(capfd: pytest.CaptureFixture[str]) -> None:
    with tempfile.TemporaryFile() as output:
        process = _own_session_popen([sys.executable, "-c", CANCELLED], dict(os.environ), output)
        assert process.wait(timeout=60) == 1
        assert _last_line(output) == "asyncio.exceptions.CancelledError"
        output.seek(0)
        kept = output.read().decode()
    shown = capfd.readouterr()
    assert (shown.out, shown.err) == ("", "")
    assert kept.startswith("INFO: shutting down\nTraceback (most recent call last):")


def test_a_server_that_wrote_nothing_has_no_last_line() -> None:
    with tempfile.TemporaryFile() as output:
        process = _own_session_popen([sys.executable, "-c", "pass"], dict(os.environ), output)
        assert process.wait(timeout=60) == 0
        assert _last_line(output) == ""
