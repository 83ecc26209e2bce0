"""Raw records → observations: each source's normalizer, then identity and provenance. Pure."""

from __future__ import annotations

import hashlib
import re
import sys
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from itertools import groupby
from operator import itemgetter
from typing import Any

from sqlalchemy import String

from catalog import tables
from catalog.health import COLLAPSE_RATIO, PriceKey, quarantined_collapse
from catalog.identity import (
    Identity,
    OfficialScopes,
    Statement,
    names_a_path_step,
    snapshot_base,
)
from catalog.plausibility import bands, jumped, unit_slipped
from catalog.schedule import in_force
from schemas.fetch import (
    UNKNOWN_KEY_RULE,
    UNKNOWN_LIMIT,
    ZERO_RATES_RULE,
    FetchedPage,
    FieldProblem,
    Uninterpretable,
)
from schemas.field import ROUTE_NAME, Dims, Measure
from schemas.records import Draft, Observation, Problem, make_observation
from schemas.sources import Source
from schemas.vocab import Component, Dim, Kind, Unit


@dataclass
class SourceDrafts:
    """What a source's records became: drafts, problems, and `named`: the (route, model name)
    pairs, as the source writes them, that its records read with a problem name (`named_by`);
    `unread`: those of them that records nothing could be read from name."""

    source: Source
    drafts: list[tuple[FetchedPage, Draft]]
    problems: list[Problem]
    named: set[tuple[str, str]] = field(default_factory=set)
    unread: set[tuple[str, str]] = field(default_factory=set)
    # Responses refused whole (`refused_responses`): why, by URL, and their records' problems
    # (quarantined, no review item each: the response is the fault, not each record).
    refused: dict[str, str] = field(default_factory=dict)
    refused_problems: list[Problem] = field(default_factory=list)


def draft_source(
    source: Source, pages: Sequence[FetchedPage], others_stand: bool = False
) -> SourceDrafts:
    """Run the source's normalizer over every record, the pages' records first linked by the
    parser's optional `link_pages` (spiders/parsing.py: what only the pages together say). Of
    prices with effective dates, those in force on the page's date and those scheduled after it
    are kept (catalog/schedule.py).

    A record nothing can be read from becomes one problem (its id, the rule); a record with some
    fields quarantined keeps its other drafts, and each quarantined field becomes a problem whose
    detail starts with the field's name (also in `field`). A draft whose names do not fit the
    catalog is its record's problem (TOO_LONG_RULE, `overlong`), as is one that names no model
    (NO_NAME_RULE, `unnamed`); each reason once per record. A record whose shape its normalizer
    did not expect (a field that turned from an object into a list: any other exception) is
    that record's problem alone (UNREADABLE_RULE, naming the exception), never
    the source's: a source every record of which is so read collapses in validation
    (catalog/intake.py). A price whose source says it ended before the page's date is its
    record's problem (ENDED_RULE, `ended`): it is not a current price.

    A response that collapsed on its own is refused whole (`refused_responses`; `others_stand`:
    the source has responses that gave no evidence this run, standing as last stated).

    Every record read with a problem (any of the above) also gives the models it names
    (`named_by`, into `SourceDrafts.named`): a model whose record the source sent stays listed
    whether or not its values could be read (catalog/compare.py counts no absence of it). Those
    a record nothing could be read from names are also `SourceDrafts.unread`.
    """
    normalize = source.parser.normalize
    name_record: Callable[[Any], Iterable[tuple[str, str]]] | None = getattr(
        source.parser, "names", None
    )
    link: Callable[[list[list[Any]]], list[list[Any]]] | None = getattr(
        source.parser, "link_pages", None
    )
    linked = link([page.records for page in pages]) if link else [p.records for p in pages]
    drafts: list[tuple[FetchedPage, Draft]] = []
    problems: list[Problem] = []
    named: set[tuple[str, str]] = set()
    unread: set[tuple[str, str]] = set()
    # The names and dimensions seen to fit (`_name_fits`, `_dimensions_fit`): a draft of both is
    # neither `overlong` nor `unnamed`, and a model's drafts share its names (~10 per record)
    # and a source's a few hundred dimension sets, so each is judged once.
    names_fit: set[tuple[str, str]] = set()
    dimensions_fit: set[str] = set()
    spans: list[tuple[FetchedPage, slice, slice]] = []  # each page's drafts and problems
    for page, records in zip(pages, linked, strict=True):
        first_draft, first_problem = len(drafts), len(problems)
        for index, record in enumerate(records):
            try:
                found = normalize(record)
            except Uninterpretable as exc:
                problems.append(
                    Problem(source=source.id, record=exc.record, rule=exc.rule, detail=exc.detail)
                )
                unread.update(named_by(name_record, record))
                continue
            except Exception as exc:
                detail = f"{type(exc).__name__}: {exc}"
                problems.append(
                    Problem(
                        source=source.id,
                        record=record_name(record, index, page.url),
                        rule=UNREADABLE_RULE,
                        detail=detail if len(detail) <= 300 else f"{detail[:297]}...",
                    )
                )
                unread.update(named_by(name_record, record))
                continue
            set_aside: set[tuple[str, str]] = set()  # each reported once per record
            for draft in found:
                names, dims = (draft.source_model, draft.route), draft.dimensions.key
                fits = names in names_fit and dims in dimensions_fit
                if not fits and _name_fits(*names) and _dimensions_fit(dims):
                    fits = True
                    names_fit.add(names)
                    dimensions_fit.add(dims)
                rule, why = TOO_LONG_RULE, "" if fits else overlong(draft)
                if draft.effective_until is not None and not why:
                    rule, why = ENDED_RULE, ended(draft, page)
                if not why and not fits:
                    rule, why = NO_NAME_RULE, unnamed(draft)
                if not why and not fits:
                    rule, why = LOOKALIKE_RULE, lookalike(draft)
                if not why:
                    if (
                        len(draft.evidence) > EVIDENCE_CHARS
                        or _UNSHOWN.search(draft.evidence)
                        or _UNSHOWN.search(draft.record)
                    ):
                        draft = _shown(draft)
                    drafts.append((page, draft))
                elif (rule, why) not in set_aside:
                    set_aside.add((rule, why))
                    problems.append(
                        Problem(
                            source=source.id,
                            record=(draft.record or record_name(record, index, page.url))[:200],
                            rule=rule,
                            detail=why,
                        )
                    )
            if found.problems or set_aside:
                problems.extend(field_problem(source.id, p) for p in found.problems)
                if set_aside or any(p.rule != UNKNOWN_LIMIT for p in found.problems):
                    named.update(named_by(name_record, record))
        spans.append((page, slice(first_draft, len(drafts)), slice(first_problem, len(problems))))
    refused = refused_responses(
        [(page, [d for _, d in drafts[kept]], problems[aside]) for page, kept, aside in spans],
        others_stand,
    )
    refused_problems: list[Problem] = []
    if refused:
        out = {id(page) for page in pages if page.url in refused}
        refused_problems = [
            _stored(p) for page, _, aside in spans if id(page) in out for p in problems[aside]
        ]
        drafts = [(page, draft) for page, draft in drafts if id(page) not in out]
        problems = [p for page, _, aside in spans if id(page) not in out for p in problems[aside]]
    stored = [_stored(p) for p in problems]
    return SourceDrafts(
        source, in_force(drafts), stored, named | unread, unread, refused, refused_problems
    )


