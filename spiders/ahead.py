"""Fetch ahead: the sources' crawl started in a child process as a refresh command starts, so that
the download runs on the machine's other core while the command loads Prefect and the flow's
modules and starts its flow run (about 1.5 s of a replayed refresh's 8, on one core, before any
fetch began).

The child (`python -P -m spiders.ahead --parent PID [--replay FILE] [SOURCE ...]`, importing
from where the command did) crawls the sources as the flow would (spiders.crawl, every source
at once on one event loop, through its own loopback replay server when `--replay` names a
world) and writes each source's CrawlResult to its standard output as that source's crawl ends
(a frame: `FRAME_HEAD`, then the pickle); a source whose crawl raised is not sent. The flow's
fetch task takes a source's result from it as soon as it arrives (`FetchAhead.result`) and
crawls in its own process whatever the child ended without: a source not sent, or every source
not yet sent when the child failed, was killed or wrote what does not unpickle. What the child
read is what a crawl in the flow would have read; only its responses' dates may be a second
earlier.

The child dies with the command (it asks for PR_SET_PDEATHSIG on Linux, then ends at once if
the command is already gone), and `close` kills it when the command ends first (a refusal, a
signal). Its standard error goes nowhere: whatever it fails of, the flow fetches again and says
so.
"""

from __future__ import annotations

import asyncio
import gc
import importlib
import os
import pickle
import signal
import site
import struct
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
# Each source's result goes out as one frame, once its crawl ended: its pickle's length (8 bytes,
# big-endian), then the pickle of (source, CrawlResult).
FRAME_HEAD = struct.Struct(">Q")
FRAME_MOST = 2**31  # bytes: a frame said to be longer is no frame (a source's is ~10 MB)


class FetchAhead:
    """The crawl of `sources` (every configured source when empty) started in a child process,
    through a replay server of the world at `replay` when given; each source's result at hand
    once the child sent it (`result`). `failure`: why the child's output stopped short, '' while
    it runs and when it ended well; `missed`: the sources asked of it that it ended without. A
    context manager: leaving it kills the child if it still runs."""

    def __init__(self, sources: Sequence[str], replay: Path | None) -> None:
        # The child imports ratecard's modules from where this process did, whatever directory
        # the command runs in: `python -m` alone puts the working directory first on the path,
        # where a Scrapy project's own `spiders` package (or another checkout) would be found.
        command = [sys.executable, "-P", "-m", "spiders.ahead", "--parent", str(os.getpid())]
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
        )
        # What its frames unpickle to is imported here, in the command's main thread: the
        # reader importing it while the main thread imports the same modules (the flow's)
        # could meet it in the import system's module locks, a deadlock it breaks by raising.
        importlib.import_module("spiders.results")
        self._received: dict[str, CrawlResult] = {}
        self._ended = threading.Event()
        self.failure = ""
        self.missed: list[str] = []
        self._closed = False
        # Its output is read as it comes, by a thread of its own (the child never waits on a
        # full pipe; each source's result is at hand as soon as its crawl ended); a daemon, so
        # that a command ending (a signal) never waits for it.
        threading.Thread(target=self._drain, name="fetch-ahead", daemon=True).start()

    async def result(self, source: str) -> CrawlResult | None:
        """What the child's crawl of `source` read, as soon as it has sent it, or None when it
        ended without it (the caller crawls it). A cancellation or a signal ends the wait at
        once."""
        while source not in self._received and not self._ended.is_set():
            await asyncio.sleep(POLL_SECONDS)
        found = self._received.get(source)
        if found is None:
            self.missed.append(source)
        return found

    def _drain(self) -> None:
        stdout = self._process.stdout
        try:
            while stdout is not None:
                head = stdout.read(FRAME_HEAD.size)
                if not head:
                    break
                (size,) = FRAME_HEAD.unpack(head) if len(head) == FRAME_HEAD.size else (-1,)
                body = stdout.read(size) if 0 <= size <= FRAME_MOST else b""
                if not 0 <= size <= FRAME_MOST or len(body) != size:
                    self.failure = "its output was cut short"
                    break
                source, result = pickle.loads(body)
                self._received[source] = result
        except (OSError, ValueError) as exc:  # closed under it: the command is ending
            self.failure = f"its output could not be read: {exc}"
        except Exception as exc:  # a foreign output: the flow fetches the rest itself
            self.failure = f"its output did not unpickle: {type(exc).__name__}"
        finally:
            code = self._process.wait()
            if code != 0 and not self.failure and not self._closed:
                self.failure = f"it ended with exit {code}"
            self._ended.set()

    def close(self) -> None:
        """Kill the child if it still runs and wait for it (and for its output's reader): no
        longer wanted, its end is no failure."""
        self._closed = True
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


def _die_with(parent: int) -> bool:
    """In the child: ask for SIGKILL when the command's process dies, however it dies (on Linux,
    PR_SET_PDEATHSIG), then whether `parent` (the command's pid) is still its parent: one that
    died before the request was made left it adopted, to crawl for nobody. Asked by the child
    itself, not in the fork before its program (a forked child of a threaded process must run
    nothing that may take a lock)."""
    if sys.platform == "linux":
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, int(signal.SIGKILL))  # 1: PR_SET_PDEATHSIG
    return os.getppid() == parent


def crawl_each(
    sources: Sequence[str], replay: Path | None, send: Callable[[str, CrawlResult], None]
) -> None:
    """Crawl `sources` (every configured one when empty) at once on a new event loop, through a
    replay server of the world at `replay` when given, and `send` each source's CrawlResult as
    its crawl ends; a source whose crawl raised is not sent (the flow crawls it again, with its
    retry)."""
    from schemas.sources import sources as configured
    from spiders.crawl import crawl
    from spiders.replay import World, serve

    selected = list(sources) or list(configured())

    async def each(source: str, replay_url: str | None) -> None:
        try:
            result = await crawl(source, replay_url)
        except Exception:
            return
        send(source, result)

    async def gather(replay_url: str | None) -> None:
        await asyncio.gather(*(each(source, replay_url) for source in selected))

    if replay is None:
        asyncio.run(gather(None))
    else:
        with serve(World.load(replay)) as replay_url:
            asyncio.run(gather(replay_url))


def main(argv: list[str]) -> int:
    """The child: crawl, writing each source's result to standard output as a frame
    (FRAME_HEAD) as its crawl ends; exit 0, or 1 when the arguments are not
    `--parent PID [--replay FILE] [SOURCE ...]` or the command (PID) is gone."""
    if argv[:1] != ["--parent"] or len(argv) < 2 or not argv[1].isdigit():
        return 1
    if not _die_with(int(argv[1])):
        return 1
    argv = argv[2:]
    replay: Path | None = None
    if argv[:1] == ["--replay"]:
        if len(argv) < 2:
            return 1
        replay, argv = Path(argv[1]), argv[2:]
    # ~10^5 records and Decimals, no cycles: the collector walking them finds nothing
    gc.disable()
    out = sys.stdout.buffer

    def send(source: str, result: CrawlResult) -> None:
        body = pickle.dumps((source, result), protocol=pickle.HIGHEST_PROTOCOL)
        out.write(FRAME_HEAD.pack(len(body)))
        out.write(body)
        out.flush()

    crawl_each(argv, replay, send)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
