"""What every source parser provides, and the helpers they share.

A source module (spiders/<source>.py) has two pure functions:

- ``parse(body: bytes, url: str) -> Page``: the response body into raw records (plain dicts, as
  the source wrote them) and the URLs of further pages to fetch. Raises ``Unparsable`` when the
  body is not what the source sends (not JSON, wrong envelope...).
- ``normalize(record: dict) -> Normalized``: one raw record into drafts in the vocabulary of
  schemas/vocab.py, money as Decimal in the canonical unit, collected by spiders/_drafts.py's
  DraftCollector (one duplicate rule for every source). A field it cannot read is quarantined
  alone (``Normalized.problems``: record, field, rule) and the record's other fields are kept;
  ``Uninterpretable`` is raised only when nothing of the record can be read (no model id, not an
  entry). It never guesses; the refresh reports both with the record's id.

and may have a third:

- ``names(record: dict) -> list[tuple[str, str]]``: the (route, model name) pairs a raw record
  names, as ``normalize`` would write them on its drafts, read before anything that can fail
  (empty for a record that names no model: a price bucket, a meter that is not a usage price).
  catalog/normalize.py asks it only of a record read with a problem, so that a model the source
  listed stays listed when its values cannot be read; a record it raises on, or of a source
  without it, names no model.

and a fourth:

- ``link_pages(pages: list[list[Any]]) -> list[list[Any]]``: the raw records of every page of
  one crawl of the source (in the order the pages were read), each page's records again,
  marked with what only the pages together say (Azure: a meter whose volume tiers a later
  page continues). catalog/normalize.py passes a source's pages through it before
  ``normalize``; it is pure and adds to records only what ``parse`` adds to one page's.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_EVEN, Context, Decimal, InvalidOperation
from functools import lru_cache
from typing import Any, NamedTuple

from schemas.fetch import FIRST_PRICED, Uninterpretable, Unparsable
from schemas.vocab import ROUTER_MODELS

MILLION = Decimal(1_000_000)
DOUBLE_DIGITS = 15  # DBL_DIG: every decimal of up to 15 significant digits survives a double
_DOUBLE = Context(prec=DOUBLE_DIGITS, rounding=ROUND_HALF_EVEN)
NOT_WHOLE_LIMIT = "limit is not a whole number"  # a count of tokens or requests
# Every number a source states (prices per token or per pixel near 10^-9, limits near 10^7) lies
# far inside 10^±MAX_EXPONENT; Decimal's default context overflows near 10^999999.
MAX_EXPONENT = 30
# A double prints at most 17 significant digits, Python's Decimal context 28: a number written
# with more is no number a source computed (a million digits of 1s is not float noise).
MAX_DIGITS = 40
OUT_OF_RANGE = "number out of range"
# A number written as text: what JSON writes as a number (ASCII digits, an optional sign,
# decimal point and exponent), spaces around it allowed. Decimal() alone also reads digit
# separators ("1_000") and other scripts' digits ("٣"): no source writes a price so, and
# reading one would guess.
NUMERIC_TEXT = re.compile(r"\s*[-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?\s*")


# What json.loads raises on a body that is not JSON text: bad bytes, bad syntax, and nesting
# deeper than the decoder's recursion limit (`[[[[...` a million deep).
JSON_ERRORS = (UnicodeDecodeError, json.JSONDecodeError, RecursionError)


@dataclass
class Page:
    """What `parse` read of one response: its raw records, the further pages it names,
    `total`: the entries the source states its whole listing holds over every page of a chain
    (OpenRouter's `total_count`), where it states one (spiders/spider.py judges the chain), and
    `stated_dates`: the dates its records state of themselves (when a model was listed or its
    entry last updated: OpenRouter's `created`, models.dev's `last_updated`), each that reads as
    a date (`unix_date`, `calendar_date`), for a source whose records state one."""

    records: list[dict[str, Any]]
    next_urls: list[str] = field(default_factory=list)
    total: int | None = None
    stated_dates: list[datetime] = field(default_factory=list)


# The words of a key's name that say it states a price or a limit (snake_case or camelCase).
VALUE_WORDS = frozenset(
    {
        *("cost", "costs", "price", "prices", "pricing", "rate", "rates", "fee", "fees"),
        *("charge", "charges", "billing", "limit", "limits", "token", "tokens"),
        *("context", "window"),
    }
)
_WORD = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])")


def unknown_value_keys(
    record: dict[str, Any], known: frozenset[str], inner: frozenset[str] = frozenset()
) -> list[str]:
    """The keys of a model record (a dict as the source wrote it) beside those its parser reads
    or knows to leave (`known`) whose names say they state a price or a limit (a word of
    VALUE_WORDS: `pricing`, `Cost`, `limits`, `context_window`, `maxTokens`) and whose values
    could (`_could_state_a_value`), in name order: a key renamed under the parser (schema
    drift), whose values would otherwise go unread without a word. The parser quarantines each
    by name (UNKNOWN_KEY_RULE), so the record counts as read with a problem and the fields it
    no longer states stand as last stated (catalog/normalize.py `named_by`; a fault round:
    models.dev's `cost` renamed `pricing` on one model closed two open disagreements citing
    it, and Vercel's `pricing` renamed `prices` dropped nine official prices unreported).
    Whatever its name, so is a key holding an object that states, as a number, one of the keys
    the parser reads inside a price or limit object (`inner`: models.dev's `input`, OpenRouter's
    `prompt`): models.dev's `cost` renamed `usd`, a word that names no value, had dropped the
    model's prices without a word (a later fault round). So is one holding such an object deeper,
    in its objects and lists (`held_value_key`): models.dev's `cost` moved into the model's
    `provider` object, or Vercel's `pricing` into a list of endpoints (models.dev#3920: unknown
    nested keys stripped without a word), had dropped those prices unreported."""
    return sorted(
        key
        for key, value in record.items()
        if isinstance(key, str)
        and key not in known
        and (
            (_names_a_value(key) and _could_state_a_value(value))
            or held_value_key(value, inner.__contains__) is not None
        )
    )


# How deep `held_value_key` looks into an object or list: an entry's key, a list of endpoints,
# an endpoint, its price object.
NESTED_DEPTH = 4


def held_value_key(
    value: Any, reads: Callable[[str], bool], depth: int = NESTED_DEPTH
) -> str | None:
    """The first key inside `value` (an object, or a list, and the objects and lists within it,
    down to `depth` levels) that `reads` says its parser reads as a price or a limit and that
    states a number (or numeric text); None where there is none (or `value` is neither)."""
    if depth <= 0:
        return None
    if isinstance(value, dict):
        for key, stated in value.items():
            if isinstance(key, str) and reads(key) and _is_a_number(stated):
                return key
        within: Iterable[Any] = value.values()
    elif isinstance(value, list):
        within = value
    else:
        return None
    for item in within:
        if isinstance(item, dict | list) and (found := held_value_key(item, reads, depth - 1)):
            return found
    return None


def _is_a_number(value: Any) -> bool:
    """A JSON number (as load_json reads it: int or Decimal) or a numeric text; not a flag."""
    if isinstance(value, str):
        return NUMERIC_TEXT.fullmatch(value) is not None
    return isinstance(value, int | Decimal | float) and not isinstance(value, bool)


def _could_state_a_value(value: Any) -> bool:
    """Whether a key's value could be a price or a limit: a number, a numeric text, or an
    object or list that may hold them; not a flag, a null or words (a fault round's
    `"context_management": false` on every OpenRouter entry quarantined 1,221 keys)."""
    if isinstance(value, bool) or value is None:
        return False
    if isinstance(value, str):
        return NUMERIC_TEXT.fullmatch(value) is not None
    return True


@lru_cache(maxsize=4096)  # a listing's records share their keys (~15 each, ~5,000 records)
def _names_a_value(key: str) -> bool:
    """Whether a word of `key` is one of VALUE_WORDS."""
    return any(word.lower() in VALUE_WORDS for word in _WORD.findall(key))


def key_shown(key: str, value: Any) -> str:
    """`key=value` as the source wrote it (JSON, numbers as written), at most 160 characters:
    the detail of a key quarantined by name."""
    return f"{key}={json.dumps(value, default=str, ensure_ascii=False)}"[:160]


# A date a record states of itself after this is no model's (nor one before FIRST_PRICED): a
# count of milliseconds read as seconds, a year mistyped.
LAST_LISTED = datetime(2100, 1, 1, tzinfo=UTC)


def unix_date(stated: object) -> datetime | None:
    """A record's own date written as whole seconds since 1970 (a JSON integer, as OpenRouter's
    `created`; `load_json` reads it as a Decimal), UTC; None for anything else (text, a
    fraction, a boolean) or a date outside FIRST_PRICED..LAST_LISTED."""
    if isinstance(stated, bool) or not isinstance(stated, int | Decimal):
        return None
    if isinstance(stated, Decimal) and not (
        stated.is_finite() and stated == stated.to_integral_value()
    ):
        return None
    if not FIRST_PRICED.timestamp() <= stated < LAST_LISTED.timestamp():
        return None
    return datetime.fromtimestamp(int(stated), UTC)


def calendar_date(stated: object) -> datetime | None:
    """A record's own date written as ISO text, a day ("2026-06-12") or a month ("2026-06", read
    as its first day), as models.dev's `last_updated`: midnight UTC of that day; None for
    anything else or a date outside FIRST_PRICED..LAST_LISTED."""
    if not isinstance(stated, str) or len(stated) not in (7, 10):
        return None
    try:
        day = date.fromisoformat(stated if len(stated) == 10 else f"{stated}-01")
    except ValueError:
        return None
    at = datetime(day.year, day.month, day.day, tzinfo=UTC)
    return at if FIRST_PRICED <= at < LAST_LISTED else None


# A snapshot date a model's name ends with or holds: `gpt-5.5-2026-04-23`,
# `claude-opus-4-6-20260205`, `claude-sonnet-4-5@20250929` (not four digits alone: `-0613`,
# `-2503` name no year, or no day).
NAMED_DATE = re.compile(
    r"(?<![0-9])(20[0-9]{2})-?(0[1-9]|1[0-2])-?(0[1-9]|[12][0-9]|3[01])(?![0-9])"
)


def named_date(name: object) -> datetime | None:
    """The last snapshot date a model's name states (NAMED_DATE), midnight UTC: the day that
    version of the model was released, so no listing naming it is older. None for a name that
    states none, or a day that is no date or lies outside FIRST_PRICED..LAST_LISTED."""
    if not isinstance(name, str):
        return None
    found = None
    for match in NAMED_DATE.finditer(name):
        try:
            day = date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:
            continue
        found = datetime(day.year, day.month, day.day, tzinfo=UTC)
    return found if found is not None and FIRST_PRICED <= found < LAST_LISTED else None


# A listing of at least this many records that states a key for none of them lost the key.
LOST_AFTER = 25
LOST_KEY = "the listing states it for no model"


class LostKey(NamedTuple):
    """Put in each record of a listing in place of a key none of its records states
    (`mark_lost_keys`): `path` names the key (dotted), `records` counts the listing's records."""

    path: str
    records: int

    def detail(self) -> str:
        """The problem's detail: which key, and how many records state none of it."""
        return f"{self.path}: stated by none of the listing's {self.records} records"


