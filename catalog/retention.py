"""Retention of raw response bodies and quarantined rows (policy: data/retention.json).

Per source, what its last `keep_runs` runs or its runs of the last `keep_days` days kept stays,
whichever keeps more, and always what the last run that applied it kept (a source failing run after
run is still read from those bodies: what it stated teaches identity, flows.refresh). A body (one
per sha256, the `bodies` table) goes only when no response of a kept run has it and no response that
has it stated an accepted value: one whose statement (route, model, kind, component, unit,
dimensions, value) the catalog holds or held (in force or in history), in the interval of responses
from the observation's first to its last. A quarantine row (an interval of runs) goes when the last
run that repeated it is no longer kept.

Never touched: catalog values and their history, observations, stamps, the responses table (the
provenance of every observation: where and when it was read), review items, the audit log.

`plan` is pure; `gather` reads what it needs; `run` plans and (unless a dry run) drops in one
transaction.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, delete, select

from catalog import store
from catalog.tables import (
    bodies,
    catalog_values,
    interval_ends,
    observations,
    quarantine,
    responses,
    runs,
)
from catalog.tables import source_runs as source_runs_table

POLICY = Path(__file__).resolve().parent.parent / "data" / "retention.json"


class PolicyError(ValueError):
    """The retention policy file breaks its rule (one line: the file, the key, the rule)."""


@dataclass(frozen=True)
class Policy:
    """Keep each source's last `keep_runs` runs and its runs of the last `keep_days` days."""

    keep_days: int
    keep_runs: int

    @classmethod
    def load(cls, path: Path = POLICY) -> Policy:
        """Read data/retention.json: whole numbers keep_days >= 0 and keep_runs >= 1."""
        data = json.loads(path.read_text())
        for key, least in (("keep_days", 0), ("keep_runs", 1)):
            value = data.get(key)
            if not isinstance(value, int) or isinstance(value, bool) or value < least:
                raise PolicyError(f"{path}: {key} must be a whole number >= {least}")
        return cls(keep_days=data["keep_days"], keep_runs=data["keep_runs"])


@dataclass(frozen=True)
class SourceRunRow:
    """One source's part in one run; `applied`: the run applied it (status ok or partial, with
    observations), as `store.last_applied_run` counts."""

    source: str
    run_id: int
    started_at: datetime
    applied: bool


@dataclass(frozen=True)
class BodyUse:
    """A response of `source` in `run_id` whose body has `content_hash`."""

    content_hash: str
    source: str
    run_id: int


@dataclass(frozen=True)
class QuarantineRow:
    """A quarantine row as retention judges it: its id, its source, and the last run that
    repeated it."""

    id: int
    source: str
    last_run_id: int


@dataclass
class SourcePlan:
    """One source's part of a retention plan: its runs and how many are kept, the bodies and bytes
    dropped that its responses had, and its quarantine rows dropped and kept."""

    runs: int = 0
    runs_kept: int = 0
    bodies_dropped: int = 0
    bytes_dropped: int = 0
    quarantine_dropped: int = 0
    quarantine_kept: int = 0


@dataclass
class Plan:
    """What retention drops and keeps: body hashes and quarantine ids to drop, per-source
    counts, and how many bodies only their accepted statements kept."""

    drop_bodies: list[str] = field(default_factory=list)
    drop_quarantine: list[int] = field(default_factory=list)
    kept_bodies: int = 0
    kept_for_accepted: int = 0
    bytes_dropped: int = 0
    sources: dict[str, SourcePlan] = field(default_factory=dict)

    def summary(self) -> dict[str, Any]:
        """The plan as the retention report records it (JSON): bodies and bytes dropped, bodies kept
        (and how many only for accepted values), quarantine rows dropped, and each source's
        counts."""
        return {
            "bodies_dropped": len(self.drop_bodies),
            "bytes_dropped": self.bytes_dropped,
            "bodies_kept": self.kept_bodies,
            "bodies_kept_for_accepted_values": self.kept_for_accepted,
            "quarantine_dropped": len(self.drop_quarantine),
            "sources": {s: vars(p) for s, p in sorted(self.sources.items())},
        }


def kept_runs(
    policy: Policy, source_runs: Iterable[SourceRunRow], now: datetime
) -> dict[str, set[int]]:
    """Each source's kept runs: its last `keep_runs`, those started within `keep_days`, and the
    last run that applied it."""
    by_source: dict[str, list[SourceRunRow]] = defaultdict(list)
    for row in source_runs:
        by_source[row.source].append(row)
    cutoff = now - timedelta(days=policy.keep_days)
    kept: dict[str, set[int]] = {}
    for source, rows in by_source.items():
        rows.sort(key=lambda r: r.run_id, reverse=True)
        kept[source] = {r.run_id for r in rows[: policy.keep_runs]} | {
            r.run_id for r in rows if r.started_at >= cutoff
        }
        kept[source].update(next(([r.run_id] for r in rows if r.applied), []))
    return kept


