"""Prints what loading the CLI costs: `python -X importtime -c "import ratecard.cli"`.

    uv run python benchmarks/cli_imports.py [RUNS]   (default: 5 runs)

Target (issue 7): under one second in total; each command imports the rest when it runs.
Prints each run's total (the cumulative time of ratecard.cli), the median, and the ten packages
that cost the most in the last run.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def import_times() -> dict[str, tuple[int, int]]:
    """One fresh interpreter's `-X importtime` report: module → (self µs, cumulative µs)."""
    report = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", "import ratecard.cli"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stderr
    times: dict[str, tuple[int, int]] = {}
    for line in report.splitlines():
        own, cumulative, name = line.removeprefix("import time:").split("|")
        if own.strip().isdigit():
            times[name.strip()] = (int(own), int(cumulative))
    return times


def main() -> None:
    """Import ratecard.cli in RUNS fresh interpreters (argv[1], default 5) and print each run's
    total in seconds, their median against the target, and the ten top-level packages that cost
    the most in the last run."""
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    totals = []
    for _ in range(runs):
        times = import_times()
        totals.append(times["ratecard.cli"][1] / 1e6)
    print("import ratecard.cli: " + "  ".join(f"{t:.3f} s" for t in totals))
    print(f"median {statistics.median(totals):.3f} s (target: under 1 s)")
    top = sorted(times.items(), key=lambda item: item[1][1], reverse=True)
    packages = [(name, cumulative) for name, (_, cumulative) in top if "." not in name]
    for name, cumulative in packages[:10]:
        print(f"  {name:<24} {cumulative / 1e6:.3f} s")


if __name__ == "__main__":
    main()
