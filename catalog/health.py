"""Source health and the run report: pure rules, no I/O.

Which of a source's responses count as evidence this run, and what the source's status is:

- a response that failed (network, HTTP status, unparsable body, landed off the source's
  domains) is no evidence;
- a response dated before the evidence the source already gave for the same URL is *stale*:
  recorded and reported with both dates, never evidence, never absence; so is a body other
  than that evidence's whose Last-Modified (or Date less Age) is before it (an old copy a cache
  serves under today's Date), unless it lasts (read as a return is); one dated more than
  `CLOCK_SKEW` after it was fetched is no evidence either (else a wrong clock at the source
  would make every later true answer look stale), nor is one dated before `FIRST_PRICED`,
  when no model API whose prices ratecard keeps was sold yet (a clock never set: the Unix
  epoch, 1970-01-01, verified prices 56 years before they were in force, for good);
- a listing URL answering no records is *empty*; one answering far fewer, or far more, than
  it usually does (`BROKEN_RATIO`: half, or twice and `SWELL_MIN` more, the median of its
  last `USUAL_ANSWERS` answers read whole, whatever their size) is *collapsed* or *swollen*:
  each listing URL of a source is judged on its own. A count that lasts becomes the usual one
  (a listing that really halved or doubled is read from its third day), and one odd day never
  does (a listing padded tenfold for a day leaves the next day's true one its usual size), nor
  does a fault the source recovered from (`Counts`);
- a URL answering, instead of its own body, bytes another URL of the source gives as its own
  answers *another URL's body* (`copies`: a cache keyed without the query, two files
  swapped);
- a URL answering a body it gave in an earlier response that was evidence (the same bytes, or
  the same body written otherwise, `canonical`), having given another since (A, then B, then A
  again), and last gave it more than `RETURN_AFTER` before this answer's date, has *returned
  to an earlier body*: a stale copy behind a cache or a mirror rolled back, dated today (a body
  last given days before is the URL back from a fault, and is read). It is no evidence the
  first run it comes back; if the URL's next answer gives it again (written either way), the
  return lasts and is read (a price really put back reads a day late; a copy served for a day
  changes nothing and proposes nothing). A source every answer of which is older news (stale
  or returned) is `stale`;
- a URL answered, through a redirect on the source's own domains, from another page than the
  one its evidence came from before (its last answer that was evidence landed on the URL or
  elsewhere: `History.landed`) has *moved*: another page of the provider (its marketing page
  for the docs page, a locale's, an overview) is no complete listing of the configured one,
  and its models missing there are not gone. No evidence, held until the page lasts where
  the source is configured (data/sources.json names the new URL); a source's first answer
  has nothing to be judged against;
- a body that is the first bytes of the one the URL gave in the source's last applied run,
  and at most `CUT_SHARE` of it, is *cut short*: a transfer that stopped at a line break reads
  as a shorter page, every model past the cut missing. So is a JSON document holding the
  first records of that one, closed so that it parses (`closed_early`: a writer that stopped
  at a record boundary and closed its brackets). An edit that only drops a page's last
  rows loses a small part of it: below that share, such a page is read;
- a source whose usable responses hold far fewer records than its usual total (the median of
  its last totals read whole) is broken, and so is one read whole that states far fewer valid
  statements than usual (`statements_collapse`: a page whose main table turned into prose
  still names its models); a count that lasts becomes usual there too;
- a source most of whose statements are invalid, or most of whose prices are 0, has collapsed
  in validation;
- a source most of whose prices moved by one power of ten since its last applied run is a
  rescaled listing (`rescaled`).

A source is `ok` only when every response it gave is evidence; `partial` when some are (their
values apply, no absence is counted); `stale` when every answer was older news; `broken` or
`failed` when none is usable. `report_markdown` renders a run for Prefect's artifact.
"""

from __future__ import annotations

import codecs
import json
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal
from urllib.parse import urlsplit

from schemas.fetch import FIRST_PRICED
from schemas.records import (
    Observation,
    Problem,
    ReviewItem,
    SourceRun,
    SourceStatus,
    time_text,
)
from schemas.vocab import Component, Kind, Unit

BROKEN_RATIO = 0.5  # fewer records than this share of the usual count or last run: broken
USUAL_ANSWERS = 3  # a URL's usual record count: the median of its last answers read whole
SWELL_MIN = 25  # a swollen listing has at least this many records more than usual (a provider
# file of a handful of models that doubles is a provider adding a few)
# A whole listing (or a source's total) that lost a third of its usual records at once, and at
# least SWELL_MIN of them, is collapsed too: OpenRouter's listings halved with their counts
# adjusted, or Azure's region cut to its first 760 items, read as complete (fault round 51).
SHRUNK_RATIO = 2 / 3
CUT_SHARE = 0.9  # a body at most this share of its last one, and its first bytes: cut short
COLLAPSE_RATIO = 0.5  # more than this share of a source's statements invalid: source fails
CLOCK_SKEW = timedelta(days=1)  # a response dated further ahead of its fetch is no evidence
# A body a URL last gave within this before its answer's date, given again, is the URL back
# from a fault (a misprint read for a day, then the page as it was), not a return to an earlier
# body: a stale copy comes back long after the body that replaced it.
RETURN_AFTER = timedelta(days=7)
REPORTED_PROBLEMS = 200  # listed in the run's artifact; all of them stay in the quarantine table
NAMED_URLS = 3  # the URLs a reason names of those that failed alike; the others are counted
RESCALE_PAIRS = 5  # prices stated both times, at least, before a common factor says anything
# Models, at least, whose prices one response moved by one power of ten off the other sources'
# before it is a rescaled response, not those models' disagreement (`rescaled`).
RESCALE_MODELS = 5
AGREEING = 2  # other sources stating a field's value alike, at least, to judge a source by it
# A price's field as a source states it: route, model (or the source's name), component, unit,
# dimensions (Dims.key).
PriceKey = tuple[str, str, str, str, str]