def plan(
    policy: Policy,
    source_runs: Sequence[SourceRunRow],
    uses: Iterable[BodyUse],
    sizes: Mapping[str, int],
    accepted: set[str],
    quarantined: Iterable[QuarantineRow],
    now: datetime,
) -> Plan:
    """What to drop. `source_runs`: every (source, run, start); `uses`: every response's body
    hash with its source and run; `sizes`: every stored body's size in bytes, by hash;
    `accepted`: hashes of responses that stated an accepted value; `quarantined`: every
    quarantine row. A body no response uses is dropped; a run a source never recorded keeps
    nothing of its. Pure."""
    kept = kept_runs(policy, source_runs, now)
    result = Plan(sources={s: SourcePlan(runs=0) for s in kept})
    for row in source_runs:
        result.sources[row.source].runs += 1
    for source, ids in kept.items():
        result.sources[source].runs_kept = len(ids)
    needed: set[str] = set()
    owners: dict[str, set[str]] = defaultdict(set)
    for use in uses:
        owners[use.content_hash].add(use.source)
        if use.run_id in kept.get(use.source, ()):
            needed.add(use.content_hash)
    for content_hash, size in sorted(sizes.items()):
        if content_hash in needed:
            result.kept_bodies += 1
            continue
        if content_hash in accepted:
            result.kept_bodies += 1
            result.kept_for_accepted += 1
            continue
        result.drop_bodies.append(content_hash)
        result.bytes_dropped += size
        for source in owners.get(content_hash, ()):
            part = result.sources.setdefault(source, SourcePlan())
            part.bodies_dropped += 1
            part.bytes_dropped += size
    for q in quarantined:
        part = result.sources.setdefault(q.source, SourcePlan())
        if q.last_run_id in kept.get(q.source, ()):
            part.quarantine_kept += 1
        else:
            part.quarantine_dropped += 1
            result.drop_quarantine.append(q.id)
    return result


def accepted_hashes(conn: Connection) -> set[str]:
    """Hashes of the bodies of responses that stated a value the catalog accepted (in force or
    in history): every response of the URL from an observation interval's first response to its
    last, where the interval's statement is a catalog value's field and value."""
    o, cv, r = observations.c, catalog_values.c, responses.c
    first = responses.alias("first")
    intervals = conn.execute(
        select(
            first.c.source,
            first.c.url,
            o.response_id,
            interval_ends.c.response_id.label("last_response_id"),
        )
        .join(interval_ends, interval_ends.c.id == o.end_id)
        .join(first, first.c.id == o.response_id)
        .where(
            select(cv.id)
            .where(
                cv.route == o.route,
                cv.model == o.model,
                cv.kind == o.kind,
                cv.component == o.component,
                cv.unit == o.unit,
                cv.dimensions == o.dimensions,
                cv.value == o.value,
            )
            .exists()
        )
        .distinct()
    ).all()
    spans: dict[tuple[str, str], list[tuple[int, int]]] = defaultdict(list)
    for row in intervals:
        spans[(row.source, row.url)].append((row.response_id, row.last_response_id))
    found: set[str] = set()
    for (source, url), ranges in spans.items():
        lines = conn.execute(
            select(r.id, r.content_hash).where(
                r.source == source, r.url == url, r.content_hash.is_not(None)
            )
        ).all()
        found.update(
            line.content_hash
            for line in lines
            if any(start <= line.id <= end for start, end in ranges)
        )
    return found


def gather(
    conn: Connection,
) -> tuple[list[SourceRunRow], list[BodyUse], dict[str, int], set[str], list[QuarantineRow]]:
    """What `plan` reads, from source_runs, runs, responses, bodies, observations,
    catalog_values and quarantine."""
    s, r, b, q = source_runs_table.c, responses.c, bodies.c, quarantine.c
    rows = [
        SourceRunRow(
            row.source,
            row.run_id,
            row.started_at,
            applied=row.status in store.APPLIED and row.observations > 0,
        )
        for row in conn.execute(
            select(s.source, s.run_id, runs.c.started_at, s.status, s.observations).join(
                runs, runs.c.id == s.run_id
            )
        )
    ]
    uses = [
        BodyUse(row.content_hash, row.source, row.run_id)
        for row in conn.execute(
            select(r.content_hash, r.source, r.run_id).where(r.content_hash.is_not(None)).distinct()
        )
    ]
    sizes = {row.content_hash: row.size for row in conn.execute(select(b.content_hash, b.size))}
    quarantined = [
        QuarantineRow(row.id, row.source, row.last_run_id)
        for row in conn.execute(select(q.id, q.source, q.last_run_id))
    ]
    return rows, uses, sizes, accepted_hashes(conn), quarantined


def run(engine: Engine, policy: Policy, now: datetime, *, dry_run: bool) -> Plan:
    """Plan retention and, unless `dry_run`, drop what it names, all in one transaction (a dry
    run only reads). Returns the plan."""
    if dry_run:
        with engine.connect() as conn:
            return plan(policy, *gather(conn), now=now)
    with store.write_transaction(engine) as conn:
        decided = plan(policy, *gather(conn), now=now)
        for start in range(0, len(decided.drop_bodies), 500):
            chunk = decided.drop_bodies[start : start + 500]
            conn.execute(delete(bodies).where(bodies.c.content_hash.in_(chunk)))
        for start in range(0, len(decided.drop_quarantine), 500):
            chunk_ids = decided.drop_quarantine[start : start + 500]
            conn.execute(delete(quarantine).where(quarantine.c.id.in_(chunk_ids)))
    return decided
