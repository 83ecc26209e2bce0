"""A process that has imported ratecard's command line and refresh flow once, and forks a child
to run each command it is given: the kill test's refreshes are real processes (their own pid,
sent a real SIGKILL), without each paying the ~5 s of imports before its run begins.

    python -m tests.zygote      (from the project root; PREFECT_API_URL in the environment)

Protocol, one JSON object per line: it reads {"argv": [...], "output": PATH} on standard input,
forks, and writes {"pid": N} as soon as the child runs, then {"pid": N, "status": S} when the
child has ended (S: its exit code, or minus the signal that ended it). The child runs
`ratecard ARGV...` with standard output and error into PATH. At the end of its input it exits.
Forking is safe here: importing these modules starts no thread (checked at start).
"""

from __future__ import annotations

import json
import os
import sys
import threading

import flows.refresh  # noqa: F401  (imported before forking: what each child would import)
from ratecard.cli import app


def run_child(argv: list[str], output: str) -> None:
    """In the child: the command, its output into `output`; never returns."""
    code = 1
    try:
        fd = os.open(output, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        os.dup2(fd, 1)
        os.dup2(fd, 2)
        app(args=argv, prog_name="ratecard")
        code = 0
    except SystemExit as exit_:
        code = exit_.code if isinstance(exit_.code, int) else 1
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


def main() -> None:
    if threading.active_count() != 1:
        raise SystemExit(f"zygote: {threading.active_count()} threads after imports; cannot fork")
    for line in sys.stdin:
        asked = json.loads(line)
        pid = os.fork()
        if pid == 0:
            run_child(asked["argv"], asked["output"])
        print(json.dumps({"pid": pid}), flush=True)
        _, status = os.waitpid(pid, 0)
        code = os.waitstatus_to_exitcode(status)
        print(json.dumps({"pid": pid, "status": code}), flush=True)


if __name__ == "__main__":
    main()