def mark_lost_keys(records: Sequence[Any], paths: Iterable[tuple[str, ...]]) -> None:
    """Each key of `paths` (a path of object keys inside a record) that none of a listing's
    LOST_AFTER or more records states a value of, absent, null, 0 or an empty object in every
    one, is set in every record to a LostKey: the listing lost the key (renamed, or null
    written everywhere: a changed schema), not every model its limits, so each record's field
    is its problem (LOST_KEY) and stands as last stated, where one record's null or 0 states
    nothing of its model (a fault round: OpenRouter's `context_length`, Vercel's
    `context_window` and models.dev's `limit` so lost rewrote 116, 28 and 3,046 items for a
    day). A record, or an object on the path, that is no object is left as it is (its own
    problem)."""
    objects = [r for r in records if isinstance(r, dict)]
    if len(objects) < LOST_AFTER:
        return
    for path in paths:
        *holders, key = path
        if any(_stated_at(record, holders, key) for record in objects):
            continue
        for record in objects:
            holder: Any = record
            for name in holders:
                if holder.get(name) is None:
                    holder[name] = {}
                holder = holder[name]
                if not isinstance(holder, dict):
                    break
            else:
                holder[key] = LostKey(".".join(path), len(objects))


def _stated_at(record: dict[str, Any], holders: Sequence[str], key: str) -> bool:
    """Whether `record` states a value at `holders` + `key`: not absent, null, 0 or empty."""
    holder: Any = record
    for name in holders:
        holder = holder.get(name) if isinstance(holder, dict) else None
    if not isinstance(holder, dict):
        return False
    return holder.get(key) not in (None, 0, "0", {}, [])


