"""The cost calculator: what a workload costs on one route, from the catalog's prices as of a date.

Pure: `estimate(values, workload)` reads only the published values it is given (catalog/reader.py)
and computes in Decimal. Every price it uses is named with its verification; a price the
catalog does not hold makes it refuse, naming the component. It never assumes 0.

Rules, from what the sources state:

- Token prices are USD per 1M tokens; a line costs tokens × price / 1,000,000.
- `input_tokens` is the whole prompt. `cached_tokens` (cache reads) and `cache_write_tokens` are
  the parts of it read from or written to the prompt cache (OpenAI's and Anthropic's usage
  reports split a prompt the same way); the rest is billed at the input price.
- Context tiers: a price stated for prompts above N tokens (`context_above=N`) applies to the whole
  request once its prompt is longer than N (as Anthropic's and Google's pages state); the highest
  such N below the prompt size is the request's tier, and every token price the request needs
  must then be stated for that tier.
- Cache writes are priced by lifetime (`cache_ttl`, 5m or 1h); reads by lifetime where a route
  states it so.
- Service tier (standard, batch, flex, priority) selects the prices stated for that tier.
- Deployment: a price stated for a scope or region applies only to that scope or region; an
  unstated scope means the route's global deployment (Azure's list price), falling back to
  prices stated with no scope. A scope or region the workload states must be the price's own:
  a price stated for no deployment is not used for one. Of the prices that apply, the most
  specific is used.
- Variant (`variant`: OpenRouter's `:free` models, Azure's fine-tuned and grader meters, ...): a
  price stated for a variant applies only to a workload naming it, and a workload naming one
  uses only that variant's prices.
- Images: QUALITY × SIZE × count, at the per-image price; where a route states only a per-pixel
  price (Azure), the per-image price is derived as per-pixel price × width × height and marked
  derived.
- Per day: per request × requests per day. Per month: per day × 30.4375 (365.25 / 12).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, datetime
from decimal import ROUND_HALF_EVEN, Decimal, Inexact, localcontext

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_serializer,
    field_validator,
)

from catalog.reader import PublishedValue, read_when
from catalog.views import ScheduledStatement
from schemas.records import decimal_text
from schemas.vocab import DIMENSION_VALUES, Component, Dim, Kind, Unit, unit_label

DAYS_PER_MONTH = Decimal("30.4375")
# The largest count a workload states (tokens, images, requests a day): far beyond any real
# workload, and small enough that every amount is computed exactly (see `estimate`).
MAX_COUNT = 10**12
EXACT = 100  # significant digits for the arithmetic: bounded counts × catalog prices fit
PER_1M = Decimal(1_000_000)
SELECTORS = (Dim.SCOPE, Dim.REGION, Dim.VARIANT, Dim.TIME_OF_DAY)
DEFAULT_SCOPE = "global"
_SIZE = re.compile(r"^(\d{1,6})x(\d{1,6})$")


class CostError(ValueError):
    """The calculator cannot price the workload: names the component and the rule."""

    def __init__(self, component: str, message: str) -> None:
        super().__init__(f"{component}: {message}")
        self.component = component
        self.rule = message


class ImageCount(BaseModel):
    """`count` generated images of one quality and size (e.g. medium, 1024x1024)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    quality: str = Field(min_length=1)
    size: str
    count: int = Field(ge=1, le=MAX_COUNT)

    @field_validator("quality")
    @classmethod
    def _lower(cls, quality: str) -> str:
        return quality.strip().lower()

    @field_validator("size")
    @classmethod
    def _size(cls, size: str) -> str:
        size = size.strip().lower()
        found = _SIZE.match(size)
        if not found or not int(found[1]) or not int(found[2]):  # 0x0 is no image
            raise ValueError(f"size {size!r}: use WIDTHxHEIGHT, e.g. 1024x1024")
        return size

    @classmethod
    def parse(cls, text: str) -> ImageCount:
        """'QUALITY:SIZE:N', e.g. 'medium:1024x1024:2'. Raises ValueError naming the text."""
        parts = text.split(":")
        if len(parts) != 3 or not re.fullmatch(r"[0-9]{1,13}", parts[2].strip()):
            raise ValueError(f"{text!r}: use QUALITY:SIZE:N, e.g. medium:1024x1024:1")
        return cls(quality=parts[0], size=parts[1], count=int(parts[2]))


