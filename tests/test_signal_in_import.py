"""A Ctrl-C that lands inside Python's import machinery (CI saw it once in test_interrupt: the
KeyboardInterrupt raised in importlib's module-lock callback was printed as "Exception ignored"
with a traceback, and lost) comes again a moment later, past it."""

from __future__ import annotations

import logging
import signal
import time
from types import SimpleNamespace

import pytest

from ratecard.options import IMPORT_MACHINERY, interruptible


def test_a_signal_inside_the_import_machinery_is_raised_a_moment_later() -> None:
    caught = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
    before = {signum: signal.getsignal(signum) for signum in caught}
    try:
        with interruptible(lambda _: "interrupted") as interruption:
            interruption.grace = 3600  # the test ends the command itself
            handler = signal.getsignal(signal.SIGINT)
            assert callable(handler)
            importing = SimpleNamespace(
                f_code=SimpleNamespace(co_filename=f"{IMPORT_MACHINERY}._bootstrap>")
            )
            handler(signal.SIGINT, importing)  # type: ignore[arg-type]
            assert not interruption.raised
            with pytest.raises(KeyboardInterrupt):
                time.sleep(5)
            assert interruption.raised
    finally:
        for signum, handler in before.items():
            signal.signal(signum, handler)
        logging.disable(logging.NOTSET)