class Repeated(tuple[Any, ...]):
    """The values a JSON object states under one key more than once, differently: JSON keeps
    only the last one, which would drop the others silently. Neither a number, a text nor an
    object, so whatever reads the key finds no value it can use and quarantines that field or
    record, with both values in its detail."""

    def __repr__(self) -> str:
        return f"repeated key with {len(self)} different values: {tuple(self)!r}"


def _trimmed(value: Any) -> Any:
    """A text value (or a list's text items) without the whitespace around it."""
    if type(value) is str:
        return value.strip()
    if type(value) is list:
        return [v.strip() if type(v) is str else v for v in value]
    return value


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    pairs = [(key.strip() or key, _trimmed(value)) for key, value in pairs]
    found: dict[str, Any] = dict(pairs)
    if len(found) == len(pairs):  # no key stated twice (nearly every object): built in C
        return found
    found = {}
    for key, value in pairs:
        if key not in found or found[key] == value:
            found[key] = value
        elif isinstance(found[key], Repeated):
            if value not in found[key]:
                found[key] = Repeated((*found[key], value))
        else:
            found[key] = Repeated((found[key], value))
    return found


def _json_number(text: str) -> Decimal:
    """A JSON number with a fraction or an exponent, as written; NaN (not a number: its field is
    quarantined alone) where the exponent is beyond any Decimal's (`1e9999999999999999999`), as
    `1e999999` is out of every range: one such number must not fail the whole body."""
    try:
        return Decimal(text)
    except InvalidOperation:
        return Decimal("NaN")


