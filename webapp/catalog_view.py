"""What the model pages and the index show, assembled from catalog/reader.py: plain dicts for the
templates (server-rendered pages and `ratecard publish`'s static files alike).

A model page: category, modalities, limits, the ten capability flags each with its sources
(unknown shown as unknown), a route ladder (per route the headline token prices and the
per-image grid, each price with its verification; Azure-style per-pixel prices turned per image
and marked derived), values proposed but not accepted yet (pending), the cheapest route for a
stated workload, facts with their denominators, and the price history as SVG (pygal).
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from pydantic import ValidationError
from sqlalchemy import Connection

from catalog import reader
from catalog.cost import (
    CostError,
    ImageCount,
    Workload,
    choose_price,
    derive_per_image,
    estimate,
    workload_error,
)
from catalog.filters import check_catalog_name, check_known
from catalog.queries import search_key
from catalog.reader import ModelSummary, PublishedValue
from schemas.capabilities import Flag, flags_answered, modalities_stated
from schemas.records import CatalogValue, decimal_text
from schemas.vocab import Component, Dim, Kind, Unit

FLAGS = tuple(flag.value for flag in Flag)  # the ten flags `show` answers too
LADDER: tuple[tuple[str, Component, dict[str, str]], ...] = (
    ("input", Component.INPUT, {}),
    ("cached input", Component.CACHE_READ, {}),
    ("cache write", Component.CACHE_WRITE, {}),
    ("cache write 5m", Component.CACHE_WRITE, {Dim.CACHE_TTL.value: "5m"}),
    ("cache write 1h", Component.CACHE_WRITE, {Dim.CACHE_TTL.value: "1h"}),
    ("output", Component.OUTPUT, {}),
    ("image input", Component.INPUT, {Dim.MODALITY.value: "image"}),
    ("image output", Component.OUTPUT, {Dim.MODALITY.value: "image"}),
    ("batch input", Component.INPUT, {Dim.SERVICE_TIER.value: "batch"}),
    ("batch output", Component.OUTPUT, {Dim.SERVICE_TIER.value: "batch"}),
)
LIMITS = (Component.CONTEXT_WINDOW, Component.MAX_INPUT_TOKENS, Component.MAX_OUTPUT_TOKENS)
QUALITY_ORDER = ("low", "medium", "high", "standard", "hd")
DEFAULT_WORKLOAD = {"input_tokens": 3000, "output_tokens": 400}
IMAGE_WORKLOAD = {"input_tokens": 100, "output_tokens": 0, "images": "medium:1024x1024:1"}
STANDARD = Workload(input_tokens=0, output_tokens=0)


def cell(
    p: PublishedValue, price: Decimal | None = None, derived: str | None = None
) -> dict[str, Any]:
    """One price as a page shows it: value, unit, provenance, and how it was derived."""
    return {
        "value": decimal_text(price if price is not None else p.value.value),
        "unit": Unit.PER_IMAGE.value if derived else p.value.unit.value,
        "verified": p.verified,
        "provenance": p.provenance(),
        "derived": derived,
        "dimensions": p.value.dimensions,
    }


def ladder(prices: list[PublishedValue]) -> list[dict[str, Any]]:
    """The route ladder's rows for one route's prices: per LADDER entry (input, cached input,
    cache writes, output, image and batch tokens) its label and the standard-tier price per 1M
    tokens as a `cell`, or None where the route states none or no one price."""
    rows = []
    for label, component, dims in LADDER:
        try:
            chosen = choose_price(prices, component, Unit.PER_1M_TOKENS, dims, STANDARD)
        except CostError:
            chosen = None
        rows.append({"label": label, "cell": cell(chosen) if chosen else None})
    return rows


def image_grid(prices: list[PublishedValue]) -> dict[str, Any] | None:
    """Per-image prices by quality (rows) and size (columns); per-pixel ones derived."""
    pairs = {
        (p.value.dimensions[Dim.QUALITY.value], p.value.dimensions[Dim.SIZE.value])
        for p in prices
        if p.value.unit in (Unit.PER_IMAGE, Unit.PER_PIXEL)
        and p.value.component == Component.OUTPUT
        and Dim.QUALITY.value in p.value.dimensions
        and Dim.SIZE.value in p.value.dimensions
        and Dim.SERVICE_TIER.value not in p.value.dimensions
    }
    if not pairs:
        return None
    qualities = sorted(
        {q for q, _ in pairs},
        key=lambda q: (QUALITY_ORDER.index(q) if q in QUALITY_ORDER else 99, q),
    )
    sizes = sorted({s for _, s in pairs}, key=_pixels)
    cells: dict[str, dict[str, Any] | None] = {}
    for quality in qualities:
        for size in sizes:
            wanted = {Dim.MODALITY.value: "image", Dim.QUALITY.value: quality, Dim.SIZE.value: size}
            cells[f"{quality}|{size}"] = _image_cell(prices, wanted, size)
    return {"qualities": qualities, "sizes": sizes, "cells": cells}


def _image_cell(
    prices: list[PublishedValue], wanted: dict[str, str], size: str
) -> dict[str, Any] | None:
    try:
        per_image = choose_price(prices, Component.OUTPUT, Unit.PER_IMAGE, wanted, STANDARD)
        if per_image is not None:
            return cell(per_image)
        per_pixel = choose_price(prices, Component.OUTPUT, Unit.PER_PIXEL, wanted, STANDARD)
    except CostError:
        return None
    if per_pixel is None:
        return None
    price = derive_per_image(per_pixel.value.value, size)
    return cell(per_pixel, price, f"derived from {decimal_text(per_pixel.value.value)} per pixel")


def _pixels(size: str) -> tuple[int, str]:
    match = re.match(r"^(\d+)x(\d+)$", size)
    return (int(match[1]) * int(match[2]) if match else 0, size)


def _flags_of(p: PublishedValue) -> set[str]:
    """The flags a capability value in force answers: its raw name and the flags the capability
    vocabulary reads it as (schemas/capabilities.py: OpenRouter's `input_image` is vision)."""
    if p.value.kind != Kind.CAPABILITY or p.value.component != Component.SUPPORTS:
        return set()
    raw = p.value.dimensions.get(Dim.CAPABILITY.value, "")
    return flags_answered(raw)


def capabilities(by_route: dict[str, list[PublishedValue]]) -> list[dict[str, Any]]:
    """The ten flags: per flag, per route 'yes'/'no' with sources, or unknown."""
    rows = []
    for flag in FLAGS:
        per_route = {}
        for route, values in by_route.items():
            stated = [p for p in values if flag in _flags_of(p)]
            if stated:
                p = stated[0]
                per_route[route] = {
                    "state": "yes" if p.value.value == 1 else "no",
                    "provenance": p.provenance(),
                }
        rows.append({"flag": flag, "routes": per_route})
    return rows


def modalities(by_route: dict[str, list[PublishedValue]]) -> dict[str, list[dict[str, Any]]]:
    """The modalities each route's values in force say the model takes and gives, read by the
    capability vocabulary as `show` reads sources' statements (schemas/capabilities.py): a
    capability whose raw name means one (vision: image in), a positive price of a modality's
    tokens or of images out. {"input"|"output": [{"modality", "routes"}]}, sorted."""
    found: dict[str, dict[str, set[str]]] = {"in": defaultdict(set), "out": defaultdict(set)}
    for route, values in by_route.items():
        for p in values:
            for side, modality in modalities_stated(p.value):
                found[side][modality.value].add(route)
    return {
        label: [{"modality": m, "routes": sorted(r)} for m, r in sorted(found[side].items())]
        for label, side in (("input", "in"), ("output", "out"))
    }


def limits(by_route: dict[str, list[PublishedValue]]) -> list[dict[str, Any]]:
    """The token limits (context window, max input, max output) each route states without
    dimensions other than scope: one row per limit stated anywhere, `{"limit", "routes": {route:
    cell}}`."""
    rows = []
    for component in LIMITS:
        per_route = {}
        for route, values in by_route.items():
            stated = [
                p
                for p in values
                if p.value.kind == Kind.LIMIT
                and p.value.component == component
                and not set(p.value.dimensions) - {Dim.SCOPE.value}
            ]
            if stated:
                per_route[route] = cell(stated[0])
        if per_route:
            rows.append({"limit": component.value, "routes": per_route})
    return rows


def categories(values: list[PublishedValue]) -> list[str]:
    """The modes (chat, embedding, image_generation...) the values state, sorted, each once."""
    return sorted(
        {
            p.value.dimensions.get(Dim.MODE.value, "")
            for p in values
            if p.value.component == Component.MODE and p.value.value == 1
        }
        - {""}
    )


def cheapest(
    by_route: dict[str, list[PublishedValue]], model: str, workload: Workload, at: datetime
) -> dict[str, Any]:
    """Every route's cost of `workload` in the catalog read at `at`: the routes whose every
    price used is verified first, cheapest first, then the others (a price only a secondary
    source states is no ranking's winner); routes that refuse say why."""
    priced: list[dict[str, Any]] = []
    refused: list[dict[str, str]] = []
    for route, values in by_route.items():
        try:
            result = estimate(values, workload, route=route, model=model, at=at)
        except CostError as exc:
            refused.append({"route": route, "reason": str(exc)})
            continue
        priced.append(
            {
                "route": route,
                "per_request": result.per_request,
                "text": decimal_text(result.per_request),
                "verified": result.all_verified,
                "lines": [
                    {"label": line.label(), "provenance": line.provenance, "derived": line.derived}
                    for line in result.lines
                ],
            }
        )
    priced.sort(key=lambda r: (not r["verified"], r["per_request"]))
    return {"priced": priced, "refused": refused}


class Peers:
    """The model summaries (reader.model_summaries) as `facts` compares a model with its peers:
    each category's member models, their lowest text input prices and how many advertise each
    flag, worked out once per category however many pages ask (a published site asks for every
    model's; rebuilt for each page, that was quadratic in the models)."""

    def __init__(self, summaries: Sequence[ModelSummary]) -> None:
        self._by_model: dict[str, list[ModelSummary]] = defaultdict(list)
        for s in summaries:
            self._by_model[s.model].append(s)
        self._members: dict[str, dict[str, list[ModelSummary]]] = {}
        self._priced: dict[tuple[str, bool], dict[str, Decimal]] = {}
        self._advertising: dict[tuple[str, str], int] = {}

    def members(self, category: str) -> dict[str, list[ModelSummary]]:
        """Each model with `category` among its modes on some route: its summaries."""
        if category not in self._members:
            self._members[category] = {
                m: rows
                for m, rows in self._by_model.items()
                if any(category in r.modes for r in rows)
            }
        return self._members[category]

    def priced(self, category: str, verified_only: bool) -> dict[str, Decimal]:
        """Each member of `category` with a text input price (USD per 1M tokens; verified ones
        only when `verified_only`): its lowest on any route."""
        key = (category, verified_only)
        if key not in self._priced:
            self._priced[key] = {
                m: p
                for m, rows in self.members(category).items()
                if (p := cheapest_input(rows, verified_only)) is not None
            }
        return self._priced[key]

    def advertising(self, category: str, flag: str) -> int:
        """How many members of `category` advertise `flag` on some route."""
        key = (category, flag)
        if key not in self._advertising:
            members = self.members(category).values()
            self._advertising[key] = sum(
                1 for rows in members if any(r.flags.get(flag) for r in rows)
            )
        return self._advertising[key]


def cheapest_input(rows: Sequence[ModelSummary], verified_only: bool) -> Decimal | None:
    """The lowest text input price (USD per 1M tokens) of a model's `rows` (verified ones only
    when `verified_only`), None when none is priced."""
    found = [
        r.input_price
        for r in rows
        if r.input_price is not None and (r.input_verified or not verified_only)
    ]
    return min(found) if found else None


def facts(peers: Peers, model: str, category: str, verified_only: bool) -> list[str]:
    """'cheaper than X% of priced <category> models' and 'only X% of <category> models
    advertise <flag>', each with its denominator and which prices it counts."""
    members = peers.members(category)
    if model not in members:
        return []
    prices_said = "verified prices only" if verified_only else "all prices, verified or not"
    out = []
    mine = cheapest_input(members[model], verified_only)
    priced = peers.priced(category, verified_only)
    if mine is not None and len(priced) > 1:
        others = [p for m, p in priced.items() if m != model]
        share = 100 * sum(1 for p in others if p > mine) / len(others)
        out.append(
            f"Cheaper than {share:.0f}% of priced {category} models: its lowest text input price "
            f"({decimal_text(mine)} USD per 1M tokens, any route) against the lowest of each of "
            f"{len(others)} other {category} models with one ({prices_said})."
        )
    for flag in FLAGS:
        if not any(r.flags.get(flag) for r in members[model]):
            continue
        advertising = peers.advertising(category, flag)
        share = 100 * advertising / len(members)
        out.append(
            f"{share:.0f}% of {category} models advertise {flag.replace('_', ' ')} "
            f"({advertising} of {len(members)} models with mode {category} on any route; a model "
            "no source states it for counts as not advertising it)."
        )
    return out


def model_view(
    conn: Connection,
    model: str,
    at: datetime,
    *,
    input_tokens: int | str | None = None,
    output_tokens: int | str | None = None,
    images: str = "",
    verified_only: bool = False,
    peers: Peers | None = None,
    values: list[PublishedValue] | None = None,
    pending: dict[tuple[str, str], list[dict[str, Any]]] | None = None,
    histories: dict[str, list[CatalogValue]] | None = None,
) -> dict[str, Any] | None:
    """Everything the page of `model` shows, as of `at`; None when no route sells it.
    When rendering many pages, `peers` (of reader.model_summaries at `at`), `values` (the
    model's reader.published_values at `at`) and `pending` (reader.pending: every open item),
    each read for every model at once, may be passed, and `histories` (`route_histories`),
    which each route's price history read here is kept in for the page's charts. The token
    counts may be the form's text ('' for the default): one the Workload refuses is the page's
    `workload_error`."""
    if values is None:
        values = reader.published_values(conn, at, model=model)
    if not values:
        return None
    by_route: dict[str, list[PublishedValue]] = defaultdict(list)
    for p in values:
        by_route[p.value.route].append(p)
    category = categories(values)
    routes: list[dict[str, Any]] = []
    if pending is None:
        pending = reader.pending(conn, model)
    for route, route_values in sorted(by_route.items()):
        prices = [p for p in route_values if p.value.kind == Kind.PRICE]
        routes.append(
            {
                "route": route,
                "ladder": ladder(prices),
                "grid": image_grid(prices),
                "pending": pending.get((route, model), []),
                "verified_prices": sum(1 for p in prices if p.verified),
                "prices": len(prices),
            }
        )
    defaults = IMAGE_WORKLOAD if "image_generation" in category else DEFAULT_WORKLOAD
    form = {
        "input_tokens": defaults["input_tokens"] if input_tokens in (None, "") else input_tokens,
        "output_tokens": defaults["output_tokens"]
        if output_tokens in (None, "")
        else output_tokens,
        "images": images or str(defaults.get("images", "")),
    }
    error = None
    try:
        workload = Workload(
            input_tokens=form["input_tokens"],
            output_tokens=form["output_tokens"],
            images=tuple(ImageCount.parse(t) for t in str(form["images"]).split(",") if t.strip()),
        )
        ranking = cheapest(by_route, model, workload, at)
    except ValidationError as exc:  # a count out of range: the field and its rule, one line
        field, rule = workload_error(exc)
        error, ranking = f"{field}: {rule}", {"priced": [], "refused": []}
    except ValueError as exc:  # an images text of no QUALITY:SIZE:N shape
        error, ranking = str(exc), {"priced": [], "refused": []}
    if peers is None:
        peers = Peers(reader.model_summaries(conn, at))
    return {
        "model": model,
        "as_of": at.date().isoformat(),
        "categories": category,
        "modalities": modalities(by_route),
        "limits": limits(by_route),
        "capabilities": capabilities(by_route),
        "routes": routes,
        "route_names": [r["route"] for r in routes],
        "ladder_rows": [
            i for i in range(len(LADDER)) if any(r["ladder"][i]["cell"] for r in routes)
        ],
        "workload": form,
        "workload_error": error,
        "cheapest": ranking,
        "facts": [f for c in category for f in facts(peers, model, c, verified_only)],
        "history": [
            c
            for c in HISTORY_COMPONENTS
            if any(
                price_history(held, c)
                for held in route_histories(conn, model, [r["route"] for r in routes], histories)
            )
        ],
    }


# The prices a model page charts over time (`price_history_svg`), in the page's order.
HISTORY_COMPONENTS = ("input", "output")


def route_histories(
    conn: Connection,
    model: str,
    routes: Sequence[str],
    held: dict[str, list[CatalogValue]] | None = None,
    components: Sequence[str] = HISTORY_COMPONENTS,
) -> list[list[CatalogValue]]:
    """Each of `routes`' price history of `model` (reader.price_histories of `components`:
    every such price it has had, oldest first), in the order of `routes`; read once into
    `held` when it is given, and taken from it after (a published page and its two charts read
    each route's history once: `held` is one set of `components`' histories)."""
    held = {} if held is None else held
    if unread := [route for route in routes if route not in held]:
        held.update(reader.price_histories(conn, model, unread, components))
    return [held[route] for route in routes]


def index_rows(
    conn: Connection,
    at: datetime,
    *,
    q: str = "",
    category: str = "",
    capability: str = "",
    route: str = "",
    verified_only: bool = False,
    summaries: list[ModelSummary] | None = None,
) -> dict[str, Any]:
    """The index: one row per model (its routes, categories, lowest text input price), filtered
    by a search text, category (mode), capability, route and verified prices only. `summaries`
    (reader.model_summaries at `at`) may be passed when the caller has read them already.

    Raises UnknownFilter for a category or route no model in force at `at` has, or a
    capability that is not one of FLAGS (catalog/filters.py: never an empty list)."""
    if summaries is None:
        summaries = reader.model_summaries(conn, at)
    all_categories = sorted({m for s in summaries for m in s.modes})
    all_routes = sorted({s.route for s in summaries})
    day = at.date().isoformat()
    check_known("category", category, all_categories, f"no model in force on {day} has it")
    check_known("capability", capability, FLAGS, "not a capability the index filters by")
    why = f"no model in force on {day} is sold there"
    check_catalog_name(conn, "route", route, all_routes, why)
    by_model: dict[str, list[ModelSummary]] = defaultdict(list)
    for s in summaries:
        if verified_only and not s.verified_prices:
            continue
        by_model[s.model].append(s)
    needle = search_key(q)
    rows = []
    for model, summaries in sorted(by_model.items()):
        if needle and needle not in search_key(model):
            continue
        if route and route not in {s.route for s in summaries}:
            continue
        modes = sorted({m for s in summaries for m in s.modes})
        if category and category not in modes:
            continue
        if capability and not any(s.flags.get(capability) for s in summaries):
            continue
        inputs = [
            (s.input_price, s.route, s.input_verified)
            for s in summaries
            if s.input_price is not None and (s.input_verified or not verified_only)
        ]
        lowest = min(inputs) if inputs else None
        rows.append(
            {
                "model": model,
                "routes": sorted(s.route for s in summaries),
                "categories": modes,
                "lowest_input": decimal_text(lowest[0]) if lowest else None,
                "lowest_route": lowest[1] if lowest else None,
                "lowest_verified": lowest[2] if lowest else False,
            }
        )
    return {
        "rows": rows,
        "total": len(by_model),
        "categories": all_categories,
        "routes": all_routes,
        "flags": FLAGS,
        "as_of": at.date().isoformat(),
    }


def price_history(history: list[Any], component: str) -> list[Any]:
    """The values of `history` that are `component`'s text price per 1M tokens (no dimension but
    scope), in the order given."""
    return [
        v
        for v in history
        if v.kind == Kind.PRICE
        and v.component.value == component
        and v.unit == Unit.PER_1M_TOKENS
        and set(v.dimensions) <= {Dim.SCOPE.value}
    ]


def price_history_svg(conn: Connection, model: str, component: str) -> str | None:
    """The text `component` price per 1M tokens of `model` over time, one line per route, each
    point at the date the value took effect (and where it ended). SVG text, no scripts."""
    return price_history_svgs(conn, model, (component,)).get(component)


def price_history_svgs(
    conn: Connection,
    model: str,
    components: Sequence[str] = HISTORY_COMPONENTS,
    histories: dict[str, list[CatalogValue]] | None = None,
    routes: Sequence[str] | None = None,
) -> dict[str, str]:
    """`price_history_svg` of each of `components` (HISTORY_COMPONENTS) that has a history, by
    component: one line for each of `routes` (default: the routes that sell `model` now; a
    published page passes its own), each route's history read once (kept in `histories`, see
    `route_histories`)."""
    if routes is None:
        routes = sorted({r for r, _ in reader.models(conn, reader.as_of(None), model=model)})
    held = route_histories(conn, model, routes, histories, components)
    charts = {}
    for component in components:
        svg = _history_chart(model, component, dict(zip(routes, held, strict=True)))
        if svg is not None:
            charts[component] = svg
    return charts


def _history_chart(
    model: str, component: str, histories: dict[str, list[CatalogValue]]
) -> str | None:
    """The chart of `price_history_svg` from each route's history (`route_histories`), None
    where no route has a value of the price."""
    import pygal

    series: dict[str, list[tuple[datetime, float]]] = {}
    for route, held in histories.items():
        points: list[tuple[datetime, float]] = []
        for v in price_history(held, component):
            # pygal plots floats; the figures shown on the page stay Decimal
            points.append((v.valid_from, float(v.value)))
            if v.valid_to is not None:
                points.append((v.valid_to, float(v.value)))
        if points:
            series[route] = sorted(points)
    if not series:
        return None
    chart = pygal.DateTimeLine(
        js=[],
        disable_xml_declaration=True,
        title=f"{model}: {component} USD per 1M tokens, by route and effective date",
        x_value_formatter=lambda d: d.strftime("%Y-%m-%d"),
        width=800,
        height=320,
        show_dots=True,
    )
    for route, points in series.items():
        chart.add(route, points)
    return _settled(str(chart.render(is_unicode=True)))


# What pygal writes into every chart that is not the chart: its inline script (a config for
# tooltips, written even with `js=[]`), the "Generated with pygal ... on DATE" comment, and a
# random id (uuid4) its style sheet and script select by.
_CHART_SCRIPT = re.compile(r"<script\b[^>]*>.*?</script>", re.S)
_CHART_GENERATED = re.compile(r"<!--Generated with pygal[^>]*-->")
_CHART_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def _settled(svg: str) -> str:
    """A pygal chart without its script or generation date, its random id replaced by one
    derived from what it draws: the same history draws the same bytes on every day and run (a
    published site re-published rewrote every chart), and no chart carries a script (the site
    has none: its pages open from a folder)."""
    svg = _CHART_GENERATED.sub("", _CHART_SCRIPT.sub("", svg))
    random_id = _CHART_ID.search(svg)
    if random_id is None:
        return svg
    drawn = hashlib.sha256(svg.replace(random_id.group(), "").encode()).hexdigest()
    stable = f"{drawn[:8]}-{drawn[8:12]}-{drawn[12:16]}-{drawn[16:20]}-{drawn[20:32]}"
    return svg.replace(random_id.group(), stable)
