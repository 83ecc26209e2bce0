"""Fetch ahead: the sources' crawl started in a child process as a refresh command starts, so that
the download runs on the machine's other core while the command loads Prefect and the flow's
modules and starts its flow run (about 1.5 s of a replayed refresh's 8, on one core, before any
fetch began).

The child (`python -P -m spiders.ahead [--replay FILE] [SOURCE ...]`, importing from where the
command did) crawls the sources as the flow would (spiders.crawl, every source at once on one
event loop, through its own loopback replay server when `--replay` names a world) and writes a
pickle of {source: CrawlResult} to its standard output; a source whose crawl raised is left out.
The flow's fetch task takes a source's result from it (`FetchAhead.result`) and crawls in its
own process whatever it does not have: a source left out, or all of them when the child failed,
was killed or wrote what does not unpickle. What the child read is what a crawl in the flow
would have read; only its responses' dates may be a second earlier.

The child dies with the command (PR_SET_PDEATHSIG on Linux), and `close` kills it when the
command ends first (a refusal, a signal). Its standard error goes nowhere: whatever it fails
of, the flow fetches again and says so.
"""

from __future__ import annotations

import asyncio
import gc
import os
import pickle
import signal
import site
import subprocess
import sys
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spiders.results import CrawlResult

ROOT = Path(__file__).resolve().parent.parent  # where this process imports `spiders` from
POLL_SECONDS = 0.005  # how often a fetch task waiting for the child looks whether it ended


class FetchAhead:
    """The crawl of `sources` (every configured source when empty) started in a child process,
    through a replay server of the world at `replay` when given; its results taken once, by
    the first caller of `result`. A context manager: leaving it kills the child if it still
    runs."""

    def __init__(self, sources: Sequence[str], replay: Path | None) -> None:
        # The child imports ratecard's modules from where this process did, whatever directory
        # the command runs in: `python -m` alone puts the working directory first on the path,
        # where a Scrapy project's own `spiders` package (or another checkout) would be found.
        command = [sys.executable, "-P", "-m", "spiders.ahead"]
        if replay is not None:
            command += ["--replay", str(replay.resolve())]
        # (ratecard installed in site-packages: the child finds it there, after the standard
        # library, which a site-packages put first on PYTHONPATH would let a module shadow)
        installed = str(ROOT) in {*site.getsitepackages(), site.getusersitepackages()}
        root = [] if installed else [str(ROOT)]
        path = os.pathsep.join(filter(None, [*root, os.environ.get("PYTHONPATH")]))
        self._process = subprocess.Popen(
            [*command, *sources],
            env={**os.environ, "PYTHONPATH": path},
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            preexec_fn=_dies_with_parent(),
        )
        # Its output is read as it comes, by a thread of its own (the child never waits on a
        # full pipe); a daemon, so that a command ending (a signal) never waits for it.
        self._output: list[bytes] = []
        self._ended = threading.Event()
        threading.Thread(target=self._drain, name="fetch-ahead", daemon=True).start()
        self._results: dict[str, CrawlResult] | None = None
        self.failure = ""  # why the child gave nothing, once `result` has been asked

    async def result(self, source: str) -> CrawlResult | None:
        """What the child's crawl of `source` read, or None when it has nothing of it (the
        caller crawls it). Waits for the child to end (a cancellation or a signal ends the wait
        at once); the results are unpickled once, for every caller."""
        while not self._ended.is_set():
            await asyncio.sleep(POLL_SECONDS)
        if self._results is None:
            self._results = self._unpickled()
        return self._results.get(source)

    def _drain(self) -> None:
        stdout = self._process.stdout
        try:
            if stdout is not None:
                self._output.append(stdout.read())
        except (OSError, ValueError) as exc:  # closed under it: the command is ending
            self.failure = f"its output could not be read: {exc}"
        finally:
            self._process.wait()
            self._ended.set()

    def _unpickled(self) -> dict[str, CrawlResult]:
        code = self._process.returncode
        if self.failure:
            return {}
        if code != 0:
            self.failure = f"it ended with exit {code}"
            return {}
        try:
            results = pickle.loads(b"".join(self._output))
        except Exception as exc:  # a cut or foreign output: the flow fetches everything itself
            self.failure = f"its output did not unpickle: {type(exc).__name__}"
            return {}
        finally:
            self._output.clear()
        if not isinstance(results, dict):
            self.failure = "its output was not results by source"
            return {}
        return results

    def close(self) -> None:
        """Kill the child if it still runs and wait for it (and for its output's reader)."""
        if self._process.poll() is None:
            self._process.kill()
        self._process.wait()
        self._ended.wait(timeout=5)
        if self._process.stdout is not None:
            self._process.stdout.close()

    def __enter__(self) -> FetchAhead:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def _dies_with_parent() -> Callable[[], None] | None:
    """What the child runs before its program: on Linux, asking for SIGKILL when the command's
    process dies, however it dies (PR_SET_PDEATHSIG); prctl is resolved here, before the fork
    (a forked child of a threaded process must not load libraries)."""
    if sys.platform != "linux":
        return None
    import ctypes

    prctl = ctypes.CDLL(None, use_errno=True).prctl

    def ask() -> None:
        prctl(1, int(signal.SIGKILL))  # 1: PR_SET_PDEATHSIG

    return ask


def crawled(sources: Sequence[str], replay: Path | None) -> dict[str, CrawlResult]:
    """Crawl `sources` (every configured one when empty) at once on a new event loop, through a
    replay server of the world at `replay` when given: {source: CrawlResult}, without the
    sources whose crawl raised (the flow crawls those again, with its retry)."""
    from schemas.sources import sources as configured
    from spiders.crawl import crawl
    from spiders.replay import World, serve

    selected = list(sources) or list(configured())
    found: dict[str, CrawlResult] = {}

    async def gather(replay_url: str | None) -> None:
        answers = await asyncio.gather(
            *(crawl(source, replay_url) for source in selected), return_exceptions=True
        )
        for source, answer in zip(selected, answers, strict=True):
            if not isinstance(answer, BaseException):
                found[source] = answer

    if replay is None:
        asyncio.run(gather(None))
    else:
        with serve(World.load(replay)) as replay_url:
            asyncio.run(gather(replay_url))
    return found


def main(argv: list[str]) -> int:
    """The child: crawl, then write the pickled results to standard output; exit 0, or 1 when
    the arguments are not `[--replay FILE] [SOURCE ...]`."""
    replay: Path | None = None
    if argv[:1] == ["--replay"]:
        if len(argv) < 2:
            return 1
        replay, argv = Path(argv[1]), argv[2:]
    # ~10^5 records and Decimals, no cycles: the collector walking them finds nothing
    gc.disable()
    results = crawled(argv, replay)
    sys.stdout.buffer.write(pickle.dumps(results, protocol=pickle.HIGHEST_PROTOCOL))
    sys.stdout.buffer.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