def load_json(body: bytes, what: str) -> Any:
    """JSON with every number as Decimal, exactly as written (never binary float); every key of
    an object, every text value, and every text item of a list an object holds, without the
    whitespace around it (sources have padded their words: Azure's API,
    infracost/cloud-pricing-api#105; "text " compared as written is no modality,
    "image_generation " no mode, and a key "mode " no mode either: LiteLLM's generated-image
    price read as an input price); a key an object states twice with different values (padded
    or not) holds them all (Repeated); a key of whitespace alone is kept as written (a model
    named so is its record's problem, shown as written). Unparsable when the body is not JSON
    (JSON_ERRORS); one that opens as markup (a sign-in or error page served with 200 at the
    JSON URL) is named an HTML page."""
    try:
        return json.loads(
            body, parse_float=_json_number, parse_int=Decimal, object_pairs_hook=_pairs
        )
    except JSON_ERRORS as exc:
        if _MARKUP.match(body):
            raise Unparsable(f"{what}: body is an HTML page, not JSON") from exc
        raise Unparsable(f"{what}: body is not JSON ({type(exc).__name__}: {exc})") from exc


# A body opening as markup, after any byte-order mark and whitespace: "<!DOCTYPE html", "<html"
_MARKUP = re.compile(rb"^(?:\xef\xbb\xbf)?\s*<(?:!doctype\s+html|html|head|body)\b", re.I)


ERROR_SHOWN = 200  # characters of a source's own error message a reason names, at most


def _named(doc: dict[str, Any], name: str) -> Any:
    """The value of `doc`'s key spelled `name` in any case (`error`, `Error`): the casing an
    API writes its error envelope in (OpenAI-style `error.message`, Azure-style
    `Error.Message`); None where there is none."""
    return next((value for key, value in doc.items() if key.lower() == name), None)