def _listed(dim: Dim) -> str:
    """A dimension's values as a refusal names them: 'data_zone, global, regional' (a Python
    list's repr, "['data_zone', 'global', 'regional']", read as code, not as a rule)."""
    return ", ".join(sorted(DIMENSION_VALUES[dim]))


class Workload(BaseModel):
    """One request's usage, and how many such requests a day."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    input_tokens: int = Field(ge=0, le=MAX_COUNT)
    output_tokens: int = Field(ge=0, le=MAX_COUNT)
    cached_tokens: int = Field(default=0, ge=0, le=MAX_COUNT)
    cache_write_tokens: int = Field(default=0, ge=0, le=MAX_COUNT)
    cache_ttl: str | None = None
    images: tuple[ImageCount, ...] = ()
    requests_per_day: int | None = Field(default=None, ge=0, le=MAX_COUNT)
    service_tier: str = "standard"
    scope: str | None = None
    region: str | None = None
    variant: str | None = None

    @field_validator("cached_tokens", "cache_write_tokens")
    @classmethod
    def _part_of_prompt(cls, tokens: int, info: ValidationInfo) -> int:
        """Cached and cache-write tokens are parts of the prompt: together at most
        --input-tokens (checked as each is read, so the error names the option that overflows)."""
        prompt = info.data.get("input_tokens")
        parts = tokens + info.data.get("cached_tokens", 0)
        if prompt is not None and parts > prompt:
            cached = info.data.get("cached_tokens", tokens)
            write = tokens if info.field_name == "cache_write_tokens" else 0
            raise ValueError(
                f"cached ({cached}) and cache-write ({write}) tokens are parts of the prompt "
                f"and exceed --input-tokens ({prompt})"
            )
        return tokens

    @field_validator("cache_ttl")
    @classmethod
    def _ttl(cls, ttl: str | None) -> str | None:
        if ttl is not None and ttl not in DIMENSION_VALUES[Dim.CACHE_TTL]:
            raise ValueError(f"cache TTL {ttl!r}: one of {_listed(Dim.CACHE_TTL)}")
        return ttl

    @field_validator("service_tier")
    @classmethod
    def _tier(cls, tier: str) -> str:
        if tier not in DIMENSION_VALUES[Dim.SERVICE_TIER]:
            raise ValueError(f"service tier {tier!r}: one of {_listed(Dim.SERVICE_TIER)}")
        return tier

    @field_validator("scope")
    @classmethod
    def _scope(cls, scope: str | None) -> str | None:
        if scope is not None and scope not in DIMENSION_VALUES[Dim.SCOPE]:
            raise ValueError(f"scope {scope!r}: one of {_listed(Dim.SCOPE)}")
        return scope

    @field_validator("variant")
    @classmethod
    def _variant(cls, variant: str | None) -> str | None:
        """A variant as the catalog's dimensions hold it: 1 to 100 printable characters, no ';'
        or '=' (they separate a dimensions key's parts)."""
        if variant is not None and not (
            0 < len(variant) <= 100 and variant.isprintable() and not set(variant) & {";", "="}
        ):
            raise ValueError(
                f"variant {variant!r}: 1 to 100 printable characters without ';' or '=', e.g. free"
            )
        return variant

    @field_validator("region")
    @classmethod
    def _region(cls, region: str | None, info: ValidationInfo) -> str | None:
        """A region belongs to a regional or data-zone deployment, or to a meter that states a
        region and no scope (Azure prices phi-3-medium-4k-instruct so): with no scope it asks
        for the region's prices whatever their scope. With the global scope it would be ignored
        (the global deployment has none), so that is refused, and so is a region that is no
        name: empty, blank, or holding ';', '=' or unprintable characters (the dimensions key's
        separators), as a variant is."""
        if region is not None and not (
            region.strip() == region
            and 0 < len(region) <= 100
            and region.isprintable()
            and not set(region) & {";", "="}
        ):
            raise ValueError(
                f"region {region!r}: 1 to 100 printable characters without spaces at either end, "
                "';' or '=', e.g. eastus2"
            )
        if region is not None and info.data.get("scope") == DEFAULT_SCOPE:
            raise ValueError(
                f"region {region!r}: a {DEFAULT_SCOPE} deployment has none; state --scope "
                "data_zone or regional with it"
            )
        return region

    @classmethod
    def from_options(
        cls,
        *,
        input_tokens: int,
        output_tokens: int,
        cached_tokens: int = 0,
        cache_write_tokens: int = 0,
        cache_ttl: str | None = None,
        images: Iterable[str] = (),
        requests_per_day: int | None = None,
        service_tier: str = "standard",
        scope: str | None = None,
        region: str | None = None,
        variant: str | None = None,
    ) -> Workload:
        """The workload a `ratecard cost` command or a `/api/cost` query states, images as
        'QUALITY:SIZE:N' texts. Raises pydantic's ValidationError (a ValueError) naming the
        option a value breaks, or ValueError for an image text that is not QUALITY:SIZE:N."""
        return cls(
            input_tokens=input_tokens,
            output_tokens=output_tokens,
            cached_tokens=cached_tokens,
            cache_write_tokens=cache_write_tokens,
            cache_ttl=cache_ttl,
            images=tuple(ImageCount.parse(text) for text in images),
            requests_per_day=requests_per_day,
            service_tier=service_tier,
            scope=scope,
            region=region,
            variant=variant,
        )

    def uncached_tokens(self) -> int:
        """The prompt tokens billed at the input price: the prompt less its cached and
        cache-write parts (never negative: the parts are checked against the prompt)."""
        return self.input_tokens - self.cached_tokens - self.cache_write_tokens


def workload_error(exc: ValidationError) -> tuple[str, str]:
    """What a Workload refused, from its first error: the field ('input_tokens', 'images', …)
    and the rule ('Input should be less than or equal to 1000000000000')."""
    first = exc.errors()[0]
    where = str(first["loc"][0]) if first["loc"] else "workload"
    rule = str(first["msg"]).removeprefix("Value error, ")
    if exc.title == ImageCount.__name__:  # an --images text: name the option, and its part
        return "images", f"the image {where}: {rule}" if where == "count" else rule
    return where, rule


class CostLine(BaseModel):
    """One price the estimate used: quantity × price = amount (USD), and where the price is from.

    `derived` says how a price was computed from a stated one (e.g. per-pixel × pixels)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    component: str
    dimensions: dict[str, str]
    quantity: Decimal
    unit: str
    price: Decimal
    amount: Decimal
    provenance: str
    verified: bool
    verified_at: datetime | None
    verified_by: str | None
    stated_by: list[str]
    value_id: int
    derived: str | None = None

    @field_serializer("quantity", "price", "amount")
    def _exact(self, value: Decimal) -> str:
        return decimal_text(value)

    def label(self) -> str:
        """The line's component with its dimensions, for people: `input [modality=audio]`."""
        dims = ", ".join(f"{k}={v}" for k, v in sorted(self.dimensions.items()))
        return f"{self.component} [{dims}]" if dims else self.component


class CostEstimate(BaseModel):
    """What a workload costs on (route, model) as of `as_of`: per request, per day and per
    month (30.4375 days) in USD, with every price used."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    route: str
    model: str
    as_of: datetime
    workload: Workload
    lines: list[CostLine]
    per_request: Decimal
    per_day: Decimal | None
    per_month: Decimal | None
    days_per_month: Decimal = DAYS_PER_MONTH
    # What a reader of the estimate should know besides: a limit of the model the request
    # exceeds (`beyond_limits`: the amounts price the tokens as stated all the same), and, as
    # the CLI and /api/cost add them, each open `missing` item on the model.
    notes: list[str] = Field(default_factory=list)

    @field_serializer("per_request", "per_day", "per_month", "days_per_month")
    def _exact(self, value: Decimal | None) -> str | None:
        return None if value is None else decimal_text(value)

    @property
    def all_verified(self) -> bool:
        """Whether every price the estimate used was verified by an official source."""
        return all(line.verified for line in self.lines)


def estimate(
    values: Sequence[PublishedValue],
    workload: Workload,
    *,
    route: str,
    model: str,
    at: datetime | None = None,
) -> CostEstimate:
    """Price `workload` on (route, model) from `values` (that route and model's published
    values as of one time, `at`: None is now; from catalog.reader.published_values).

    Returns a CostEstimate (USD, Decimal), every amount exact. Raises CostError naming the
    component when a needed price is not in `values` (and the date the catalog was read at),
    or when the workload is inconsistent.
    """
    with localcontext(prec=EXACT) as exact:
        exact.clear_flags()
        result = _estimate(values, workload, route=route, model=model, at=at)
        if exact.flags[Inexact]:
            raise CostError(
                "workload", f"amounts beyond {EXACT} significant digits cannot be stated exactly"
            )
    return result


def unknown_target(
    route: str, model: str, routes: Sequence[str], at: datetime | None = None
) -> CostError | None:
    """What is unknown when the catalog read at `at` (None: now) holds nothing for
    `route`/`model`: the model, when no route sells it (`routes`, the routes with a value of it
    in force, is empty), else the route, naming the routes that do sell it; None when `route`
    is among them."""
    when = read_when(at)
    if not routes:
        return CostError("model", f"{model!r}: no route sells it in the catalog {when}")
    if route not in routes:
        return CostError(
            "route",
            f"{route!r} does not sell {model} in the catalog {when}; "
            f"routes that do: {', '.join(sorted(routes))}",
        )
    return None


def _estimate(
    values: Sequence[PublishedValue],
    workload: Workload,
    *,
    route: str,
    model: str,
    at: datetime | None,
) -> CostEstimate:
    prices = [
        v
        for v in values
        if v.value.kind == Kind.PRICE and (v.value.route, v.value.model) == (route, model)
    ]
    if not prices:
        raise CostError("route", f"the catalog holds no price for {route}/{model} {read_when(at)}")
    uncached = workload.uncached_tokens()
    tier = _context_tier(prices, workload)
    lines: list[CostLine] = []
    ttl = {Dim.CACHE_TTL.value: workload.cache_ttl} if workload.cache_ttl else {}
    token_parts: list[tuple[Component, int, list[dict[str, str]]]] = [
        (Component.INPUT, uncached, [{}]),
        (Component.CACHE_READ, workload.cached_tokens, [{}, ttl] if ttl else [{}]),
        (Component.CACHE_WRITE, workload.cache_write_tokens, [ttl]),
        (Component.OUTPUT, workload.output_tokens, [{}]),
    ]
    for component, tokens, alternatives in token_parts:
        if tokens == 0:
            continue
        chosen = None
        tried: list[str] = []
        # A deployment or variant asked for (`_deployment`) is the price's dimension: "without
        # dimensions (region=eastus2)" read as lacking the bare price the hint then lists.
        deployment = _deployment(workload)
        for extra in alternatives:
            wanted = _base_dims(workload, tier) | extra
            tried.append(_describe(wanted) or ("" if deployment else " without dimensions"))
            chosen = choose_price(prices, component, Unit.PER_1M_TOKENS, wanted, workload)
            if chosen is not None:
                break
        if chosen is None:
            raise CostError(
                component.value,
                f"no price per 1M text tokens{' or'.join(t for t in tried if t)}{deployment} for "
                f"{route}/{model} in the catalog as of {_day(values)}; ratecard does not assume 0"
                f"{_stated(prices, component)}",
            )
        quantity = Decimal(tokens)
        lines.append(
            _line(chosen, quantity, chosen.value.value, quantity * chosen.value.value / PER_1M)
        )
    for image in workload.images:
        lines.append(_image_line(prices, image, workload, route, model, _day(values)))
    per_request = sum((line.amount for line in lines), Decimal(0))
    per_day = (
        per_request * workload.requests_per_day if workload.requests_per_day is not None else None
    )
    return CostEstimate(
        route=route,
        model=model,
        as_of=prices[0].as_of,
        workload=workload,
        lines=lines,
        per_request=per_request,
        per_day=per_day,
        per_month=per_day * DAYS_PER_MONTH if per_day is not None else None,
        notes=beyond_limits(values, workload, route=route, model=model),
    )


def scheduled_notes(
    lines: Sequence[CostLine], scheduled: Sequence[ScheduledStatement], at: datetime | None
) -> list[str]:
    """A note for each price a source scheduled from a later date than its response's
    (`scheduled`: catalog/queries.py `scheduled_statements`) for a field an estimate priced
    (`lines`): on or before the day priced (`at`; None: today) it is in effect and not the
    catalog's price (a fault round: `cost --at` a day after Azure's new price took effect
    quoted the old one with no word of it); after it, it is to come; one stated after the day
    priced is left out. The catalog holds a scheduled price once a refresh reads it in force
    and a reviewer accepts it."""
    day = (at or datetime.now(UTC)).date()
    notes: list[str] = []
    for line in lines:
        for s in scheduled:
            if (s.kind, s.component.value, s.unit.value, dict(s.dimensions)) != (
                Kind.PRICE,
                line.component,
                line.unit,
                line.dimensions,
            ):
                continue
            if s.observed_at is not None and s.observed_at[:10] > day.isoformat():
                continue  # stated after the day priced: nothing anyone had said by then
            stated = f"{line.label()}: {s.source} states {s.value} {unit_label(line.unit)}"
            when = s.effective_from.isoformat()
            if s.effective_from <= day:
                notes.append(
                    f"{stated} from {when}, in effect on the day priced; the catalog's price "
                    f"{decimal_text(line.price)} is used until a refresh reads it in force"
                )
            else:
                notes.append(f"{stated} from {when} (scheduled)")
    return notes


# The limits a workload's one request is checked against: (limit, what of the request it
# bounds, the request's tokens it counts).
_LIMITS: tuple[tuple[Component, str, Callable[[Workload], int]], ...] = (
    (
        Component.CONTEXT_WINDOW,
        "a request (prompt and output)",
        lambda w: w.input_tokens + w.output_tokens,
    ),
    (Component.MAX_INPUT_TOKENS, "the prompt", lambda w: w.input_tokens),
    (Component.MAX_OUTPUT_TOKENS, "the output", lambda w: w.output_tokens),
)


def beyond_limits(
    values: Sequence[PublishedValue], workload: Workload, *, route: str, model: str
) -> list[str]:
    """What the workload's one request exceeds of the catalog's limits of (route, model) (its
    context window, most input or output tokens, in tokens; each chosen as a price is, by the
    workload's deployment, and by its service tier where one is stated for it), one note each,
    e.g. 'a request (prompt and output) of 5000100 tokens is longer than the context window,
    1047576 tokens (verified 2026-08-19 by openrouter)'. Empty where the catalog states no such
    limit, or two apply equally. Fault round 32 (D9): a prompt of 5M tokens was priced with no
    word of gpt-4.1's 1M-token window."""
    limits = [
        v
        for v in values
        if v.value.kind == Kind.LIMIT and (v.value.route, v.value.model) == (route, model)
    ]
    notes: list[str] = []
    # a limit stated for the workload's service tier, else the model's limit stated for none
    tiers = [_base_dims(workload, None), {}] if workload.service_tier != "standard" else [{}]
    for component, part, tokens in _LIMITS:
        try:
            limit = next(
                (
                    found
                    for wanted in tiers
                    if (found := choose_price(limits, component, Unit.TOKENS, wanted, workload))
                ),
                None,
            )
        except CostError:
            continue
        counted = tokens(workload)
        if limit is not None and counted > limit.value.value:
            named = component.value.replace("_", " ")
            notes.append(
                f"{part} of {counted} tokens is longer than the {named}, "
                f"{decimal_text(limit.value.value)} tokens ({limit.provenance()})"
            )
    return notes


def _day(values: Sequence[PublishedValue]) -> str:
    return values[0].as_of.date().isoformat() if values else "that date"


def _deployment(workload: Workload) -> str:
    """' (scope=data_zone, region=eastus2)': the deployment a workload states, if any."""
    stated = {"scope": workload.scope, "region": workload.region, "variant": workload.variant}
    shown = ", ".join(f"{k}={v}" for k, v in stated.items() if v)
    return f" ({shown})" if shown else ""


def _stated(prices: Sequence[PublishedValue], component: Component) -> str:
    """What the catalog does state per 1M text tokens for `component` (the dimensions a workload
    option selects: --cache-ttl, --service-tier...), as a hint after a refusal: ' (it states
    input [service_tier=batch]; input without dimensions)'; '' if nothing."""
    held = sorted(
        {
            f"{component.value}{_describe(p.value.dimensions) or ' without dimensions'}"
            for p in prices
            if p.value.component == component and p.value.unit == Unit.PER_1M_TOKENS
        }
    )
    return f" (it states {'; '.join(held)})" if held else ""


def _describe(dims: Mapping[str, str]) -> str:
    shown = ", ".join(f"{k}={v}" for k, v in sorted(dims.items()))
    return f" [{shown}]" if shown else ""


def _base_dims(workload: Workload, tier: int | None) -> dict[str, str]:
    dims: dict[str, str] = {}
    if workload.service_tier != "standard":
        dims[Dim.SERVICE_TIER.value] = workload.service_tier
    if tier is not None:
        dims[Dim.CONTEXT_ABOVE.value] = str(tier)
    return dims


def _context_tier(prices: Sequence[PublishedValue], workload: Workload) -> int | None:
    """The highest context threshold the route states below the prompt's size, if any."""
    thresholds = {
        int(t)
        for p in prices
        if (t := p.value.dimensions.get(Dim.CONTEXT_ABOVE.value, "")).isdigit()
        and p.value.unit == Unit.PER_1M_TOKENS
    }
    below = [t for t in thresholds if t < workload.input_tokens]
    return max(below) if below else None


def _selector_match(dims: Mapping[str, str], workload: Workload) -> int | None:
    """How many selectors of a price the workload matches; None if one differs, or if the
    workload states one (--scope, --region, --variant) the price does not: a price stated for no
    deployment is not known to be that deployment's (the fallback is for a workload that names
    none). A region asked with no scope matches the region's prices whatever their scope (a
    meter of a region and no scope is reached so; fault round 34: Azure's phi-3 meters could
    not be quoted at all)."""
    any_scope = workload.scope is None and workload.region is not None
    stated = {
        Dim.SCOPE.value: workload.scope or DEFAULT_SCOPE,
        Dim.REGION.value: workload.region,
        Dim.VARIANT.value: workload.variant,
    }
    asked = {
        Dim.SCOPE.value: workload.scope,
        Dim.REGION.value: workload.region,
        Dim.VARIANT.value: workload.variant,
    }
    matched = 0
    for selector in SELECTORS:
        value = dims.get(selector.value)
        if value is None:
            if asked.get(selector.value) is not None:
                return None
            continue
        if any_scope and selector is Dim.SCOPE:
            continue
        if stated.get(selector.value) != value:
            return None
        matched += 1
    return matched


def choose_price(
    prices: Sequence[PublishedValue],
    component: Component,
    unit: Unit,
    wanted: dict[str, str],
    workload: Workload,
) -> PublishedValue | None:
    """The most specific price of `component` in `unit` whose non-selector dimensions are
    exactly `wanted` and whose selectors the workload matches. Raises CostError when two equally
    specific prices apply."""
    selector_names = {s.value for s in SELECTORS}
    ranked: list[tuple[int, PublishedValue]] = []
    for p in prices:
        v = p.value
        if v.component != component or v.unit != unit:
            continue
        rest = {k: x for k, x in v.dimensions.items() if k not in selector_names}
        if rest != wanted:
            continue
        score = _selector_match(v.dimensions, workload)
        if score is not None:
            ranked.append((score, p))
    if not ranked:
        return None
    ranked.sort(key=lambda pair: pair[0], reverse=True)
    if len(ranked) > 1 and ranked[0][0] == ranked[1][0]:
        both = " and ".join(_describe(p.value.dimensions).strip() or "[]" for _, p in ranked[:2])
        raise CostError(
            component.value,
            f"two prices apply equally ({both}); state --scope or --region to choose",
        )
    return ranked[0][1]


def _line(
    chosen: PublishedValue,
    quantity: Decimal,
    price: Decimal,
    amount: Decimal,
    derived: str | None = None,
) -> CostLine:
    v = chosen.value
    return CostLine(
        component=v.component.value,
        dimensions=v.dimensions,
        quantity=quantity,
        unit=Unit.PER_IMAGE.value if derived else v.unit.value,
        price=price,
        amount=amount,
        provenance=chosen.provenance(),
        verified=chosen.verified,
        verified_at=chosen.verified_at,
        verified_by=chosen.verified_by,
        stated_by=sorted({s.source for s in chosen.stated_by} | {v.accepted_source}),
        value_id=v.id,
        derived=derived,
    )


def _image_line(
    prices: Sequence[PublishedValue],
    image: ImageCount,
    workload: Workload,
    route: str,
    model: str,
    day: str,
) -> CostLine:
    wanted = _base_dims(workload, None) | {
        Dim.MODALITY.value: "image",
        Dim.QUALITY.value: image.quality,
        Dim.SIZE.value: image.size,
    }
    count = Decimal(image.count)
    per_image = choose_price(prices, Component.OUTPUT, Unit.PER_IMAGE, wanted, workload)
    if per_image is not None:
        price = per_image.value.value
        return _line(per_image, count, price, count * price)
    per_pixel = choose_price(prices, Component.OUTPUT, Unit.PER_PIXEL, wanted, workload)
    if per_pixel is None:
        raise CostError(
            "output",
            f"no price per image or per pixel{_describe(wanted)} for {route}/{model} in the "
            f"catalog as of {day}; ratecard does not assume 0",
        )
    price = derive_per_image(per_pixel.value.value, image.size)
    rule = f"derived: {decimal_text(per_pixel.value.value)} per pixel × {image.size} pixels"
    return _line(per_pixel, count, price, count * price, derived=rule)


def derive_per_image(per_pixel: Decimal, size: str) -> Decimal:
    """A per-image price from a per-pixel one: per-pixel × width × height (size 'WxH'), kept to
    one significant digit fewer than the per-pixel price states: that price's last digit is
    rounded (sources divide a per-image price by the pixels), so the product's is noise.
    3.1575520833e-08 × 1536 × 1024 is 0.049664, not 0.049663999999475712."""
    match = _SIZE.match(size)
    if not match:
        raise ValueError(f"size {size!r}: use WIDTHxHEIGHT, e.g. 1024x1024")
    digits = len(per_pixel.normalize().as_tuple().digits)
    with localcontext(prec=max(digits - 1, 1), rounding=ROUND_HALF_EVEN):
        product = +(per_pixel * int(match[1]) * int(match[2]))
    return product.normalize()