def refused_responses(
    responses: Sequence[tuple[FetchedPage, Sequence[Draft], Sequence[Problem]]],
    others_stand: bool = False,
) -> dict[str, str]:
    """The responses of a source of several that collapsed under its parser, each judged alone
    (`responses`: each page with its drafts and its records' problems): more of its fields
    quarantined than prices read (catalog.health `quarantined_collapse`), or more of its records
    stating every rate 0 (ZERO_RATES_RULE) than records it prices: a zeroed file (fault round
    30: Portkey's openai.json with every price 0 was read as 188 placeholders, the source ok).
    By URL, the reason.
    A body of another file at one URL reads as such (a fault round: Vercel's listing answered
    at OpenRouter's models URL; the two share their envelope and some price keys, so 206
    cache and web-search prices were read as OpenRouter's while 781 fields, every record's
    prompt and completion prices among them, were quarantined, and the source's other
    listing kept the source's share low). The other rules of a collapse are the source's
    alone: a response of a few records none of which is a model's (an Azure region's four
    meters) or of mostly free prices (Portkey's deepgram.json) is read, and so is one whose
    quarantined fields are one record's (a file of one model whose prices turned into
    objects: that record's fields are quarantined alone). A source of one
    response, or whose every response collapsed, is judged whole (catalog/intake.py): none is
    refused here, unless `others_stand`: the source's responses that gave no evidence stand as
    last stated beside what it read, and are counted so in judging it whole, so a response
    read alone is judged alone first (a fault round: Vercel's listing at OpenRouter's models
    URL the day its other listing failed)."""
    found: dict[str, str] = {}
    for page, stated, problems in responses:
        zeroed = sum(p.rule == ZERO_RATES_RULE for p in problems)
        priced = len({d.record for d in stated if d.kind is _PRICE})
        if zeroed > 1 and zeroed > (zeroed + priced) * COLLAPSE_RATIO:
            found[page.url] = (
                f"validation collapse: {zeroed} of {zeroed + priced} records state every rate 0"
                f" (a zeroed listing: the response of {page.url})"
            )
            continue
        quarantined = [p for p in problems if p.field is not None and p.rule != UNKNOWN_KEY_RULE]
        if len({p.record for p in quarantined}) < 2:
            continue  # one record's fields: quarantined alone (nomic.json's one model)
        collapse = quarantined_collapse(len(quarantined), sum(d.kind is _PRICE for d in stated))
        if collapse:
            found[page.url] = f"{collapse} (the response of {page.url})"
    read = sum(1 for _, stated, problems in responses if stated or problems)
    return found if others_stand or len(found) < read else {}