def stated_error(doc: Any) -> str:
    """The error a JSON envelope states in its `error` key (any case), as one bounded line (''
    when it states none: no key, null, false, an empty text or object). An object's `message`
    is the message (the `{"error": {"message", "code"?, "type"?}}` OpenRouter and Vercel
    answer), with its `code` before it where one is given; text is the message itself;
    anything else is shown as written. Every run of whitespace and control characters becomes
    one space; more than ERROR_SHOWN characters end in an ellipsis."""
    error = _named(doc, "error") if isinstance(doc, dict) else None
    if not error:
        return ""
    message = _named(error, "message") if isinstance(error, dict) else None
    if message:
        code = _named(error, "code")
        text = f"{code}: {message}" if code not in (None, "") else str(message)
    else:
        text = error if isinstance(error, str) else repr(error)
    line = " ".join("".join(c if c.isprintable() else " " for c in text).split())
    return line if len(line) <= ERROR_SHOWN else f"{line[: ERROR_SHOWN - 3]}..."


def refuse_an_answered_error(doc: Any, what: str, entries: str | None = "data") -> None:
    """Raise Unparsable naming the source's own error message (stated_error) when a listing
    envelope states an `error`: beside no entries under its key `entries` (missing, null, empty
    or no list; `entries=None` where the caller has found no entries its own way), the source
    answered an error, not an empty listing or another file; beside entries, it said its answer
    failed, so they are not its listing (a part of it, or what a cache or a retry left: read,
    every model missing from them would count absent and every price they state would be
    confirmed by an answer the source itself calls failed). Either reason says what the source
    said. An `error` stating nothing (null, false, '', {}) is no error."""
    error = stated_error(doc)
    if not error:
        return
    listed = doc.get(entries) if isinstance(doc, dict) and entries is not None else None
    if isinstance(listed, list) and listed:
        raise Unparsable(
            f"{what}: the source answered an error beside {len(listed)} entries, which are not "
            f"read as its listing: {error}"
        )
    raise Unparsable(f"{what}: the source answered an error, no entries: {error}")


def refuse_an_error_key(doc: Any, what: str, entries: int) -> None:
    """Raise Unparsable naming the source's own message when a body that is an object of
    entries keyed by name (LiteLLM's map, models.dev's providers, a Portkey file) holds, beside
    its `entries`, a key `error` (any case) whose value is an error envelope: a text, or an
    object with a `message`. The source said its answer failed (see
    `refuse_an_answered_error`): its entries are not read as its listing. A key `error`
    holding anything else (the shape of an entry) is read as the entry it is."""
    error = _named(doc, "error") if isinstance(doc, dict) else None
    envelope = isinstance(error, str) or (
        isinstance(error, dict) and isinstance(_named(error, "message"), str)
    )
    if envelope and (message := stated_error(doc)):
        raise Unparsable(
            f"{what}: the source answered an error beside {entries} entries, which are not "
            f"read as its listing: {message}"
        )


def without_float_noise(written: Decimal) -> Decimal:
    """The decimal a number written from a binary double stands for.

    Sources that compute prices in binary floating point write doubles' digits: Portkey's
    `0.00007499999999999999` cents (gpt-5.4-mini) is the double nearest 0.000075 printed with
    16 digits; `0.00005999999999999999` is 0.00006 two doubles off after arithmetic.

    The rule: a number written with more than 15 significant digits is rounded to 15
    significant digits (half-even; trailing zeros dropped). 15 is DBL_DIG, the most decimal
    digits a double carries faithfully, so digits beyond it in a number written from a double
    are the double's (and its arithmetic's) noise, not the source's statement; a printed double
    has at most 17. Every number written with up to 15 significant digits, every integer and
    zero is kept exactly as written: nothing else changes.

    Bound: the result differs from the written number by at most half a unit in its 15th
    significant digit (< 5e-15 relative); a double's noise of a few units in its last place
    (about 1e-16 relative each) is removed whenever it does not straddle a 15-digit half-way
    point. Apply it to the number in the unit the source wrote (cents for Portkey, USD per token
    for LiteLLM, a string for OpenRouter), before any scaling, so that the noise is removed in
    the digits it was written in.
    """
    _, digits, exponent = written.as_tuple()
    if not isinstance(exponent, int) or exponent >= 0 or len(digits) <= DOUBLE_DIGITS:
        return written
    return _DOUBLE.plus(written).normalize()


