"""Whether a source's answers this run are the ones it last gave in full: pure, no I/O.

A source is *unchanged* when every response it gave this run is byte-identical (sha256 of the
body) to its response of the same URL in its previous run, that previous run was complete and ok,
and nothing since then would make comparing its statements again come out differently. Its
values are then confirmed by catalog/store.py's `confirm_unchanged` (one statement per table)
instead of being normalized, validated and compared again. Anything else goes the normal way:

- a fault this run (the health rules judged the source anything but ok);
- no previous run, or a previous run that was partial, failed, broken or stale;
- reading code other than the previous run's (catalog/reading_code.py: a parser or a rule that
  changed since may read the same bytes otherwise);
- a different set of URLs, a body whose hash differs, or a response recorded without a hash
  (catalogs from before hashing);
- a response dated before the one it repeats (time only moves forward), or dates that cannot be
  carried over one to one (two responses with one previous date but different new dates, or
  new dates in another order than the previous ones: a confirmation must keep the date of the
  response that stated the value);
- the catalog changed since the previous run (a value opened or closed: a reviewer's decision or
  another source's new value may now be what this source states);
- a source that did not answer in full in the previous run (failed, partial, broken, stale, or
  not run) answers in full now: the rules across sources judged this source's statements then
  without what that one states (LiteLLM failing on the day models.dev changed: no source
  priced Whisper per second, so models.dev's per-token prices of it were proposed, where read
  beside LiteLLM they are unit-ambiguous; the day LiteLLM recovered, models.dev's same bytes
  confirmed that reading); one repeating the bodies of its last run is not back, whatever that
  run made of them (a page that collapses in validation each day answers in full at fetch each
  day: it would have every other source read again every run);
- one of its complete-listing counters stands one absence short of opening a "missing" item
  (counting it needs compare's item);
- its names map otherwise than they did then (`named_otherwise`, decided once identity has
  learned from this run's statements): another source's statements made a model known or a
  dated id priced apart, and the same bytes now state another model's values;
- a price still scheduled at its previous run (catalog/schedule.py: effective after that
  run's response) takes effect by this run's date: the same bytes now state another set in
  force (Azure lists a meter's old and new rows side by side for months; confirmed unchanged
  across the new row's date, the old price was stamped verified as of a day it no longer held).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from itertools import pairwise

from catalog.compare import MISSING_AFTER
from schemas.records import SourceStatus


@dataclass(frozen=True)
class Answer:
    """One response this run: the URL asked, where it landed, its body's sha256 (hex) and its
    date."""

    url: str
    landing_url: str
    content_hash: str
    observed_at: datetime


@dataclass(frozen=True)
class PreviousResponse:
    """The source's response of one URL in its previous run (the `responses` row)."""

    response_id: int
    content_hash: str | None
    observed_at: datetime
    since_id: int  # the first response of the unbroken line of identical bodies
    since_run: int
    since_at: datetime


@dataclass(frozen=True)
class PreviousRun:
    """The source's previous run as stored: its status, its responses by URL, the counts its
    report gave, the catalog mark after it applied, and its listing counters."""

    run_id: int
    status: str
    responses: Mapping[str, PreviousResponse]
    records: int
    observations: int
    quarantined: int
    stamped: int
    catalog_mark: tuple[int, int] | None
    missing_runs: Sequence[int] = ()
    reading_code: str | None = None  # catalog/reading_code.py's fingerprint; None: not recorded
    # how identity named the source's statements then (catalog/normalize.py's naming_digest)
    naming: str | None = None
    # a later run applied some source's values (read or confirmed): identity may have moved
    applied_after: bool = False
    # the sources that answered in full (ok) in that run
    in_full: frozenset[str] = frozenset()
    # the dates its statements standing at that run's responses take effect from, where later
    # than those responses' dates (prices still scheduled then)
    scheduled_from: frozenset[date] = frozenset()