def named_by(
    name_record: Callable[[Any], Iterable[tuple[str, str]]] | None, record: object
) -> list[tuple[str, str]]:
    """The (route, model name) pairs a raw record names, as its source's parser reads them
    before anything that can fail (the parser's optional `names`, spiders/parsing.py), for a
    record read with a problem. A record whose names cannot be read names none: no `names` in
    the parser, `names` raising (a record of an unexpected shape), or a name no draft could
    carry (too long for the catalog, blank, with control characters: `overlong`, `unnamed`).
    Such a record cannot vouch for any model, and its models count as absent as before. A name
    that reads as another (`lookalike`: an invisible character, a compatibility form, spaces
    around it) names the model it reads as, the name as a reader sees it (`as_read`): a
    record renamed so vouches for that model's fields as last stated, as any record read with
    a problem does for its own."""
    if name_record is None:
        return []
    try:
        named = []
        for route, model in name_record(record):
            if not (isinstance(route, str) and isinstance(model, str)):
                continue
            if not _fits(route, model):
                route, model = as_read(route), as_read(model)
            if _fits(route, model):
                named.append((route, model))
        return named
    except Exception:
        return []


def as_read(text: str) -> str:
    """`text` as a reader sees it: in its NFKC form (fullwidth letters, a no-break space as
    their plain forms), every dash a hyphen-minus (a non-breaking hyphen, an en dash: Unicode's
    category Pd), without the characters shown as nothing (categories C: U+200B ZERO WIDTH
    SPACE, U+00AD SOFT HYPHEN, direction marks, controls), without the spaces around it."""
    shown = []
    for char in unicodedata.normalize("NFKC", text):
        category = unicodedata.category(char)
        if category[0] != "C":
            shown.append("-" if category == "Pd" else char)
    return "".join(shown).strip()


def _fits(route: str, model: str) -> bool:
    """Whether a draft of this route and model would be kept (`overlong`, `unnamed`)."""
    return (
        _is_route_name(route)
        and len(route) <= _ROUTE_FITS
        and len(model) <= _MODEL_FITS
        and not _BLANK_PART.search(model)
        and not names_a_path_step(model)
        and not _CONTROL.search(f"{model}{route}")
        and (f"{model}{route}".isascii() or not _looks_like_another(f"{model}{route}"))
    )


# Characters a source's text may hold that are written escaped wherever ratecard keeps or shows
# that text (evidence, a record's name, a problem's detail and field): control characters but
# tab and line break (NUL, which PostgreSQL's text and jsonb refuse; ESC, which starts a
# terminal's escape sequences: a colour, a hyperlink, a window title; a carriage return that
# writes over a line), lone surrogates (no UTF-8 encodes one: the database driver refused the
# whole run's write), and the direction overrides and isolates that show text reversed.
_UNSHOWN = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\u202a-\u202e\u2066-\u2069]")


def shown_escaped(text: str) -> str:
    """`text` with each character of `_UNSHOWN` written as its Python escape (`\\x1b`,
    `\\ud800`, `\\u202e`): storable in every database, harmless on a terminal or a page, and
    still shown for what it was. One source's odd bytes would otherwise fail the transaction of
    the whole run, every source's part with it, or drive the reviewer's terminal."""
    if not _UNSHOWN.search(text):
        return text
    return _UNSHOWN.sub(lambda found: found[0].encode("unicode_escape").decode("ascii"), text)


# The longest evidence kept of one statement: the recorded sources' run to about 300 characters
# (a Portkey key path); a page heading a megabyte long (a fault round) put a megabyte into every
# statement under it, the review item and the reviewer's terminal.
EVIDENCE_CHARS = 1000


def _shown(draft: Draft) -> Draft:
    """The draft with its evidence and record as `shown_escaped` writes them, the evidence cut
    to EVIDENCE_CHARS (ending in "…")."""
    evidence = shown_escaped(draft.evidence)
    if len(evidence) > EVIDENCE_CHARS:
        evidence = f"{evidence[: EVIDENCE_CHARS - 1]}…"
    return replace(draft, evidence=evidence, record=shown_escaped(draft.record))


def _stored(problem: Problem) -> Problem:
    texts = (problem.record, problem.detail, problem.field or "")
    if not any(_UNSHOWN.search(text) for text in texts):
        return problem
    update = {"record": shown_escaped(problem.record), "detail": shown_escaped(problem.detail)}
    if problem.field is not None:
        update["field"] = shown_escaped(problem.field)
    return problem.model_copy(update=update)


TOO_LONG_RULE = "name too long"