SINGLE_DIGITS = 6  # FLT_DIG: every decimal of up to 6 significant digits survives a float32
SINGLE_NOISE = Decimal("5e-8")  # below a float32's resolution (2^-24 = 6e-8 relative)
_SINGLE = Context(prec=SINGLE_DIGITS, rounding=ROUND_HALF_EVEN)


def without_single_precision_noise(written: Decimal) -> Decimal:
    """The decimal a number computed in single precision stands for, for sources shown to write
    such numbers (Portkey's deepinfra.json `0.00000799999993` cents for 0.000008; its
    openrouter.json `0.00001300000002`): apply after `without_float_noise`, only there.

    The rule: a number written with 8 or more significant digits that lies within 5e-8
    (relative) of its rounding to 6 significant digits (FLT_DIG, half-even) is that rounding.
    A float32 carries about 7 decimal digits (2^-24 = 6e-8 relative resolution), so digits
    that differ from a 6-digit decimal by less than that are its arithmetic's noise. Everything
    else (fewer than 8 digits, or farther from a 6-digit decimal: 0.000000159263611 per pixel)
    is kept exactly as written. Bound: the result differs from the written number by at most
    5e-8 relative.
    """
    digits = written.as_tuple().digits
    if not written.is_finite() or len(digits) < SINGLE_DIGITS + 2 or written == 0:
        return written
    short = _SINGLE.plus(written)
    if abs(short - written) > abs(written) * SINGLE_NOISE:
        return written
    return short.normalize()


_USD = frozenset({"usd", "us$", "$"})


def foreign_currency(prices: Any) -> str:
    """'' when an object of prices names no currency but the US dollar; else 'key=value' of
    the key that names another ("currency": "EUR", "currency_code": "CNY", or a value that is
    no currency's code; null names none). Every price recorded from the JSON sources is in US
    dollars; a key naming another currency qualifies every price beside it (a LiteLLM entry's,
    a Portkey config's, a Vercel or OpenRouter `pricing`, a models.dev `cost`), so those prices
    are their record's problem (NOT_USD_RULE), never read as dollars: no exchange rate is
    guessed."""
    if not isinstance(prices, dict) or _no_currency_key(prices):
        return ""
    for key, value in prices.items():
        if value is None:  # null states no currency (JSON's way to leave a key unset)
            continue
        if "currency" in str(key).casefold() and not (
            isinstance(value, str) and value.strip().casefold() in _USD
        ):
            return f"{key}={_shown(value)}"
    return ""


def _no_currency_key(group: dict[Any, Any]) -> bool:
    """No key of `group` has "currency" in it (casefolded), told by one search over its keys
    joined (nearly every object of prices or entries names none: ~10^5 of them a refresh).
    False when a key is no text (not from JSON), so that each key is read."""
    try:
        return "currency" not in "\x00".join(group).casefold()
    except TypeError:
        return False


CURRENCY_CODE = re.compile(r"[A-Za-z]{3}")  # ISO 4217's alphabetic codes: EUR, CNY


def enclosing_currency(group: Any) -> str:
    """`foreign_currency` of an object that holds entries rather than prices (a listing's
    envelope, a file or map of models, a provider of models): only its keys whose value is a
    text or a number count, since an entry under a name with "currency" in it is an entry. A
    currency named there qualifies every price of every entry within it."""
    if not isinstance(group, dict) or _no_currency_key(group):
        return ""
    return foreign_currency({k: v for k, v in group.items() if not isinstance(v, dict | list)})


def refuse_a_foreign_currency(doc: Any, what: str) -> None:
    """Raise Unparsable when a body's top object (an envelope, a file of models) names another
    currency than the US dollar (`enclosing_currency`), or, in an envelope (a top object that
    lists its entries: OpenRouter's and Vercel's `data`), an object beside the list names one
    by its code (a `meta` or `billing` block: `meta.currency=EUR`; fault round 42; a block's
    other words of currency, `currency_format: "symbol"`, `currency: ""`, name none). Every
    price in it is in that currency, and no exchange rate is guessed, so none is read (its URL
    fails, as an error body does)."""
    named = enclosing_currency(doc)
    if not named and isinstance(doc, dict) and any(isinstance(v, list) for v in doc.values()):
        named = next(
            (
                f"{key}.{name}={_shown(code)}"
                for key, block in doc.items()
                if isinstance(block, dict)
                for name, code in block.items()
                if "currency" in str(name).casefold()
                and isinstance(code, str)
                and CURRENCY_CODE.fullmatch(code.strip())
                and code.strip().casefold() not in _USD
            ),
            "",
        )
    if named:
        raise Unparsable(
            f"{what}: states its prices in another currency than the US dollar ({named}): "
            "none is read"
        )