@dataclass(frozen=True)
class Unchanged:
    """A decision to confirm: which previous response each URL repeats, how dates carry over
    (previous date -> this run's), and since when (run and date) the bodies are unchanged."""

    source: str
    previous: PreviousRun
    repeats: Mapping[str, PreviousResponse]
    answers: Mapping[str, Answer]
    dates: Mapping[datetime, datetime]
    since_run: int
    since_at: datetime

    @property
    def reason(self) -> str:
        """Why the source's values are confirmed without reading them: 'unchanged since run <id>
        (<date>)'."""
        return f"unchanged since run {self.since_run} ({self.since_at.date().isoformat()})"


def decide(
    source: str,
    status: SourceStatus,
    answers: Sequence[Answer],
    previous: PreviousRun | None,
    catalog_mark: tuple[int, int],
    reading_code: str,
    in_full: Collection[str] = (),
) -> Unchanged | str:
    """The confirmation to apply for `source`, or why it goes the normal way (one line).

    `answers`: this run's responses the health rules kept as evidence; `previous`: the source's
    previous run (None when it has none); `catalog_mark`: (highest catalog value id, values in
    force) now, compared with the mark its previous run left; `reading_code`: this run's
    fingerprint of the reading code (catalog/reading_code.py), compared with the previous run's;
    `in_full`: the sources that answer in full (ok) this run with other bodies than in their
    last run (catalog.runlog `repeating`), compared with those that did in the previous run.
    """
    if status is not SourceStatus.OK:
        return f"not ok this run ({status.value})"
    if previous is None:
        return "no previous run"
    if previous.status != SourceStatus.OK.value:
        return f"previous run {previous.run_id} was {previous.status}"
    if previous.reading_code != reading_code:
        return f"read with other reading code than run {previous.run_id}"
    if not answers:
        return "no responses"
    urls = {a.url for a in answers}
    if len(urls) != len(answers) or urls != set(previous.responses):
        return "a different set of URLs than the previous run"
    for answer in answers:
        before = previous.responses[answer.url]
        if not answer.content_hash or before.content_hash != answer.content_hash:
            return f"{answer.url}: body differs from run {previous.run_id}"
        if answer.observed_at < before.observed_at:
            return f"{answer.url}: dated before the response it repeats"
    dates: dict[datetime, datetime] = {}
    for answer in answers:
        old = previous.responses[answer.url].observed_at
        if dates.setdefault(old, answer.observed_at) != answer.observed_at:
            return "dates do not carry over one to one"
    ordered = sorted(dates.items())
    if any(later[1] < earlier[1] for earlier, later in pairwise(ordered)):
        return "dates do not carry over in order"
    if previous.catalog_mark != catalog_mark:
        return f"the catalog changed since run {previous.run_id}"
    if back := sorted(set(in_full) - previous.in_full - {source}):
        return f"{', '.join(back)} answered in full, not in run {previous.run_id}"
    if MISSING_AFTER - 1 in previous.missing_runs:
        return "a listing counter would open a missing item"
    latest = max(a.observed_at for a in answers).date()
    if due := sorted(d for d in previous.scheduled_from if d <= latest):
        return f"a price it scheduled from {due[0].isoformat()} is in force by this response"
    since = max(previous.responses.values(), key=lambda r: (r.since_run, r.since_at))
    return Unchanged(
        source=source,
        previous=previous,
        repeats={a.url: previous.responses[a.url] for a in answers},
        answers={a.url: a for a in answers},
        dates=dates,
        since_run=since.since_run,
        since_at=since.since_at,
    )


def named_otherwise(decided: Unchanged, naming: Mapping[str, str] | None) -> str | None:
    """Why a source `decided` unchanged is to be read after all, or None: its last statements
    stand for what reading its bytes again would state only where identity names them as it did
    then (the alias tables and the reading code are the same: `decide`; what the other sources
    state may not be). `naming`: this run's naming digest of each source read or confirmed
    (catalog/normalize.py's naming_digest), None when this run reads no source; then identity
    learns from nothing that a run after the previous one did not, unless such a run applied
    some source's values."""
    previous = decided.previous
    if previous.naming is None:
        return f"run {previous.run_id} recorded no naming of its names"
    if naming is None:
        if previous.applied_after:
            return f"a run after run {previous.run_id} applied values: names may map otherwise"
        return None
    if naming.get(decided.source) != previous.naming:
        return f"its names map otherwise than in run {previous.run_id}"
    return None