def overlong(draft: Draft) -> str:
    """Why a draft's names do not fit the catalog ('' when they do): a route, model name or
    dimensions longer than the observation columns that keep them (catalog/tables.py). Such a
    draft becomes its record's problem before it is an observation, so neither it nor an
    anomaly item about it has to be written: PostgreSQL refuses a value longer than its column,
    which would fail the transaction of the whole run."""
    if (
        len(draft.route) <= _ROUTE_FITS
        and len(draft.source_model) <= _MODEL_FITS
        and len(draft.dimensions.key) <= _DIMENSIONS_FIT
    ):
        return ""  # nearly every draft: three lengths, no message built
    for name, text in (
        ("route", draft.route),
        ("source_model", draft.source_model),
        ("dimensions", draft.dimensions.key),
    ):
        width = _WIDTHS[name]
        if width is not None and len(text) > width:
            return f"{name} of {len(text)} characters (at most {width}): {text[:80]}..."
    return ""


def _width(name: str) -> int | None:
    column = tables.observations.c[name].type
    return column.length if isinstance(column, String) else None


_WIDTHS = {name: _width(name) for name in ("route", "source_model", "dimensions")}
# The widths as bounds (a column of unbounded text fits any length).
_ROUTE_FITS, _MODEL_FITS, _DIMENSIONS_FIT = (
    sys.maxsize if width is None else width for width in _WIDTHS.values()
)


ENDED_RULE = "price ended"


def ended(draft: Draft, page: FetchedPage) -> str:
    """Why a draft is no current price ('' when it may be): the source states the last day it
    is in force (Draft.effective_until, Azure's `effectiveEndDate`), and that day is before the
    date of the response that states it. Read as current, a retired or repriced meter's old
    price would stand beside (or, alone, for) the price in force."""
    until, day = draft.effective_until, page.observed_at.date()
    if until is None or until >= day:
        return ""
    return f"{draft.evidence}: in force until {until}, before the response's date {day}"


def _name_fits(model: str, route: str) -> bool:
    """Whether a draft of this model name and route is neither `overlong` nor `unnamed` by its
    names (its dimensions judged apart, `_dimensions_fit`)."""
    return (
        len(route) <= _ROUTE_FITS
        and len(model) <= _MODEL_FITS
        and not _BLANK_PART.search(model)
        and not names_a_path_step(model)
        and not _CONTROL.search(f"{model}{route}")
        and _is_route_name(route)
        and (f"{model}{route}".isascii() or not _looks_like_another(f"{model}{route}"))
    )


def _is_route_name(route: str) -> bool:
    """Whether a source's route, as identity reads it (trimmed, lowercased), is a route name
    (schemas.field.ROUTE_NAME)."""
    return ROUTE_NAME.fullmatch(route.strip().lower()) is not None


def _dimensions_fit(key: str) -> bool:
    """Whether dimensions of this text key make no draft `overlong`, `unnamed` or a `lookalike`:
    each part one name and one value (no value holds ';' or '=': `Dims.parse` reads the key
    back into the same dimensions)."""
    return (
        len(key) <= _DIMENSIONS_FIT
        and not _CONTROL.search(key)
        and (not key or all(part.count("=") == 1 for part in key.split(";")))
        and Dims.parse(key).key == key
        and (key.isascii() or not _looks_like_another(key))
    )


NO_NAME_RULE = "no model name"


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_BLANK_PART = re.compile(r"^\s*$|(?:^|/)\s*(?:/|$)")  # all blank, or between slashes


def unnamed(draft: Draft) -> str:
    """Why a draft names no model ('' when it does): a source name that is blank, or one part of
    which between slashes is ("openai/", "/", " "): identity would make a model of no name of
    it; or one whose last part is "." or ".." ("openai/.."), a model whose web page no link
    reaches (browsers resolve /models/.. to /); or a name, route or dimension value holding
    control characters ("gpt-4o\\x00", a line break, a variant "batch\\x00"), which no
    command can name (the CLI refuses them) and PostgreSQL cannot store (NUL). No recorded
    source writes one; every source's name for a real model has text in every part. Or a
    dimension value holding ';' or '=', which separate a stored key's dimensions
    ("free;modality=audio" would read back as a second dimension, and a field's second value
    in force under another key)."""
    name, route, dimensions = draft.source_model, draft.route, draft.dimensions.key
    if _BLANK_PART.search(name):
        return f"source_model {name!r} has a blank part"
    if names_a_path_step(name):
        return (
            f"source_model {name!r} names the model '.' or '..', a path step every browser "
            "resolves: no page or link could name it"
        )
    if not _is_route_name(route) and not _CONTROL.search(route):
        return (
            f"route {route[:120]!r} is no route name (lowercase letters, digits, '.', '_', '-'):"
            " no command or page could name it"
        )
    for dim, value in draft.dimensions.items():
        if ";" in value or "=" in value:
            return f"dimension {dim} {value[:120]!r} holds ';' or '=', which separate dimensions"
    if _CONTROL.search(f"{name}{route}{dimensions}"):
        return (
            f"source_model {name!r}, route {route!r} or dimensions {dimensions!r} hold control "
            "characters"
        )
    return ""