def to_decimal(value: Any, record: str, name: str) -> Decimal:
    """A JSON number or numeric string as Decimal, float noise read away (without_float_noise).

    Raises Uninterpretable (rule "not a number") for anything else: bool, None, NaN, inf, and
    text that is not a number as JSON writes one (NUMERIC_TEXT: no "1,000", "1_000", "$1", "٣");
    and (rule OUT_OF_RANGE) for a non-zero number of magnitude 10^MAX_EXPONENT or more or under
    10^-MAX_EXPONENT (`1e-999999999` would round to a free price once scaled, `1e999999999`
    overflows the arithmetic that scales it: neither is a price, a limit or a flag), or written
    with more than MAX_DIGITS significant digits. Zero is returned as 0, whatever its sign or
    exponent ("-0.0", "0e-7").
    """
    if isinstance(value, bool) or value is None:
        raise Uninterpretable(record, "not a number", f"{name}={value!r}")
    if type(value) is Decimal:  # what parsing.load_json reads a JSON number as
        result = value
    elif isinstance(value, str) and NUMERIC_TEXT.fullmatch(value) is None:
        raise Uninterpretable(record, "not a number", f"{name}={_shown(value)}")
    else:
        try:
            result = Decimal(str(value).strip())
        except InvalidOperation as exc:
            raise Uninterpretable(record, "not a number", f"{name}={value!r}") from exc
    if not result.is_finite():
        raise Uninterpretable(record, "not a number", f"{name}={value!r}")
    if result.is_zero():
        return Decimal(0)
    if abs(result.adjusted()) >= MAX_EXPONENT:
        raise Uninterpretable(record, OUT_OF_RANGE, f"{name}={_shown(value)}")
    if len(str(result)) <= DOUBLE_DIGITS:  # no more characters, so no more digits, than that
        return result  # nearly every number: as below, without building its digit tuple
    digits = result.as_tuple().digits
    if len(digits) <= DOUBLE_DIGITS:  # nothing to check or read away (without_float_noise)
        return result
    significant = len(bytes(digits).rstrip(b"\0"))
    if significant > MAX_DIGITS:
        detail = f"{name}={_shown(value)}: {significant} significant digits"
        raise Uninterpretable(record, OUT_OF_RANGE, detail)
    return without_float_noise(result)


def without_exponent(value: Decimal) -> Decimal:
    """`value` (finite) written without a positive exponent (`1E+1` as 10), exactly, however
    many digits that takes. Decimal's default context holds 28 digits, fewer than a number
    `to_decimal` reads (below 10^MAX_EXPONENT) can have once scaled to its unit (x 10^6 for a
    price per token read per 1M tokens): quantized in it, a price written `1e25` per token
    raised InvalidOperation, and its whole record was set aside, its other fields with it
    (fault round 61), where the price alone is out of its unit's range (schemas/batch.py)."""
    _, digits, exponent = value.as_tuple()
    if not isinstance(exponent, int) or exponent <= 0:
        return value
    return value.quantize(Decimal(1), context=Context(prec=len(digits) + exponent))


def _shown(value: Any) -> str:
    """A stated value for a problem's detail, at most 80 characters of it."""
    text = repr(value)
    return text if len(text) <= 80 else f"{text[:77]}..."


def is_router_pseudo_model(route: str, vendor_model: str) -> bool:
    """Whether `vendor_model` (a `vendor/model` id, without any route prefix a source adds) is a
    router of gateway `route` (schemas/vocab.py ROUTER_MODELS): it has no price of its own."""
    return vendor_model in ROUTER_MODELS.get(route, frozenset())
