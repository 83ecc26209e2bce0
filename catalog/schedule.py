"""Effective dates: which of a record's prices are current and which are scheduled. Pure.

A source may state, beside a price, the day it takes effect (genai-prices' `start_date` price
sets, Azure's `effectiveStartDate`; Draft.effective_from). The refresh judges as of the date of
the response that stated it (its `Date` header, FetchedPage.observed_at), by one rule:

- among one record's price drafts, the set in force is the one with the latest effective date on
  or before the response's date (no date counts as earliest: in force before every dated one);
  the sets before it are superseded by the record itself and are not stated as current;
- a price whose effective date is after the response's date is scheduled: it is kept as an
  observation with its date (recorded), but compared with nothing (`current`) until a response
  dated on or after that day states it, when it is the set in force.

Limits and capabilities carry no effective date and are always kept.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date

from schemas.fetch import FetchedPage
from schemas.records import Draft, Observation
from schemas.vocab import Kind


def in_force(
    drafts: Sequence[tuple[FetchedPage, Draft]],
) -> list[tuple[FetchedPage, Draft]]:
    """The drafts a refresh keeps, as of each page's date: per record and the model it names,
    the prices of the set in force and of every set scheduled after it, and every non-price
    draft. Order kept.

    One record's rows may come on several pages of one source (Azure states a meter's old and
    new price as two rows, and pagination does not keep them together): they are judged as one
    record, as of the latest of their pages' dates. Rows of one record id that name different
    models (as the source names them: Azure reuses a meter's name and region under another
    product, whose price is no earlier price of this one) are judged apart, so neither hides
    the other (each is stated; two prices of one field are validation's to judge).

    drafts: (page, draft) pairs of one source, as catalog.normalize.draft_source makes them."""
    if all(draft.effective_from is None for _, draft in drafts):
        return list(drafts)  # no set has a date: each record's one set is in force
    dates: dict[tuple[str, str], set[date | None]] = defaultdict(set)
    days: dict[tuple[str, str], date] = {}
    for page, draft in drafts:
        if draft.kind is Kind.PRICE:
            record = (draft.record, draft.source_model)
            dates[record].add(draft.effective_from)
            day = page.observed_at.date()
            days[record] = max(day, days.get(record, day))
    started: dict[tuple[str, str], date | None] = {}
    for record, effective in dates.items():
        if effective != {None}:
            started[record] = _latest_started(effective, days[record])
    return [
        (page, draft)
        for page, draft in drafts
        if draft.kind is not Kind.PRICE
        or (record := (draft.record, draft.source_model)) not in started
        or draft.effective_from == started[record]
        or _after(draft.effective_from, page.observed_at.date())
    ]


def current(observations: Iterable[Observation]) -> list[Observation]:
    """The observations that state a price in force on their response's date: a scheduled one
    (Observation.scheduled) is left out of every comparison until its date."""
    return [o for o in observations if not o.scheduled]


def _latest_started(effective: set[date | None], as_of: date) -> date | None:
    """The latest effective date on or before `as_of`; None (no date) when none has started."""
    started = [d for d in effective if d is not None and d <= as_of]
    return max(started) if started else None


def _after(effective: date | None, as_of: date) -> bool:
    return effective is not None and effective > as_of