LOOKALIKE_RULE = "lookalike name"
# Scripts whose letters are drawn like Latin ones (U+043E "о" and U+03BF "ο" as "o", Armenian
# U+0585 "օ"): in one name beside Latin letters, they make a name that reads as another. So do
# the phonetic forms of Latin letters (U+0261 "ɡ", U+0131 "ı", small capitals: IPA and
# phonetic extensions); letters of languages written in Latin ("ø", "ß", "Ł") do not.
_LIKE_LATIN = ("CYRILLIC ", "GREEK ", "ARMENIAN ", "CHEROKEE ", "COPTIC ")
_PHONETIC = ((0x0250, 0x02AF), (0x1D00, 0x1DBF), (0xA730, 0xA7FF))
_DOTLESS = frozenset("\u0131\u0237")
# Characters drawn as "-" that NFKC leaves as they are (U+2010 HYPHEN, the figure, en and em
# dashes, U+2212 MINUS SIGN...); a wave dash ("〜") is drawn as no hyphen.
_DASHES = frozenset("\u2010\u2012\u2013\u2014\u2015\u2212\u2043\u02d7\u058a\u1806\u2e3a\u2e3b")


def lookalike(draft: Draft) -> str:
    """Why a draft's names read as other names ('' when they do not): a source name, route or
    dimension value holding a character that is shown as nothing or as another one: a format
    or other invisible character (U+200B ZERO WIDTH SPACE, U+00AD SOFT HYPHEN, a direction
    mark), a compatibility form (fullwidth "ｇｐｔ", U+2011 NON-BREAKING HYPHEN, a no-break space:
    any text Unicode's NFKC normalization changes), a dash other than "-" ("gpt‐4o" with U+2010
    HYPHEN, U+2212 MINUS SIGN), or a letter drawn like a Latin one beside Latin ones ("gpt-4о"
    with Cyrillic U+043E, Armenian U+0585, "ɡpt-4o" with U+0261). Read, each would be a model,
    seller or variant of its own that a reviewer cannot tell from the real one, its prices
    beside the real one's; no recorded source writes a name with any character beyond ASCII.
    Other scripts' names (a name in Chinese) are names, as are letters of languages written in
    Latin ("bjørn") and a wave dash."""
    named = [("source_model", draft.source_model), ("route", draft.route)]
    named += [(f"dimension {dim}", value) for dim, value in draft.dimensions.items()]
    for what, text in named:
        if not text.isascii() and (why := _looks_like_another(text)):
            return f"{what} {text[:120]!r} holds {why}: it reads as another name"
    return ""


def _looks_like_another(text: str) -> str:
    """The first character of `text` that makes it read as another text, named ('' if none)."""
    latin = any(c.isascii() and c.isalpha() for c in text)
    for char in text:
        if char.isascii():
            continue
        name = unicodedata.name(char, "an unnamed character")
        shown = f"U+{ord(char):04X} {name}"
        if unicodedata.category(char)[0] == "C":
            return f"{shown}, which is not shown"
        if unicodedata.normalize("NFKC", char) != char:
            return f"{shown}, a form of {unicodedata.normalize('NFKC', char)!r}"
        if char in _DASHES:
            return f"{shown}, drawn as '-'"
        if latin and char.isalpha() and _like_latin(char, name):
            return f"{shown} beside Latin letters"
    if unicodedata.normalize("NFKC", text) != text:  # a combining mark on a letter before it
        return f"a combination NFKC writes {unicodedata.normalize('NFKC', text)[:120]!r}"
    return ""


def _like_latin(letter: str, name: str) -> bool:
    """Whether a letter (not ASCII, named `name`) is drawn like a Latin one: of a script that
    has such letters, or a phonetic or dotless form of a Latin letter."""
    if name.startswith(_LIKE_LATIN) or letter in _DOTLESS:
        return True
    point = ord(letter)
    return name.startswith("LATIN ") and any(low <= point <= high for low, high in _PHONETIC)


UNREADABLE_RULE = "record of an unexpected shape"
ID_FIELDS = ("record", "key", "id", "meterName", "name", "model")  # how sources name a record


def record_name(record: object, index: int, url: str) -> str:
    """How a problem names a raw record: its first id field (ID_FIELDS) that is text, or that is
    an object with such a field (genai-prices' `model`), else its position in the response."""
    if not isinstance(record, dict):
        return f"record {index} of {url}"
    for holder in (record, *(record.get(n) for n in ID_FIELDS)):
        if not isinstance(holder, dict):
            continue
        for name in ID_FIELDS:
            value = holder.get(name)
            if isinstance(value, str) and value.strip():
                return value[:200]
    return f"record {index} of {url}"


