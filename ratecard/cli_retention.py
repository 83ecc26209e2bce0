"""`ratecard retention`: drop raw response bodies and quarantined rows past the retention
policy (data/retention.json; catalog/retention.py says what is kept). ratecard.cli registers it;
the catalog modules are imported when it runs.

    ratecard retention [--dry-run] [--db URL] [--json]
"""

from __future__ import annotations

import json
from typing import Annotated

import typer

from ratecard.options import DbOption, JsonOption, Refused, catalog


def _megabytes(size: int) -> str:
    return f"{size / 1e6:.2f} MB"


def retention(
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Say what would be dropped; change nothing.")
    ] = False,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Drop response bodies and quarantined rows older than the policy keeps (each source's last
    N runs or N days, whichever keeps more; bodies that stated an accepted value stay), in one
    transaction. Never touches catalog values, their history, review items or the audit log."""
    from datetime import UTC, datetime

    from catalog import retention as policy_rules

    try:
        policy = policy_rules.Policy.load()
    except (OSError, ValueError) as exc:
        raise Refused(f"retention policy: {exc}") from None
    with catalog(db) as engine:
        decided = policy_rules.run(engine, policy, datetime.now(UTC), dry_run=dry_run)
    summary = {
        "dry_run": dry_run,
        "policy": {"keep_days": policy.keep_days, "keep_runs": policy.keep_runs},
        **decided.summary(),
    }
    if as_json:
        typer.echo(json.dumps(summary, indent=2))
        return
    verb = "would drop" if dry_run else "dropped"
    typer.echo(
        f"policy: each source's last {policy.keep_runs} runs or {policy.keep_days} days, "
        "whichever keeps more; bodies that stated an accepted value always"
    )
    for source, part in sorted(decided.sources.items()):
        typer.echo(
            f"{source}: {part.runs_kept} of {part.runs} runs kept; {verb} "
            f"{part.bodies_dropped} bodies ({_megabytes(part.bytes_dropped)}), "
            f"{part.quarantine_dropped} quarantined rows ({part.quarantine_kept} kept)"
        )
    typer.echo(
        f"total: {verb} {len(decided.drop_bodies)} bodies ({_megabytes(decided.bytes_dropped)}) "
        f"and {len(decided.drop_quarantine)} quarantined rows; kept {decided.kept_bodies} bodies "
        f"({decided.kept_for_accepted} only for the accepted values they stated)"
    )