@dataclass(frozen=True)
class Answer:
    """What one URL of a source answered this run (records: how many its parser read)."""

    url: str
    landing_url: str
    status: int
    observed_at: datetime | None
    records: int
    error: str = ""  # why the response is no evidence at all (fetch, parse, domain)
    size: int = 0  # bytes of the body
    cut_of: int = 0  # bytes of the URL's last applied body where this one is its start
    closed: bool = False  # that start is its first records, closed so that they parse
    copy_of: str = ""  # the other URL of the source whose body this one repeats (`copies`)
    copy_rewritten: bool = False  # repeats it written otherwise (`canonical`), not byte for byte
    content_hash: str = ""  # sha256 (hex) of the body
    # the date of the URL's latest earlier response that was evidence and gave this body (or it
    # written otherwise), where its latest such response gave another (runlog `returned_bodies`)
    returned_from: datetime | None = None
    returned_as: str = ""  # then the sha256 of that body's `canonical` form
    # records equal to an earlier record of the same body (counted where the count is swollen:
    # a page serving each row twice says so in its reason)
    repeats: int = 0
    # the latest time the response says its body was its origin's (spiders/spider.py
    # `last_modified`: Last-Modified, or Date less Age), None where it states none
    last_modified: datetime | None = None
    # the newest date its records state of themselves (spiders/spider.py `newest_stated`: when
    # a model was listed or its entry last updated), None where they state none
    newest_stated: datetime | None = None
    # where the URL begins a chain of pages (next links) that answered further pages this run:
    # the records of the whole chain read, its own with theirs; None for a single page
    listed: int | None = None

    @property
    def listing_records(self) -> int:
        """The records of the listing this URL answered: its chain's (`listed`) where it
        begins one, else its own. A listing the API splits into pages otherwise than the day
        before (1,520 Azure items in one page, then 1,000 and 520) holds as many."""
        return self.records if self.listed is None else self.listed


@dataclass(frozen=True)
class History:
    """What the source's earlier runs said about one URL (or, without a date or bodies, about
    the source's total): its newest evidence's date, its usual record count (`usual_records`
    of its last answers read whole, `Counts.kept`), the usual count of those of them judged
    fault-free alone (`steady`, `Counts.fault_free`), and the sha256 of the bodies its last
    three answers gave and of those its last two answers that were evidence gave, newest first
    (`copies`; an answer returned to an earlier body is read once the last answer gave it too,
    and held while the URL answers two bodies in turn, `judge_answer`)."""

    observed_at: datetime | None = None
    records: int | None = None
    steady: int | None = None
    bodies: tuple[str, ...] = ()
    evidence_bodies: tuple[str, ...] = ()
    returned_as: str = ""  # the last answer's, where it returned to an earlier body
    # the Last-Modified the URL's last answer with a body stated (None where it stated none)
    last_modified: datetime | None = None
    # the newest date its records stated of themselves (`Answer.newest_stated`) in the URL's
    # last answer that was evidence and stated one, and in its last answer with a body
    newest_stated: datetime | None = None
    last_newest_stated: datetime | None = None
    # where the URL's last answer that was evidence landed (its landing URL; '' for none yet)
    landed: str = ""

    def off(self, records: int, listing: bool) -> str:
        """COLLAPSED (`_short`; `listing`: a whole listing) or SWOLLEN (a listing only) when
        `records` is off the usual count and off the steady one alike ('' when not): a count
        back at what the source gave before a fault is no fault (collapsed twice, then the true
        count: the usual count was the collapsed one, and the recovery read as swollen), and a
        count that lasts is no fault either."""
        usual = [count for count in (self.records, self.steady) if count]
        if not usual:
            return ""
        if all(_short(records, count, whole=listing) for count in usual):
            return COLLAPSED
        swollen = (max(count / BROKEN_RATIO, count + SWELL_MIN) for count in usual)
        if listing and all(records > bound for bound in swollen):
            return SWOLLEN
        return ""


STALE = "stale"
FUTURE = "dated in the future"
UNSET_CLOCK = "dated before any model API was sold"
EMPTY = "empty listing"
COLLAPSED = "collapsed listing"
SWOLLEN = "swollen listing"
COPIED = "another URL's body"
RETURNED = "returned to an earlier body"
MOVED = "answered from another page"
SWINGING = "answering two bodies in turn"  # a return's detail, when the URL swings
# Faults of an answer read whole, judged only for its size: its count still tells the usual one.
SIZED = ("", COLLAPSED, SWOLLEN)


class Counts:
    """A URL's or a source's counts read whole, added newest first, each with whether its run
    judged it fault-free: `kept` holds the newest USUAL_ANSWERS that tell its usual count. A
    count judged faulty (collapsed or swollen) is left out when a later fault-free count
    disagrees with it (off by more than BROKEN_RATIO either way): the source recovered from it,
    so it was a fault. One no later run contradicted stays, so a count that lasts becomes
    usual from its third day, where a collapse that comes back after a day's recovery is still
    judged against the recovered count (collapsed, collapsed, recovered, collapsed: the median
    of the last three was the collapsed count, and the third collapse was read)."""

    def __init__(self) -> None:
        self.kept: list[int] = []
        self.fault_free: list[int] = []  # the newest USUAL_ANSWERS counts judged fault-free
        self._later: int | None = None  # the nearest later fault-free count

    def add(self, count: int, fault_free: bool) -> None:
        """One more count, older than those added before."""
        if fault_free:
            self._later = count
            if len(self.fault_free) < USUAL_ANSWERS:
                self.fault_free.append(count)
        elif self._later is not None and not _agree(count, self._later):
            return
        if len(self.kept) < USUAL_ANSWERS:
            self.kept.append(count)

    @property
    def full(self) -> bool:
        """Whether enough counts are in (USUAL_ANSWERS kept and as many fault-free) to stop reading
        older runs."""
        return len(self.kept) >= USUAL_ANSWERS and len(self.fault_free) >= USUAL_ANSWERS

    def history(self) -> History:
        """The usual count and the steady one, as `History` holds them."""
        return History(records=usual_records(self.kept), steady=usual_records(self.fault_free))