def field_problem(source: str, problem: FieldProblem) -> Problem:
    """A quarantined field as a run problem: source, record, rule, and the field by name."""
    return Problem(
        source=source,
        record=problem.record,
        rule=problem.rule,
        detail=f"{problem.field}: {problem.detail}",
        field=problem.field,
    )


def learn_official_models(
    identity: Identity,
    batches: Iterable[SourceDrafts],
    prices_in_force: Mapping[PriceKey, Decimal] | None = None,
) -> None:
    """A model an official source lists for its own route is a known model; what the sources
    state also decides dated ids and Azure scopes (catalog.identity). A price validation sets
    aside teaches nothing: one outside its unit's plausibility band (catalog/plausibility.py
    rule 1; LiteLLM's gpt-4o-mini input at 100,000 times its price priced the snapshot
    gpt-4o-mini-2024-07-18 apart from it, a model of its own on every route for that day), and
    one that contradicts its name's other prices as schemas/batch.py's checks across rows judge
    them (`contradicted`: a cache read dearer than its input, a context tier cheaper than the
    one beneath it). Nor does a price that moved tenfold or to zero from the catalog's price in
    force of its field (`prices_in_force`, by catalog.health.PriceKey), the anomaly compare
    makes of it (catalog.plausibility `jumped`): OpenRouter's gpt-4o-mini stated at $0 priced
    its snapshot apart, and the snapshot became a model of its own on every route, the official
    page's included. Such a price of a field the catalog prices, outside its unit's band or
    moved a hundredfold or more (catalog.plausibility `unit_slipped`: per 1K tokens for per 1M
    is a thousandfold), teaches the price in force instead: its value is wrong, not its field
    (a fault round: the OpenAI page's audio section written per 1K tokens for a day left
    gpt-4o-audio-preview without an official audio price, and its dated snapshot, which Portkey
    prices apart, was folded into it for the day). One within its band moved tenfold may be a
    real repricing (OpenAI's gpt-4o-mini-realtime-preview audio cache read, 0.3 then 3): it
    teaches nothing, neither its value nor the one it left. The catalog's prices in force of
    official deployments place the secondaries' bare prices where no official price of this run
    does (`_stand_in_force`)."""
    batches = list(batches)
    table = bands()
    in_force = _in_force(identity, prices_in_force or {})
    in_band: list[Statement] = []
    for s in _statements(identity, batches):
        if s[4].kind is not _PRICE:
            in_band.append(s)
            continue
        current = in_force(s)
        band = table.get(s[4].unit)
        if (band is None or band.holds(s[5])) and (current is None or not jumped(current, s[5])):
            in_band.append(s)
        elif current is not None and (
            (band and not band.holds(s[5])) or unit_slipped(current, s[5])
        ):
            in_band.append((*s[:5], current))
    wrong = contradicted(in_band)
    identity.learn_official(s for i, s in enumerate(in_band) if i not in wrong)
    identity.learn_listed(_scheduled_models(identity, batches))
    _stand_in_force(identity, prices_in_force or {})


def _stand_in_force(identity: Identity, prices: Mapping[PriceKey, Decimal]) -> None:
    """The catalog's prices in force (`prices`, by catalog.health.PriceKey) of the deployments
    (a scope, a region) of the routes whose official prices state scopes, as the deployments a
    secondary's bare price is placed in where no official price of this run states its value
    (catalog.identity.OfficialScopes `standing`)."""
    standing = identity.scopes.standing or OfficialScopes()
    for (route, model, component, unit, key), value in prices.items():
        if route not in identity.scoped_routes or "=" not in key:
            continue
        dims = Dims.parse(key)
        if _SCOPE in dims or Dim.REGION.value in dims:
            measure = Measure(_PRICE, Component(component), Unit(unit), dims)
            standing.add(route, model, measure, value)
    identity.scopes.standing = standing


def _scheduled_models(identity: Identity, batches: Iterable[SourceDrafts]) -> set[str]:
    """The models official sources state prices of from a later date than their page's
    (catalog/schedule.py), by candidate name. A model an official source lists is known however
    its prices are dated (a fault round: a new Azure model whose every meter starts next month
    was read as no model, and the secondaries' names of it mapped to none); what its scheduled
    prices state teaches identity nothing else (`_statements`). A name that begins with a digit
    names no model on its own (catalog.identity)."""
    found: set[str] = set()
    for batch in batches:
        for page, d in batch.drafts:
            if d.effective_from is None or d.effective_from <= page.observed_at.date():
                continue
            if batch.source.is_official(identity.route(d.route)):
                name = identity.candidate(d.source_model)
                if not name[:1].isdigit():
                    found.add(name)
    return found


def _in_force(
    identity: Identity, prices: Mapping[PriceKey, Decimal]
) -> Callable[[Statement], Decimal | None]:
    """The catalog's price in force of the field a price statement's name maps to now (before
    this run's sources teach identity); None where there is none. A dated snapshot's name
    folded into its base is not judged by the base's price: that it differs is what prices it
    apart (a real snapshot at ten times its base's price is a model of its own)."""

    def in_force(statement: Statement) -> Decimal | None:
        _, _, route, name, measure, _ = statement
        model = identity.model(name)
        if model is None or (model != name and snapshot_base(identity.candidate(name))):
            return None
        return prices.get(
            (route, model, measure.component.value, measure.unit.value, measure.dims.key)
        )

    return in_force if prices else lambda statement: None


def contradicted(statements: Sequence[Statement]) -> set[int]:
    """The places in `statements` of the prices their name's other prices contradict, as
    schemas/batch.py's checks across rows judge a source's rows (by source, route, name, unit
    and dimensions): a cache read dearer than the cheapest input (`cache_read_le_input`), the
    cache writes of its key whatever their lifetime (`cache_write_beside_dearer_read`), a
    1-hour cache write below a 5-minute one and that one (`cache_lifetimes_ascending`), and a
    price above N tokens below a price of a lower tier (`tiers_ascending`; the price without a
    threshold is the lowest tier)."""
    inputs: dict[tuple[object, ...], Decimal] = {}
    reads: list[tuple[int, tuple[object, ...], Decimal]] = []
    writes: list[tuple[int, tuple[object, ...], str | None, Decimal]] = []
    # by (source, route, name, component, unit, dimensions but the tier): (tier, place, value)
    tiers: dict[tuple[object, ...], list[tuple[int, int, Decimal]]] = defaultdict(list)
    tiered: set[tuple[object, ...]] = set()
    for i, (source, _, route, name, measure, value) in enumerate(statements):
        if measure.kind is not _PRICE:
            continue
        dims = measure.dims
        if measure.component is _INPUT:
            key = (source, route, name, measure.unit, dims)
            if key not in inputs or value < inputs[key]:
                inputs[key] = value
        elif measure.component is _CACHE_READ:
            reads.append((i, (source, route, name, measure.unit, dims), value))
        elif measure.component is _CACHE_WRITE:
            lifetimeless = (source, route, name, measure.unit, dims.without(_TTL))
            writes.append((i, lifetimeless, dims.get(_TTL), value))
        above = dims.get(_ABOVE)
        if above is not None:
            dims = Dims.of({d: v for d, v in dims.items() if d != _ABOVE})
        group = (source, route, name, measure.component, measure.unit, dims)
        tiers[group].append((int(above) if above and above.isdigit() else 0, i, value))
        if above is not None:
            tiered.add(group)
    wrong = {i for i, key, value in reads if key in inputs and value > inputs[key]}
    dearer = {key for i, key, _ in reads if i in wrong}
    wrong.update(i for i, key, _, _ in writes if key in dearer)
    lifetimes: dict[tuple[object, ...], dict[str | None, list[Decimal]]] = defaultdict(dict)
    for _, written, lifetime, value in writes:
        lifetimes[written].setdefault(lifetime, []).append(value)
    swapped = {
        written
        for written, by in lifetimes.items()
        if "5m" in by and "1h" in by and min(by["1h"]) < max(by["5m"])
    }
    wrong.update(i for i, written, lifetime, _ in writes if written in swapped and lifetime)
    for price in tiered:
        below: Decimal | None = None
        for _, stated in groupby(sorted(tiers[price]), key=itemgetter(0)):
            values = list(stated)
            if below is not None:
                wrong.update(i for _, i, value in values if value < below)
            highest = max(value for _, _, value in values)
            below = highest if below is None else max(below, highest)
    return wrong


def _statements(identity: Identity, batches: Iterable[SourceDrafts]) -> Iterator[Statement]:
    """Each draft in force as identity.Statement, its route resolved once per name the source
    writes. A price scheduled after its page's date (catalog/schedule.py) states nothing of
    today: beside the current price of its field it read as one name's field at two values, and
    that field taught identity nothing (a fault round: Azure's announced price for a global
    deployment left the global scope without its official price, and LiteLLM's unscoped one
    became a field of its own)."""
    for batch in batches:
        source = batch.source
        routes: dict[str, tuple[str, bool]] = {}
        for page, d in batch.drafts:
            if d.effective_from is not None and d.effective_from > page.observed_at.date():
                continue
            resolved = routes.get(d.route)
            if resolved is None:
                route = identity.route(d.route)
                resolved = routes[d.route] = (route, source.is_official(route))
            yield (source.id, resolved[1], resolved[0], d.source_model, d.measure, d.value)


def named_models(
    batch: SourceDrafts, identity: Identity, *, unread: bool = False
) -> set[tuple[str, str]]:
    """(route, model) of each known model the batch's records read with a problem name
    (`SourceDrafts.named`; `unread`: those records nothing could be read from name), resolved as
    `observations` resolves a draft's route and model name. A name that maps to no known model
    is left out: an unmapped name lists no model."""
    found: set[tuple[str, str]] = set()
    for route, source_model in batch.unread if unread else batch.named:
        model = identity.model(source_model)
        if model is not None:
            found.add((identity.route(route), model))
    return found