def _agree(count: int, other: int) -> bool:
    return not _short(min(count, other), max(count, other), whole=True)


def _short(records: int, usual: int, *, whole: bool) -> bool:
    """Whether `records` falls short of a `usual` count: below BROKEN_RATIO of it or, for a
    `whole` listing (a URL the source is configured with, or its total), at most SHRUNK_RATIO of
    it and at least SWELL_MIN records fewer."""
    if records < usual * BROKEN_RATIO:
        return True
    return whole and usual - records >= SWELL_MIN and records <= usual * SHRUNK_RATIO


def usual_records(counts: Sequence[int]) -> int | None:
    """The usual record count of a URL from its last answers read whole (`counts`, newest
    first): the median of the newest USUAL_ANSWERS (the lower of the middle two), None without
    any."""
    recent = sorted(counts[:USUAL_ANSWERS])
    return recent[(len(recent) - 1) // 2] if recent else None


CUT = "cut short"


def statements_collapse(valid: int, usual: int | None) -> str:
    """Why a source read whole collapsed in what it states ('' when it did not): fewer than
    BROKEN_RATIO of its usual count of valid statements (the median of its last counts read
    whole, catalog.runlog.usual_statements), however many records it still has (a page
    whose main price table turned into prose still names each model in its other tables: a
    fault round's Anthropic page read 24 statements of its 74, every record there)."""
    if usual and valid < usual * BROKEN_RATIO:
        return f"collapsed statements: {valid} valid statements against its usual {usual}"
    return ""


def copies(
    bodies: Mapping[str, str],
    history: Mapping[str, History],
    alike: Callable[[str, str], bool] | None = None,
) -> dict[str, str]:
    """The URLs of one source that answered another of its URLs' body this run, each with that
    other URL (`bodies`: each URL's body hash this run; `history`: each URL's). A URL answers
    its own body when it is the one its last answer that was evidence gave, or the one each of
    its last two answers gave (a body that lasts is the URL's own from its third day: two
    files that really converged), or when it has none recorded and no other URL answers the
    same bytes this run (a first read is not judged by itself; but a URL read for the first
    time answering another URL's bytes gives no body of its own: a fault round, OpenRouter's
    listing of every modality, new to a catalog, answered the main listing's bytes, and the
    main listing, which had changed since its last answer, was refused as its copy).
    One that does not, answering bytes another URL gave in one of its last two answers that
    were evidence, or gives as its own this run, answers that URL's body. A fault round:
    OpenRouter's listing of every modality answered its main listing's bytes (a cache keyed
    without the query), read whole: the image, embedding and audio models only it lists
    turned absent, and the items of every one of them were narrowed; two Portkey files of one
    size answering each other's bytes read as two providers' new models. A swap lasting two
    days is refused both days, and the day after, each URL's own body again is its own. Two
    URLs of one file (Portkey's sagemaker.json and segmind.json, recorded) changing together
    answer no one's body but their own. `alike(url, other)`: whether the two URLs' bodies
    this run are one body written otherwise (`canonical`: a fault round served Portkey's
    azure-openai.json re-indented at its openai.json URL, read as OpenAI's prices); a URL
    that does not answer its own body, answering so the body another URL gives as its own
    this run, answers that URL's body too, unless that body is one the URL gave itself (two
    URLs of one file: Portkey's sagemaker.json re-indented is still its own)."""

    answering = Counter(bodies.values())

    def own(url: str) -> bool:
        h = history.get(url, History())
        if not h.bodies and not h.evidence_bodies:
            # a first read is its own, unless another URL answers the same bytes this run:
            # which of the two gave the other's is then not known from this one
            return answering[bodies[url]] == 1
        lasting = bool(h.bodies) and all(body == bodies[url] for body in h.bodies[:2])
        return lasting or h.evidence_bodies[:1] == (bodies[url],)

    given = {
        url: {*h.evidence_bodies, *([bodies[url]] if url in bodies and own(url) else [])}
        for url, h in history.items()
    }
    found: dict[str, str] = {}
    for url, body in sorted(bodies.items()):
        if own(url):
            continue
        donors = sorted(other for other, its in given.items() if other != url and body in its)
        if not donors and alike is not None:
            its_own = history.get(url, History())
            mine = {*its_own.bodies, *its_own.evidence_bodies}
            donors = sorted(
                other
                for other in bodies
                if other != url and own(other) and bodies[other] not in mine and alike(url, other)
            )
        if donors:
            found[url] = donors[0]
    return found


def canonical(body: bytes) -> bytes:
    """`body` as its content reads, whatever its layout: a JSON document re-written with its
    keys sorted and no spaces (each number as the text of its value: 1, 1.0 and "1" read
    alike, and 7.499999999999999e-05 as 0.00007499999999999999, as another writer of binary
    doubles prints it), any other body with its runs of whitespace made one space and its ends
    trimmed, in UTF-8 without a byte order mark where it states its form by one. Two bodies
    alike so are one body written otherwise (a mirror that re-indents or re-sorts a file, a
    newline added, a mark added)."""
    try:
        document = json.loads(body, parse_float=_number, parse_int=_number)
    except (ValueError, RecursionError):
        return b" ".join(_unmarked(body).split())
    return json.dumps(document, sort_keys=True, separators=(",", ":")).encode()


def _number(text: str) -> str:
    """A JSON number's value as text (Decimal's normal form), or as written where it has none
    in Decimal's range."""
    try:
        return str(Decimal(text).normalize())
    except ArithmeticError:
        return text


# Byte order marks and the form each states, UTF-32's first: they begin as UTF-16's.
_MARKS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def _unmarked(body: bytes) -> bytes:
    """A text body that states its form by a byte order mark as the same text in UTF-8 without
    it (the page parsers read them alike); any other body as it is."""
    for mark, form in _MARKS:
        if body.startswith(mark):
            try:
                return body.decode(form).encode()
            except UnicodeDecodeError:
                return body
    return body


def cut_short(body: bytes, before: bytes) -> bool:
    """Whether `body` is the first bytes of `before` (the body the same URL gave in the source's
    last applied run), and at most CUT_SHARE of its length: the same answer, cut short."""
    return 0 < len(body) <= len(before) * CUT_SHARE and before.startswith(body)


def closed_early(body: bytes, before: bytes) -> bool:
    """Whether `body`, at most CUT_SHARE of the length of `before` (the body the same URL gave
    in the source's last applied run), is a JSON document holding the first records of that
    one, closed so that it parses (`_leading`): the same answer cut at a record boundary (a
    writer that stopped early and closed its brackets), every record past the cut missing."""
    if not 0 < len(body) <= len(before) * CUT_SHARE:
        return False
    try:
        part, whole = json.loads(_unmarked(body)), json.loads(_unmarked(before))
    except (ValueError, RecursionError):
        return False
    return part != whole and _leading(part, whole)


def _leading(part: object, whole: object) -> bool:
    """Whether `part` is the start of `whole`: an object whose keys are the first of `whole`'s,
    in order, or an array whose items are its first, each equal to `whole`'s but the last,
    itself the start of `whole`'s (an empty one is no start: an empty listing is a fault of
    its own); any other value equal to `whole`."""
    if isinstance(part, dict) and isinstance(whole, dict):
        keys = list(part)
        if not keys or keys != list(whole)[: len(keys)]:
            return False
        pairs = [(part[key], whole[key]) for key in keys]
    elif isinstance(part, list) and isinstance(whole, list):
        if not part or len(part) > len(whole):
            return False
        pairs = list(zip(part, whole, strict=False))
    else:
        return part == whole
    *head, (last, whole_last) = pairs
    return all(a == b for a, b in head) and _leading(last, whole_last)


@dataclass(frozen=True)
class Verdict:
    """One answer judged. `fault` is '' when the answer is evidence, else the kind of fault
    (STALE, EMPTY, COLLAPSED, or the answer's own error); `detail` says more where there is more
    to say (both dates of a stale answer, both record counts of a collapsed one)."""

    answer: Answer
    fault: str = ""
    detail: str = ""

    @property
    def evidence(self) -> bool:
        """Whether the answer counts as evidence: no fault found."""
        return not self.fault

    @property
    def text(self) -> str:
        """'URL: fault (detail)'; an answer from another URL than the one asked (a redirect on
        the source's own domains: a sign-in page, a status page) names where it came from."""
        detail = f" ({self.detail})" if self.detail else ""
        return f"{self.where}: {self.fault}{detail}"

    @property
    def where(self) -> str:
        """The URL asked, and the one that answered where a redirect on the source's own
        domains led elsewhere (a sign-in page, a status page), unless the fault names it."""
        landed, asked = self.answer.landing_url, self.answer.url
        if landed and landed != asked and landed not in self.fault:
            return f"{asked} (answered from {landed})"
        return asked

    def summary(self, source: str) -> dict[str, object]:
        """The verdict as the run's summary records it (JSON): what `url_history` reads back."""
        at = self.answer.observed_at
        return {
            "source": source,
            "url": self.answer.url,
            "landing_url": self.answer.landing_url,
            "status": self.answer.status,
            "observed_at": time_text(at) if at is not None else None,
            "records": self.answer.records,
            "listed": self.answer.listed,
            "content_hash": self.answer.content_hash,
            "returned_as": self.answer.returned_as,
            "last_modified": (
                time_text(self.answer.last_modified) if self.answer.last_modified else None
            ),
            "newest_stated": (
                time_text(self.answer.newest_stated) if self.answer.newest_stated else None
            ),
            "fault": self.fault,
            "detail": self.detail,
        }


@dataclass(frozen=True)
class Health:
    """A source's health this run (`source_health`): its status (ok, partial, stale, broken,
    failed), the reason in one line ('' when there is none to give), and each answer's verdict."""

    status: SourceStatus
    reason: str
    verdicts: tuple[Verdict, ...]

    @property
    def evidence_urls(self) -> frozenset[str]:
        """The URLs whose answers are evidence this run; only their records are read."""
        return frozenset(v.answer.url for v in self.verdicts if v.evidence)


def _date(at: datetime | None) -> str:
    """A response's date as a reason writes it: the day alone at midnight UTC (a world's dates,
    a day's Date header), else to the second in UTC ("2026-08-18 10:00:05 UTC")."""
    if at is None:
        return "undated"
    at = at.astimezone(UTC) if at.tzinfo is not None else at
    if at.time() == time():
        return at.date().isoformat()
    return f"{at:%Y-%m-%d %H:%M:%S} UTC"


def judge_answer(answer: Answer, history: History, listing: bool, now: datetime) -> Verdict:
    """One answer against the URL's history; `listing` is True for a URL the source is
    configured with (a whole listing), False for a further page its parser named; `now` is
    when the run fetched it. An answer returned to an earlier body (`Answer.returned_from`) is
    read once the URL's last answer gave that body too (`History.bodies`), or returned to it
    written otherwise (`History.returned_as`, canonical alike): the return lasted. It is held
    when the body was last given more than RETURN_AFTER before (a stale copy), or, however
    recently, when the URL's last three answers gave the other body, this one and the other
    again (SWINGING: a replica that answers an old and a new body day by day is read on neither
    until one lasts; a body given again after one other, a recovery from a day's fault, is
    read)."""
    if answer.error:
        return Verdict(answer, answer.error)
    if answer.observed_at is not None and answer.observed_at > now + CLOCK_SKEW:
        detail = f"response dated {_date(answer.observed_at)}, fetched {_date(now)}"
        return Verdict(answer, FUTURE, detail)
    if answer.observed_at is not None and answer.observed_at < FIRST_PRICED:
        detail = f"response dated {_date(answer.observed_at)}, fetched {_date(now)}"
        return Verdict(answer, UNSET_CLOCK, detail)
    if (
        answer.observed_at is not None
        and history.observed_at is not None
        and answer.observed_at < history.observed_at
    ):
        detail = (
            f"response dated {_date(answer.observed_at)}, older than the evidence of "
            f"{_date(history.observed_at)} already given"
        )
        return Verdict(answer, STALE, detail)
    if older := _modified_before(answer, history) or _listed_before(answer, history):
        return Verdict(answer, STALE, older)
    if _moved(answer.url, answer.landing_url, history.landed):
        detail = f"its evidence came from {history.landed}; held until it lasts there"
        return Verdict(answer, MOVED, detail)
    if answer.copy_of:
        same = (
            "the same body, written otherwise, as" if answer.copy_rewritten else "the same bytes as"
        )
        return Verdict(answer, COPIED, f"{same} {answer.copy_of}")
    if answer.cut_of:
        if answer.closed:
            detail = f"its {answer.size} bytes hold the first records of the {answer.cut_of}"
            detail += " it answered when last applied, closed so that they parse"
        else:
            detail = f"its {answer.size} bytes are the first of the {answer.cut_of} it answered"
            detail += " when last applied"
        return Verdict(answer, CUT, detail)
    if (
        answer.returned_from is not None
        and answer.observed_at is not None
        and history.bodies[:1] != (answer.content_hash,)
        and history.returned_as != answer.returned_as
    ):
        given = f"the body it gave on {_date(answer.returned_from)}"
        other, mine, before = (*history.bodies, "", "", "")[:3]
        if mine == answer.content_hash and other == before != mine:
            return Verdict(answer, RETURNED, f"{given}, {SWINGING}; read if it lasts")
        if answer.observed_at - answer.returned_from > RETURN_AFTER:
            return Verdict(answer, RETURNED, f"{given}, another since; read if it lasts")
    if listing and answer.records == 0:
        return Verdict(answer, EMPTY, "no records")
    if off := history.off(answer.listing_records if listing else answer.records, listing):
        pages = " across its chain of pages" if listing and answer.listed is not None else ""
        detail = f"{answer.listing_records} records{pages} against its usual {history.records}"
        if off == SWOLLEN and answer.repeats:
            detail += f"; {answer.repeats} of them repeat another of its records"
        return Verdict(answer, off, detail)
    return Verdict(answer)


def _modified_before(answer: Answer, history: History) -> str:
    """Why `answer` is stale ('' when it is not) where it is a body other than the URL's last
    evidence whose Last-Modified is before the evidence the URL already gave: a cache or a mirror
    serving an old copy under today's Date (an old version this catalog never read, so no
    `returned_from`). That body was not the page's when the URL last answered, so it is older news
    than that answer. A body the URL's last answer gave too, or one stating the Last-Modified the
    last answer stated, is read (the return lasted, as RETURNED's does): a page changed just before
    its last answer, which a cache then still served the old copy of, is read a day late, and one
    whose bytes differ on every fetch (a token in the page) under one Last-Modified is read from its
    second day; never held for good."""
    at = answer.last_modified
    if not _dated_before(answer, history, at, history.observed_at, history.last_modified):
        return ""
    return (
        f"its copy dates from {_date(at)} (Last-Modified, or Date less Age), before the "
        f"evidence of {_date(history.observed_at)} already given; read if it lasts"
    )


def _listed_before(answer: Answer, history: History) -> str:
    """Why `answer` is stale ('' when it is not) where it, a body other than the URL's last, lists
    nothing as new as the newest entry of the URL's last evidence (`Answer.newest_stated`: when a
    model was listed, or its entry last updated): a cache or a mirror serving a copy older than what
    the catalog read, under today's Date and without validators (OpenRouter's May listing after its
    August one: every model listed since counted absent). The entries the evidence listed since are
    either gone (the newest models retired at once: read the next day) or not yet in this copy;
    either way the body is read once it lasts, as `_modified_before`'s: the URL's last answer gave
    it, or stated the same newest entry. A body the URL gave before (`returned_from`) is the
    returned-body rules' (RETURNED: a stale copy, or a swing between two bodies), as for
    `_modified_before`: this rule is for an old version the catalog never read (LiteLLM's map
    dated by the snapshot dates its keys name: fault round 61)."""
    at = answer.newest_stated
    if answer.returned_from is not None or not _dated_before(
        answer, history, at, history.newest_stated, history.last_newest_stated
    ):
        return ""
    return (
        f"its newest entry dates from {_date(at)}, before the newest of "
        f"{_date(history.newest_stated)} in the evidence already given: not the listing as the "
        "catalog last read it (an older copy, or another file); read if it lasts"
    )


def _dated_before(
    answer: Answer,
    history: History,
    at: datetime | None,
    before: datetime | None,
    last: datetime | None,
) -> bool:
    """Whether `answer` dates itself (`at`) before `before`, a date the URL's evidence already
    gave, where the URL's last answer with a body stated another date (`last`) and gave
    another body, and the evidence another body too: older news the first day it comes."""
    return (
        at is not None
        and before is not None
        and at < before
        and at != last
        and bool(answer.content_hash)
        and history.bodies[:1] != (answer.content_hash,)
        and history.evidence_bodies[:1] != (answer.content_hash,)
    )


def _moved(asked: str, landed: str, before: str) -> bool:
    """Whether an answer to `asked` that landed on `landed` came from another page than the
    URL's evidence did (`before`, '' for no evidence yet): neither the URL asked nor where its
    evidence landed, compared as pages (host in any case, a path's closing slash, the query's
    order aside)."""
    if not landed or not before:
        return False
    here = _page(landed)
    return here != _page(asked) and here != _page(before)


def _page(url: str) -> tuple[str, str, str, str]:
    """A URL as a page: scheme, host (lowercase), path without a closing slash, sorted query."""
    parts = urlsplit(url)
    query = "&".join(sorted(parts.query.split("&"))) if parts.query else ""
    return (parts.scheme, (parts.hostname or "").lower(), parts.path.rstrip("/"), query)


def repeats(records: Sequence[Mapping[str, object]]) -> int:
    """How many of a body's parsed records (its parser's raw dicts) equal an earlier one of
    them, compared as sorted JSON (anything not JSON by str)."""
    return len(records) - len({json.dumps(r, sort_keys=True, default=str) for r in records})


def _summarize(faults: Sequence[Verdict], total: int) -> str:
    """One clause per kind of fault (a source may have 46 URLs), naming its first
    `NAMED_URLS` URLs (a partial source's reason says which responses it was held at)."""
    by_kind: dict[str, list[Verdict]] = {}
    for verdict in faults:
        by_kind.setdefault(verdict.fault, []).append(verdict)
    return "; ".join(
        found[0].text
        if len(found) == 1
        else f"{kind} for {len(found)} of {total} URLs: {_named(found)}"
        for kind, found in by_kind.items()
    )


def _named(found: Sequence[Verdict]) -> str:
    named = ", ".join(v.where + (f" ({v.detail})" if v.detail else "") for v in found[:NAMED_URLS])
    more = len(found) - NAMED_URLS
    return f"{named} and {more} more" if more > 0 else named


def source_health(
    answers: Sequence[Answer],
    listing_urls: Sequence[str],
    history: Mapping[str, History],
    usual_total: History,
    now: datetime,
) -> Health:
    """Judge a source's answers this run: its status, the reason, and which answers are
    evidence. `history` is by URL; `usual_total` is the source's usual record count across its
    URLs (catalog.runlog.usual_source_records, for the broken-layout rule); `now` is when the
    run fetched."""
    listing = set(listing_urls)
    verdicts = tuple(
        judge_answer(a, history.get(a.url, History()), a.url in listing, now)
        for a in sorted(answers, key=lambda a: (a.url, a.landing_url))
    )
    if not verdicts:
        return Health(SourceStatus.FAILED, "no response", verdicts)
    faults = [v for v in verdicts if not v.evidence]
    usable = [v for v in verdicts if v.evidence]
    reason = _summarize(faults, len(verdicts))
    if not usable:
        if all(v.fault in (STALE, RETURNED) for v in faults):
            return Health(SourceStatus.STALE, reason, verdicts)
        read = any(
            v.fault in (EMPTY, COLLAPSED, SWOLLEN, FUTURE, UNSET_CLOCK, CUT, COPIED) for v in faults
        )
        return Health(SourceStatus.BROKEN if read else SourceStatus.FAILED, reason, verdicts)
    records = sum(v.answer.records for v in usable)
    if not faults and usual_total.off(records, listing=True) == COLLAPSED:
        reason = f"{records} records against its usual {usual_total.records}"
        broken = tuple(Verdict(v.answer, COLLAPSED, reason) for v in verdicts)
        return Health(SourceStatus.BROKEN, reason, broken)
    return Health(SourceStatus.PARTIAL if faults else SourceStatus.OK, reason, verdicts)


def validation_collapse(
    stated: Mapping[str, int],
    valid: Mapping[str, int],
    unreadable: int = 0,
    zero_prices: int = 0,
    quarantined_fields: int = 0,
) -> str:
    """Why a source's batch collapsed in validation ('' when it did not). `stated` and `valid`
    count its statements by kind (price, limit, capability); `unreadable` counts records and
    fields its normalizer could not read, `quarantined_fields` the fields among them;
    `zero_prices` counts its valid prices that are 0. It collapsed when more than
    COLLAPSE_RATIO of everything it stated is invalid (a source whose format changed under its
    parser reads as nothing valid, and must not pass for a complete listing of nothing), or of
    the statements of any one kind (every price rescaled is a collapse even where its limits
    still read well); when it has more fields quarantined than valid prices (every price
    turned null, NaN or an object: the prices never became statements, so only their fields
    count them, while the models' limits and capabilities still read well; recorded sources
    quarantine under a sixth as many fields as they state prices); or when more than
    COLLAPSE_RATIO of its valid prices are 0: 0 is a price, but a listing most of whose prices
    are free is a listing whose prices were zeroed (a placeholder or a failed export), not a
    price list (recorded sources state 0 for under a tenth)."""
    total = sum(stated.values()) + unreadable
    total_valid = sum(valid.values())
    if total and total_valid < total * (1 - COLLAPSE_RATIO):
        return f"validation collapse: {total - total_valid} of {total} invalid"
    for kind, count in sorted(stated.items()):
        if valid.get(kind, 0) < count * (1 - COLLAPSE_RATIO):
            invalid = count - valid.get(kind, 0)
            return f"validation collapse: {invalid} of {count} {kind} statements invalid"
    prices = valid.get(Kind.PRICE.value, 0)
    if fields_collapse := quarantined_collapse(quarantined_fields, prices):
        return fields_collapse
    if prices and zero_prices > prices * COLLAPSE_RATIO:
        return f"validation collapse: {zero_prices} of {prices} prices are 0 (a zeroed listing)"
    return ""


def quarantined_collapse(quarantined_fields: int, prices: int) -> str:
    """Why more fields were quarantined than prices read ('' when not): every price of a
    source, or of one of its responses (catalog/normalize.py `refused_responses`), turned
    unreadable, or the body is of another file whose records lack the fields its parser
    reads. Recorded sources quarantine under a sixth as many fields as they state prices, and
    so does each of their responses (OpenRouter's listing of every modality: 266 against
    1,645)."""
    if quarantined_fields > prices:
        return (
            f"validation collapse: {quarantined_fields} fields quarantined against {prices} "
            "valid prices"
        )
    return ""


def price_key(o: Observation) -> PriceKey:
    """The field an observation states, as PriceKey: route, model (or its name at the source),
    component, unit and dimensions."""
    return (o.route, o.model or o.source_model, _TEXT[o.component], _TEXT[o.unit], o.dimensions.key)


# Each component's and unit's text, a plain str: a member's `.value` is a descriptor call, and
# price keys are made for every price a run states (~10^5).
_TEXT: dict[Component | Unit, str] = {m: m.value for vocab in (Component, Unit) for m in vocab}


def prices_by_field(observations: Iterable[Observation]) -> dict[PriceKey, Decimal]:
    """A source's prices in force by field (PriceKey), as `rescaled` compares them (a price
    scheduled after its response's date is not the current one)."""
    return {
        price_key(o): o.value
        for o in observations
        if o.kind is Kind.PRICE
        and (o.effective_from is None or o.effective_from <= o.observed_at.date())
    }


# (model, component, unit): a field of a model but its route and dimensions
ModelMeasure = tuple[str, str, str]
ByMeasure = dict[ModelMeasure, list[tuple[PriceKey, Decimal]]]


class Statements(Mapping[str, Mapping[PriceKey, Decimal]]):
    """One run's statements: each source's prices by field (source id -> PriceKey -> price,
    catalog.health `prices_by_field`), read-only, with the indexes the cross-source rules read
    built once, on first use: by field, every source's price (`stating`), and by source, its
    prices grouped by model, component and unit (`by_measure`). The refresh builds one per run
    (catalog/intake.py validate_each); every source's rules read the same."""

    __slots__ = ("_measures", "_prices", "_stating")

    def __init__(self, prices: Mapping[str, Mapping[PriceKey, Decimal]]) -> None:
        self._prices = dict(prices)
        self._stating: dict[PriceKey, list[tuple[str, Decimal]]] | None = None
        self._measures: dict[str, ByMeasure] = {}

    @classmethod
    def of(cls, stated: Mapping[str, Mapping[PriceKey, Decimal]]) -> Statements:
        """`stated` itself where it is Statements, else its statements indexed anew."""
        return stated if isinstance(stated, Statements) else cls(stated)

    def __getitem__(self, source: str) -> Mapping[PriceKey, Decimal]:
        return self._prices[source]

    def __iter__(self) -> Iterator[str]:
        return iter(self._prices)

    def __len__(self) -> int:
        return len(self._prices)

    def stating(self) -> Mapping[PriceKey, Sequence[tuple[str, Decimal]]]:
        """By field, (source, price) of every source stating it, in the sources' order."""
        if self._stating is None:
            index: defaultdict[PriceKey, list[tuple[str, Decimal]]] = defaultdict(list)
            for source, prices in self._prices.items():
                for field, value in prices.items():
                    index[field].append((source, value))
            self._stating = dict(index)
        return self._stating

    def by_measure(self, source: str) -> ByMeasure:
        """`source`'s prices grouped by model, component and unit (PriceKey but its route and
        dimensions)."""
        if (grouped := self._measures.get(source)) is None:
            grouped = defaultdict(list)
            for key, value in self._prices[source].items():
                grouped[key[1], key[2], key[3]].append((key, value))
            self._measures[source] = grouped
        return grouped


LAST_APPLIED = "what the source stated in its last applied run"
IN_FORCE = "the catalog's values in force, or what the other sources state"


def rescaled(
    now: Mapping[PriceKey, Decimal],
    before: Mapping[PriceKey, Decimal],
    against: str = LAST_APPLIED,
    models: int = 0,
) -> str:
    """Why a source's prices are a rescaled listing ('' when they are not): `now` are its prices
    by field this run, `before` the prices they are judged against (its own in the last run that
    applied it, or the reference of `reference_for`), which `against` names in the reason. Of the
    fields priced non-zero in both (at least RESCALE_PAIRS), more than COLLAPSE_RATIO moved by
    one and the same power of ten (x1000: a per-1K price written where per-1M was, or per-token
    read as per-1M; x0.01: dollars read as cents). A provider's real price change is no exact
    power of ten across most of a listing, and one model's tenfold move is still compared (an
    anomaly), so the listing's unit changed under its parser: none of it is a price. `models`:
    the moved fields must be of at least that many models (a few models' prices a power of ten
    off the others' are those models' disagreement, not a listing's unit)."""
    factors, pairs, _ = _ratios(now, before)
    if pairs < RESCALE_PAIRS or not factors:
        return ""
    exponent, moved = factors.most_common(1)[0]
    if moved <= pairs * COLLAPSE_RATIO:
        return ""
    if models and len(_moved_models(now, before, exponent)) < models:
        return ""
    factor = Decimal(10) ** exponent
    return f"rescaled listing: {moved} of {pairs} prices are {factor:f} times {against}"


def agrees(now: Mapping[PriceKey, Decimal], reference: Mapping[PriceKey, Decimal]) -> bool:
    """Whether most of a source's prices (`now`, by field) equal the reference's, over at least
    RESCALE_PAIRS fields priced non-zero in both: a source that agrees with the catalog is not
    rescaled, even where its own last applied prices were (that run was the wrong one)."""
    _, pairs, equal = _ratios(now, reference)
    return pairs >= RESCALE_PAIRS and equal > pairs * COLLAPSE_RATIO


def _ratios(
    now: Mapping[PriceKey, Decimal], before: Mapping[PriceKey, Decimal]
) -> tuple[Counter[int], int, int]:
    """(how many fields moved by each power of ten, by its exponent; fields priced non-zero in
    both; fields equal in both)."""
    factors: Counter[int] = Counter()
    pairs = equal = 0
    for key, value in now.items():
        old = before.get(key)
        if old is None or old == 0 or value == 0:
            continue
        pairs += 1
        if value == old:
            equal += 1
            continue
        exponent = power_of_ten(value / old)
        if exponent:
            factors[exponent] += 1
    return factors, pairs, equal


def _moved_models(
    now: Mapping[PriceKey, Decimal], before: Mapping[PriceKey, Decimal], exponent: int
) -> set[str]:
    """The models (PriceKey's second part) whose prices moved by 10**`exponent` from `before`."""
    return {
        key[1]
        for key, value in now.items()
        if (old := before.get(key)) and value and power_of_ten(value / old) == exponent
    }


def power_of_ten(ratio: Decimal) -> int:
    """The exponent when `ratio` is an exact power of ten (3 for 1000, -2 for 0.01); 0 for 1
    and for any other ratio: a move by it is one slip of unit, not a repricing."""
    sign, digits, exponent = ratio.normalize().as_tuple()
    return exponent if digits == (1,) and isinstance(exponent, int) and not sign else 0


def reference_for(
    source: str,
    prices: Mapping[PriceKey, Decimal],
    in_force: Mapping[PriceKey, Decimal],
    stated: Callable[[], Mapping[str, Mapping[PriceKey, Decimal]]],
    vendors: Callable[[], Mapping[PriceKey, Decimal]] = dict,
) -> Mapping[PriceKey, Decimal]:
    """What a source's `prices` (by field) are judged against besides its own history: the
    catalog's values in force (`in_force`), and where those price fewer than RESCALE_PAIRS of
    its fields (a first load, a source stating what the catalog does not hold yet), for each
    field the value most of the other sources state this run, where at least AGREEING of them
    state it alike (`stated()`: each source's prices by field, asked for only then): one other
    source alone would make the two judge each other, and a rescaled one fail the right one.
    A source read for the first time has no history, and its rescaled listing would otherwise
    enter the catalog (a first load accepts new values) and then make every later right answer
    look rescaled. A field the other sources do not settle so is judged against its vendor's
    own price where it is a reseller's (`vendors()`: by reseller field, the price the vendor
    route's official source states this run, data/aliases/same_price.json), so that the
    reference spans every vendor the reseller passes prices through: with only the fields the
    others agree on, OpenRouter's first load was judged by 16 fields, all of one vendor's
    models, and that vendor's block at a thousandfold (a fault round: 28 anthropic/ ids) failed
    the whole listing, 414 models, as rescaled."""
    in_catalog = sum(1 for key in prices if key in in_force)
    if in_catalog >= RESCALE_PAIRS:
        return in_force
    stating = Statements.of(stated()).stating()
    merged = {key: in_force[key] for key in prices if key in in_force}
    for key in prices:
        if key in in_force or (found := stating.get(key)) is None:
            continue
        values = [value for other, value in found if other != source]
        if len(values) < AGREEING:
            continue
        if len(set(values)) == 1:  # all alike (the usual case)
            merged[key] = values[0]
            continue
        (value, most), (_, second) = Counter(values).most_common(2)
        if most >= AGREEING and second < most:
            merged[key] = value
    vendor = vendors()
    if vendor:
        for key in prices:
            if key not in merged and key in vendor:
                merged[key] = vendor[key]
    return merged


def run_status(reports: Sequence[SourceRun]) -> str:
    """'ok' when every source was read in full or in part, 'failed' when none was (nothing
    could be applied: the flow run fails, exit 2), else 'degraded'."""
    ok = (SourceStatus.OK, SourceStatus.PARTIAL)
    applied = [r.status in ok for r in reports]
    if all(applied):
        return "ok"
    return "degraded" if any(applied) else "failed"


def unusable(reports: Sequence[SourceRun]) -> list[SourceRun]:
    """The sources that changed nothing this run (failed, broken or stale)."""
    return [r for r in reports if r.status not in (SourceStatus.OK, SourceStatus.PARTIAL)]


# Characters of a source's text that Markdown would read as structure: a link or an image
# (brackets), a code span's end, a table cell's end, HTML, emphasis, an escape.
_MARKDOWN = re.compile(r"([\\`\[\]|<>*_])")


def markdown_text(text: str) -> str:
    """A source's text (a record's name, a detail, a reason) as Markdown shows it literally: on
    one line, each structural character escaped (a fault round: a backtick in a record name
    ended its code span and a `[link](http://…)` after it became a live link in the run's
    artifact; a line break started a heading; a `|` broke the table)."""
    return _MARKDOWN.sub(r"\\\1", " ".join(text.splitlines()))


def markdown_code(text: str) -> str:
    """A source's text as a Markdown code span, on one line, its backticks shown as quotes."""
    return "`" + " ".join(text.splitlines()).replace("`", "'") + "`"


def report_markdown(
    run_id: int,
    reports: Sequence[SourceRun],
    opened: Sequence[ReviewItem],
    problems: Sequence[Problem],
) -> str:
    """The run report as Markdown: each source's part, the review items opened by kind, and the
    quarantined records (the first REPORTED_PROBLEMS of them)."""
    lines = [
        f"# ratecard refresh, run {run_id}",
        "",
        "| source | status | observations | quarantined | stamped | review items | reason |",
        "|---|---|---|---|---|---|---|",
    ]
    lines += [
        f"| {r.source} | {r.status.value} | {r.observations} | {r.quarantined} | {r.stamped} "
        f"| {r.review_items} | {markdown_text(r.reason)} |"
        for r in reports
    ]
    kinds = Counter(i.kind.value for i in opened)
    lines += ["", "## Review items opened", ""]
    lines += [f"- {kind}: {count}" for kind, count in sorted(kinds.items())] or ["- none"]
    anomalies = [p for p in problems if p.observation is not None]
    shown = problems[:REPORTED_PROBLEMS]
    lines += ["", f"## Quarantined ({len(problems)}; {len(anomalies)} anomalies)", ""]
    lines += [
        f"- {p.source} {markdown_code(p.record)}: {p.rule}: {markdown_text(p.detail)}"
        for p in shown
    ]
    if len(problems) > len(shown):
        lines.append(
            f"- … {len(problems) - len(shown)} more in the quarantine table (run {run_id})"
        )
    return "\n".join(lines)