class _Naming:
    """How identity names a source's drafts (`observations`): a draft's route, canonical model
    (None: a name that maps to no known model) and dimensions.

    Identity is resolved once per (route, model name) the source writes, not once per value:
    the route, the canonical model and whether the source is official for that route. Only a
    secondary's statement that names no deployment scope, of a (route, model) whose official
    prices state scopes, is looked up value by value (catalog.identity.OfficialScopes)."""

    def __init__(self, source: Source, identity: Identity) -> None:
        self._source = source
        self._identity = identity
        self._scopes = identity.scopes
        standing = identity.scopes.standing
        self._scoped = {
            (route, model)
            for scopes in (identity.scopes, standing)
            if scopes is not None
            for route, model, _ in scopes.prices
        }
        self._named: dict[tuple[str, str], tuple[str, str | None, bool]] = {}

    def __call__(self, draft: Draft) -> tuple[str, str | None, Dims]:
        stated = (draft.route, draft.source_model)
        found = self._named.get(stated)
        if found is None:
            route = self._identity.route(draft.route)
            model = self._identity.model(draft.source_model)
            # a secondary's statement of a model priced by scope may get its official scope
            found = self._named[stated] = (
                route,
                model,
                (route, model) in self._scoped and not self._source.is_official(route),
            )
        route, model, secondary = found
        dimensions = draft.dimensions
        if secondary and model is not None and _SCOPE not in dimensions:
            deployment = self._scopes.scope(route, model, draft.measure, draft.value)
            if deployment:
                dimensions = Dims.of({**dimensions, **deployment})
        return route, model, dimensions


def observations(batch: SourceDrafts, identity: Identity) -> list[Observation]:
    """Drafts with identity and provenance (named by `_Naming`); a value stated twice
    identically is kept once, as the record first by (record id, evidence) states it: which
    record an item quotes does not depend on the order the source lists them in."""
    source = batch.source
    name = _Naming(source, identity)
    seen: dict[tuple[object, ...], int] = {}  # each statement's index in `out`
    out: list[Observation] = []
    for page, draft in batch.drafts:
        route, model, dimensions = name(draft)
        key = (
            route,
            model or draft.source_model,
            draft.kind,
            draft.component,
            draft.unit,
            dimensions.key,
            draft.value,
            # a scheduled statement is not the current one, even at the same value
            draft.effective_from is not None and draft.effective_from > page.observed_at.date(),
        )
        held = seen.get(key)
        if held is not None and (draft.record, draft.evidence) >= (
            out[held].record,
            out[held].evidence,
        ):
            continue
        observation = make_observation(  # Observation(source=..., ...) positionally: ~4x cheaper
            source.id,
            route,
            model,
            draft.source_model,
            draft.kind,
            draft.component,
            draft.unit,
            dimensions,
            draft.value,
            page.observed_at,
            page.url,
            page.landing_url,
            draft.evidence,
            draft.record,
            draft.effective_from,
        )
        if held is None:
            seen[key] = len(out)
            out.append(observation)
        else:
            out[held] = observation
    return out


_SCOPE = Dim.SCOPE.value
_PRICE = Kind.PRICE
_INPUT = Component.INPUT
_CACHE_READ = Component.CACHE_READ
_CACHE_WRITE = Component.CACHE_WRITE
_ABOVE = Dim.CONTEXT_ABOVE.value
_TTL = Dim.CACHE_TTL.value


def naming_digest(batch: SourceDrafts, identity: Identity) -> str:
    """sha256 (hex) of how `identity` names the batch's statements (`observations`): each
    (route, model name) the source writes with the route and model it resolves to, each
    statement given a deployment scope with that scope, and the models its problem records name
    (`named_models`). Equal digests of the same drafts in two runs: every statement is named
    alike in both, so an unchanged source's last statements stand for what reading it would
    state (flows/refresh.py; a source's names can map otherwise when another source's statements
    make a model known or a dated id priced apart)."""
    name = _Naming(batch.source, identity)
    told: set[tuple[str, ...]] = set()
    for _, draft in batch.drafts:
        route, model, dimensions = name(draft)
        stated = (draft.route, draft.source_model, route, model or "")
        if dimensions is draft.dimensions:
            told.add(stated)
        else:
            measure = (draft.kind, draft.component, draft.unit, draft.dimensions.key)
            told.add((*stated, *measure, str(draft.value), dimensions.key))
    told.update(("named", route, model) for route, model in named_models(batch, identity))
    digest = hashlib.sha256()
    for entry in sorted(told):
        digest.update("\x1f".join(entry).encode())
        digest.update(b"\0")
    return digest.hexdigest()
