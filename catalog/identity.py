"""Identity: which canonical (route, model) a source's name refers to, and which deployment scope
an Azure price a secondary source states without one belongs to.

The alias tables live in data/aliases/*.json: ``{"routes": {source_route: route},
"models": {source_name: canonical_model}, "same_price": {vendor_route: [reseller routes]}}``
(a reseller passes the vendor's list prices through, so its price for the vendor's models must
match). An alias that maps a name to itself pins it as a model of its own (see snapshots below).

A name no alias names goes through general rules, most literal first, and the first form that
lands on a *known* model (one an alias, the catalog or an official source names) wins:

1. the general form: lowercase, last path segment, spaces to dashes (``Anthropic/Claude 3`` ->
   ``claude-3``);
2. without a Bedrock-style version suffix ``-v<N>:<M>`` (``…-20251001-v1:0``), then without
   vendor prefixes ``<vendor>.`` (``anthropic.claude-…``, ``meta.llama3-…``), never past a
   cross-region prefix (``us.``, ``global.``…: a scope, GEO_PREFIX);
3. for each form: a dated snapshot id (SNAPSHOT: ``-YYYYMMDD``, ``@YYYYMMDD``, ``-YYYY-MM-DD``,
   ``-MMDD`` with a real month and day) is its base model, unless the snapshot is *priced apart*;
4. separators and case: a form equal to exactly one known model once everything but letters and
   digits is dropped (``claude-3.5-haiku`` = ``claude-3-5-haiku``); two candidates = no match.

Snapshots priced apart. Whether a dated id of a known base is that model is decided from what
the sources state in the run (learn_official): a source prices a snapshot apart when, on one
route, it states a field (price, limit or flag) of the snapshot at a value other than the one it
states for the same field of the base model, or, for a field the base does not state, of another
snapshot of the same base. Recorded: OpenAI's page lists gpt-4o-2024-05-13 at $5 beside gpt-4o
at $2.50; Azure prices gpt-4o 0513/0806/1120 differently; OpenRouter prices deepseek-r1-0528
apart from deepseek-r1. So folding puts two values of one source on one field only where the
official source or the other sources side against it (below: its "stated twice"). A
secondary's price with no scope on a route that sources price by deployment scope (Azure) is
not compared: which deployment it is for is not known yet. Such a snapshot is a known model of
its own everywhere, with its base noted (`snapshot_of`); the others fold into their base, which
then carries their prices. What one source states is compared only with itself, so two sources
disagreeing never split a model. Nor does a secondary's statement of the base that the route's
official source contradicts while the source's own snapshot states the official's value: the
source contradicts itself and the official sides with its snapshot, so its base's field is read
at the official's value (a fault round: LiteLLM's `gpt-4.1-mini` cache read written as its input
price, beside OpenAI's, split `gpt-4.1-mini-2025-04-14` off on four routes, OpenAI's own
fine-tuning prices of it with them); the snapshot folds, and the source's two values of the
field are its problem ("stated twice"). A stale base the same way: Portkey's recorded
`gpt-4o-audio-preview` at its 2024-10-01 key's audio prices, where OpenAI's page and Portkey's
2024-12-17 key state $40/$80: 2024-12-17 and 2025-06-03 fold (Azure's gpt-4o-aud meters with
them) and 2024-10-01 is the one apart. The base is met under any spelling (squashed); two
official statements of one base count as the fields they agree on. A base field the official
contradicts that no snapshot of the source backs stays: the official page may be the one
misprinted, and one misprint must not remap a model on every route.
The sources vote, field by field on each route: a dated id is apart when the route's official
source prices it apart on a field, or, where no official source says either, when more sources
price it apart on the field than state it at their base's value. So one secondary's slip on a
dated key or its base (LiteLLM's gpt-4.1-mini-2025-04-14 cache read written as its input price;
Portkey's recorded gpt-4o-mini-audio-preview-2024-12-17 with audio input and output swapped) is
outvoted by another secondary that states the dated id as its base, and a source read alone
beside the official page still decides by itself. One against one folds: a wrong fold costs the
source that priced the id apart its statements of it ("stated twice", reported), while a wrong
split moves every source's statements of the id, the official's too. A source that states a
dated id exactly as its base on every field it states of it votes "its base" on the fields it
does not state too (recorded: Portkey's o1-2024-12-17 outvotes LiteLLM's, apart from o1 only by
a function-calling flag no other source states of both). Copies of one slip in two sources
outvote one source; the official source's word on any route settles it. Everything
the run states so far decides, whatever call of `learn_official` brought it (statements held
for an unread source, read, or behind a partial one).
A dated model the catalog already holds (`learn`) stays what it is, so a run in which the
official source is out decides nothing differently. One name means one model on every route.

Collisions: a name a rule maps onto a model (rules 2-4) stays unmapped when the same source
states another value for one of its fields, on the same route, under another name of that model
(e.g. modelsdev's `qwen25-vl-72b-instruct` beside its `qwen2.5-vl-72b-instruct`): a rule never
makes one source state two values for one field.

Bare versions: a general form that begins with a digit (Azure's ``Qwen models/32b``, whose
product alone told which model it meant; Portkey's ``70b``) names no model on its own. An official
source stating it does not make it known; only an alias names the model it means, and until one
does its values are unmapped (an item asks for the alias).

Unmapped names: a name that resolves to no known model is observed with model None. Its values
still pass every record-level check of the batch gate (schemas.batch.validate keys them by
``?<source name>``); the set-based checks of catalog.compare (same price, per-pixel consistency,
comparison with the catalog) need a model and see only mapped rows.

Azure deployment scopes (OfficialScopes): a secondary source's Azure price that names no deployment
scope (LiteLLM's bare ``azure/<model>`` keys, see spiders/litellm.py) is read as the scope whose
official Azure Retail Prices meter states the same value for the same model and field in the same
run, preferring global, then regional, then data zone, and as its region where one region's
meter alone states the value (so it confirms that meter's field, not a regional field of no
region); a value only a meter of a region and no scope states (Azure's Phi models) is that
region's. Measured on the recorded map and the
eastus2 meters (2026-07/08): 55 bare keys equal the Global meter, 8 equal only the Regional
(Standard) meter (o1-mini, gpt-4o-mini, gpt-4o-2024-11-20, gpt-4, gpt-4-32k, gpt-35-turbo-16k...),
whose price Azure sets equal to Data Zone (1.1x Global). A value no meter states keeps no scope: a
field of its own, never a false disagreement with the Global price.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from schemas.field import Dims, Measure
from schemas.vocab import Dim, Kind

ALIAS_DIR = Path(__file__).resolve().parent.parent / "data" / "aliases"

_SPACES = re.compile(r"\s+")
_DAY = r"(?:0[1-9]|1[0-2])-?(?:0[1-9]|[12]\d|3[01])"
SNAPSHOT = re.compile(rf"[-@_](?:(?:19|20)\d\d-?{_DAY}|{_DAY.replace('-?', '')})$")
VERSION_SUFFIX = re.compile(r"-v\d+:\d+$")
VENDOR_PREFIX = re.compile(r"^[a-z][a-z-]*\.(?=[a-z])")
# Bedrock's cross-region prefixes name a deployment scope, not a vendor: a parser that reads them
# makes them dimensions (spiders/litellm.py); left in a name they stop rule 2, so two scopes'
# prices never merge into one field.
GEO_PREFIX = re.compile(r"^(?:us|eu|apac|jp|au|ca|us-gov|global|regional)\.")
_NOT_ALNUM = re.compile(r"[^a-z0-9]")
SCOPE_PREFERENCE = ("global", "regional", "data_zone")
# OfficialScopes' scope of a meter that names a region and no scope, after every scope.
REGION_ONLY = ""
DEPLOYMENT_PREFERENCE = (*SCOPE_PREFERENCE, REGION_ONLY)

# Members read once: on Python 3.11 `Kind.PRICE` is a metaclass lookup, ~10x a global's cost,
# and these are asked per observation.
_PRICE = Kind.PRICE
_SCOPE = Dim.SCOPE.value
_REGION = Dim.REGION.value

# What one source states in a run: source, official for the route, route, name, field, value.
Statement = tuple[str, bool, str, str, Measure, Decimal]


def general_form(name: str) -> str:
    """The rule every name goes through: lowercase, last path segment, spaces to dashes."""
    base = name.strip().lower().rsplit("/", 1)[-1]
    return _SPACES.sub("-", base)


# Path steps every browser resolves in a web address ("/models/.." is "/", "%2E%2E" too): a
# model named so would have a page no link of the web app reaches.
PATH_STEPS = frozenset({".", ".."})


def names_a_path_step(name: str) -> bool:
    """Whether `name`'s general form, the model it would name, is "." or ".."."""
    return general_form(name) in PATH_STEPS


def snapshot_base(name: str) -> str | None:
    """The base of a dated snapshot id (``claude-3-haiku-20240307`` -> ``claude-3-haiku``)."""
    found = SNAPSHOT.search(name)
    return name[: found.start()] if found and found.start() > 0 else None


def squashed(name: str) -> str:
    """A name without case and separators: the key of rule 4."""
    return _NOT_ALNUM.sub("", name.lower())


def _forms(form: str) -> list[str]:
    """The general form, then without a version suffix, then without each vendor prefix."""
    forms = [form]
    bare = VERSION_SUFFIX.sub("", form)
    while True:
        if bare != forms[-1]:
            forms.append(bare)
        stripped = VENDOR_PREFIX.sub("", bare, count=1)
        if stripped == bare or GEO_PREFIX.match(bare):
            return forms
        bare = stripped


@dataclass
class OfficialScopes:
    """The deployments official sources price, by (route, model, field without scope and region):
    each meter's scope (REGION_ONLY for a meter of a region and no scope) and region."""

    prices: dict[tuple[str, str, Measure], dict[str, set[Decimal]]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(set))
    )
    # The regions whose meters state each (route, model, field without scope, scope, value);
    # None for a meter of no region.
    regions: dict[tuple[str, str, Measure, str, Decimal], set[str | None]] = field(
        default_factory=lambda: defaultdict(set)
    )
    # The catalog's values in force of the deployments of official routes, asked where no
    # official price of this run states a value (`scope`).
    standing: OfficialScopes | None = None

    def add(self, route: str, model: str, key: Measure, value: Decimal) -> None:
        """Record an official price of (route, model) for a field stated with a deployment (a
        scope, a region, or both): `value` (in the field's unit) under that scope (REGION_ONLY
        where the meter names a region alone) and its region, the field kept without scope and
        region. A field of no deployment is not recorded."""
        dims = dict(key.dims)
        scope = dims.pop(_SCOPE, None)
        region = dims.pop(_REGION, None)
        if scope is None and region is None:
            return
        deployment = REGION_ONLY if scope is None else scope
        unscoped = Measure(key.kind, key.component, key.unit, Dims.of(dims))
        self.prices[(route, model, unscoped)][deployment].add(value)
        self.regions[(route, model, unscoped, deployment, value)].add(region)

    def scope(self, route: str, model: str, key: Measure, value: Decimal) -> dict[str, str]:
        """The deployment whose official price equals `value` for this field, as dimensions: its
        scope, and its region where one region's meter alone states the value (a fault round:
        LiteLLM's bare price equal to Azure's eastus2 Regional meter was placed as a regional
        field of no region, a field of its own, proposed as new beside the meter's). Where the
        meters of two regions state the value (Azure's eastus2 and mexicocentral answers price
        most regional meters alike), the value is each one's: it confirms the first region's by
        name, a meter's own field (fault rounds 33 and 34: a regional field of no region, or an
        unscoped one, was a field no meter states, which `cost` quoted unverified and which
        would stay once the regions' prices part). A meter of the scope with no region is
        preferred to any region's. A meter of a region and no scope (Azure prices most Phi
        models so) is the last choice: the value is that region's field, with no scope (fault
        round 34: models.dev's phi-3-medium-4k-instruct 0.17 beside Azure's eastus2 meter
        stood as an unscoped field no meter states, which `cost` quoted unverified). Empty when
        no meter states the value.

        Where no official price of this run states it, the deployment whose value in force in
        the catalog does (`standing`): a meter repriced this run, the secondaries not yet, or
        stated only from a later date, still has its price in force until a review moves it
        (fault rounds 44 and 45: the lagging secondaries' bare price, equal to no meter, was
        proposed as a change of the route's own bare field, on the official route)."""
        stated = self.prices.get((route, model, key))
        scope = (
            next((s for s in DEPLOYMENT_PREFERENCE if value in stated.get(s, ())), None)
            if stated
            else None
        )
        if scope is None:
            if self.standing is None:
                return {}
            return self.standing.scope(route, model, key, value)
        regions = self.regions.get((route, model, key, scope, value), set())
        if scope == REGION_ONLY:
            return {_REGION: min(r for r in regions if r is not None)}
        if None in regions or not regions:
            return {_SCOPE: scope}
        return {_SCOPE: scope, _REGION: min(r for r in regions if r is not None)}


@dataclass
class Identity:
    """Which canonical route and model a source's names refer to: the alias tables
    (data/aliases/*.json: routes, models, same_price), the models known from the catalog and the
    official sources, the dated snapshots kept apart, the names left unmapped by a collision, and
    the deployment scopes official sources state."""

    routes: dict[str, str] = field(default_factory=dict)
    models: dict[str, str] = field(default_factory=dict)
    known: set[str] = field(default_factory=set)
    same_price: dict[str, tuple[str, ...]] = field(default_factory=dict)
    distinct: set[str] = field(default_factory=set)  # dated ids kept apart from their base
    blocked: set[str] = field(default_factory=set)  # names a rule would merge into a collision
    scopes: OfficialScopes = field(default_factory=OfficialScopes)
    scoped_routes: set[str] = field(default_factory=set)  # official prices there state a scope
    # The run's statements learned so far, by (source, official, route, name), and the dated
    # ids their votes keep apart.
    _said: dict[tuple[str, bool, str, str], dict[Measure, Decimal]] = field(
        default_factory=dict, repr=False
    )
    _voted: set[str] = field(default_factory=set, repr=False)
    _candidates: dict[str, str] = field(default_factory=dict, repr=False)
    _resolved: dict[str, str | None] = field(default_factory=dict, repr=False)
    _loose: dict[str, set[str]] | None = field(default=None, repr=False)

    @classmethod
    def load(cls, directory: Path = ALIAS_DIR) -> Identity:
        """The identity the alias tables in `directory` state (every *.json, in name order; a later
        table's entry wins): routes and model names lowercased, each aliased model known, an alias
        that maps a name to itself kept distinct. Raises OSError or json.JSONDecodeError for a table
        that cannot be read."""
        identity = cls()
        for path in sorted(directory.glob("*.json")):
            table = json.loads(path.read_text())
            identity.routes.update({k.lower(): v for k, v in table.get("routes", {}).items()})
            identity.models.update({k.lower(): v for k, v in table.get("models", {}).items()})
            identity.same_price.update(
                {k: tuple(v) for k, v in table.get("same_price", {}).items()}
            )
        identity.known.update(identity.models.values())
        identity.distinct.update(k for k, v in identity.models.items() if k == v)
        return identity

    def route(self, name: str) -> str:
        """The catalog's route for a source's route name (trimmed, lowercased): its alias, else the
        name itself."""
        key = name.strip().lower()
        return self.routes.get(key, key)

    def candidate(self, source_model: str) -> str:
        """The canonical name a source's name would have by alias or general form, known or not
        (no snapshot, prefix or separator rule applied)."""
        found = self._candidates.get(source_model)
        if found is None:
            key = source_model.strip().lower()
            form = general_form(key)
            found = self.models.get(key) or self.models.get(form, form)
            self._candidates[source_model] = found
        return found

    def _changed(self) -> None:
        self._resolved.clear()
        self._loose = None

    def learn(self, models: Iterable[str]) -> None:
        """Count these canonical models as known, each as itself (the catalog's models): a dated
        one among them stays distinct from its base."""
        for name in models:
            self.known.add(name)
            if snapshot_base(name):
                self.distinct.add(name)
                self._voted.discard(name)
        self._changed()

    def learn_listed(self, models: Iterable[str]) -> None:
        """Count these canonical models as known (what official sources listed on earlier
        runs), without holding a dated one apart from its base: what prices it apart is what
        the sources state (`learn_official`), and a name a run once priced apart (a slip, a
        price stated at $0) maps back to its base when nothing prices it apart any more."""
        self.known.update(models)
        self._changed()

    def learn_official(self, statements: Iterable[Statement]) -> None:
        """Learn from what a run's sources state: `statements` are (source, official, route,
        source_model, field key, value), the field key (kind, component, unit, dimension items),
        `official` when the source speaks for the route. Models official sources state become
        known; a dated id the sources' statements of the run so far vote apart from its base
        becomes distinct, and one they no longer do folds again (module docstring); official
        scoped prices feed OfficialScopes."""
        fields: dict[tuple[str, bool, str, str], dict[Measure, Decimal]] = defaultdict(dict)
        # A record's statements come one after another with the same source, route and name
        # (the same objects): their fields are found once per run of them, not once per value.
        last: tuple[str, bool, str, str] | None = None
        stated: dict[Measure, Decimal] = {}
        ambiguous: list[tuple[dict[Measure, Decimal], Measure]] = []
        for source, official, route, source_model, key, value in statements:
            if (
                last is None
                or source_model is not last[3]
                or route is not last[2]
                or source is not last[0]
                or official is not last[1]
            ):
                last = (source, official, route, source_model)
                stated = fields[(source, official, route, self.candidate(source_model))]
            if stated.setdefault(key, value) != value:
                # one name's field at two values (two records, or two names of one candidate):
                # neither is the name's value, whichever the source happens to list last
                ambiguous.append((stated, key))
        for stated, key in ambiguous:
            stated.pop(key, None)
        # A name that begins with a digit is a version or a size that only its path made unique
        # ("5.2 chat 0210" of Azure's product "Azure OpenAI GPT5", "32b" of "Qwen models"): it
        # names no model on its own, so an official source teaches it only through an alias.
        self.known.update(
            name for (_, official, _, name) in fields if official and not name[:1].isdigit()
        )
        # Remembered across calls: a route whose official source priced by deployment scope in
        # statements learned earlier (held while it is not read) stays scoped for the rest.
        self.scoped_routes.update(
            route
            for (_, official, route, _), stated in fields.items()
            if official and any(_SCOPE in key.dims for key in stated)
        )
        scoped = self.scoped_routes
        compared: dict[tuple[str, str, str], dict[Measure, Decimal]] = {}
        for (source, official, route, name), stated in fields.items():
            if not official and route in scoped:  # only there is a statement left out
                stated = _scoped_only(stated)
            compared[(source, route, name)] = stated
        # Whether a dated id is apart is decided from every statement of the run learned so far
        # (held for an unread source, read, behind a partial one), whatever call brought it.
        for said, stated in fields.items():
            known = self._said.setdefault(said, stated)
            if known is not stated:
                self._said[said] = _agreed(known, stated)
        apart_as_written = self._decide_snapshots()
        self._block_collisions(compared, apart_as_written - self.distinct)
        for (_, official, route, name), stated in fields.items():
            if official:
                model = self.model(name)
                for key, value in stated.items():
                    self.scopes.add(route, model or name, key, value)

    def _decide_snapshots(self) -> set[str]:
        """Decide the dated ids the run's statements so far keep apart (module docstring): each
        source's statement of a dated id votes per route and field, with the base read at the
        official's value where the source's own snapshot backs the official. Returns the dated
        ids some source prices apart from its base as it wrote it (whether or not they end
        apart: `_block_collisions` leaves those that fold mapped)."""
        scoped = self.scoped_routes
        siblings: dict[tuple[str, str, str], dict[str, dict[Measure, Decimal]]] = defaultdict(dict)
        # The official statements by (route, squashed name): a secondary's spelling of a base
        # ("gpt-41-mini") meets the official's name. Two official statements one key joins (two
        # spellings, or two sources official for the route) join as the fields they do not
        # state at two values.
        official_by: dict[tuple[str, str], dict[Measure, Decimal]] = {}
        speaks: set[tuple[str, str]] = set()
        for (source, official, route, name), stated in self._said.items():
            if official:
                speaks.add((source, route))
                joined = (route, squashed(name))
                other = official_by.get(joined)
                official_by[joined] = stated if other is None else _agreed(other, stated)
            elif route in scoped:  # only there is a statement left out
                stated = _scoped_only(stated)
            siblings[(source, route, squashed(snapshot_base(name) or name))][name] = stated
        votes: dict[str, dict[tuple[str, Measure], dict[str, tuple[bool, bool]]]] = {}
        # Who states a dated id on a route exactly as its base, on every field it states of it:
        # it says the id is its base, on the fields it does not state too.
        as_base: dict[tuple[str, str], dict[str, bool]] = defaultdict(dict)
        apart_as_written: set[str] = set()
        for (source, route, _), group in siblings.items():
            if not any(map(snapshot_base, group)):
                continue
            official = (source, route) in speaks
            allowed = group if official else _as_official_allows(route, group, official_by)
            for name, stated in group.items():
                if not snapshot_base(name):
                    continue
                said_of = _fields_apart(name, stated, allowed)
                for key, apart in said_of.items():
                    said = votes.setdefault(name, {}).setdefault((route, key), {})
                    said[source] = (official, apart)
                if said_of and not any(said_of.values()):
                    as_base[(name, route)][source] = official
                if allowed is not group:
                    said_of = _fields_apart(name, stated, group)
                if any(said_of.values()):
                    apart_as_written.add(name)
        for name, by_field in votes.items():
            for (route, _), said in by_field.items():
                for source, official in as_base.get((name, route), {}).items():
                    said.setdefault(source, (official, False))
        self.distinct -= self._voted
        self._voted = {n for n, v in votes.items() if _voted_apart(v)} - self.distinct
        self.distinct |= self._voted
        self._changed()
        return apart_as_written

    def _block_collisions(
        self, compared: dict[tuple[str, str, str], dict[Measure, Decimal]], folded: set[str]
    ) -> None:
        """A name that a rule (not its own form) maps onto a model is left unmapped when the same
        source states, on the same route, another value for one of its fields under another name
        of that model: a rule never makes one source state two values for one field. Not a
        snapshot `folded` into its base though a source's fields of the base differ from it
        where the official source contradicts them (module docstring): left unmapped, it would
        be unmapped for every source, the official one too; the source's two values of the field
        are its problem ("stated twice"). Where the source also writes the model's own form, a
        field that form states is held against it alone: the name that departs from it is the
        one left unmapped, not a name that agrees with it (a fault round: LiteLLM's second spelling
        `gpt-41-mini` with a slipped cache read unmapped `gpt-4.1-mini-2025-04-14`, which states
        the base's value, for every source)."""
        by_model: dict[tuple[str, str, str], list[str]] = defaultdict(list)
        for source, route, name in compared:
            model = self.model(name)
            if model is not None:
                by_model[(source, route, model)].append(name)
        for (source, route, model), names in by_model.items():
            own = compared.get((source, route, model), {}) if model in names else {}
            for name in names:
                if name == model or name in self.distinct or name in folded:
                    continue
                stated = compared[(source, route, name)]
                if any(
                    own[key] != value
                    if key in own
                    else any(
                        compared[(source, route, other)].get(key, value) != value
                        for other in names
                        if other != name
                    )
                    for key, value in stated.items()
                ):
                    self.blocked.add(name)
        self._changed()

    def snapshot_of(self, model: str) -> str | None:
        """The base model a distinct dated model is a snapshot of (None: not a distinct one)."""
        base = snapshot_base(model)
        return self._resolve(base) if base and model in self.distinct else None

    def _loose_index(self) -> dict[str, set[str]]:
        if self._loose is None:
            self._loose = defaultdict(set)
            for name in self.known:
                self._loose[squashed(name)].add(name)
        return self._loose

    def _resolve(self, name: str) -> str | None:
        """The known model one form names (rules 3 and 4), or None."""
        name = self.models.get(name, name)
        base_form = snapshot_base(name)
        if base_form is not None:
            base = self._resolve(base_form)
            if name in self.distinct:
                return name if base is not None or name in self.known else None
            if base is not None:
                return base
        if name in self.known:
            return name
        matches = self._loose_index().get(squashed(name), set())
        return self._resolve(next(iter(matches))) if len(matches) == 1 else None

    def model(self, source_model: str) -> str | None:
        """The known canonical model a source's name refers to, or None (module docstring)."""
        if source_model in self._resolved:
            return self._resolved[source_model]
        key = source_model.strip().lower()
        found = self._resolve(self.models[key]) if key in self.models else None
        if found is None and self.candidate(source_model) in self.blocked:
            self._resolved[source_model] = None
            return None
        if found is None:
            found = next(
                (m for m in map(self._resolve, _forms(general_form(key))) if m is not None), None
            )
        self._resolved[source_model] = found
        return found


def _scoped_only(stated: dict[Measure, Decimal]) -> dict[Measure, Decimal]:
    """A secondary's statement on a route priced by deployment scope, without its prices stated
    with no scope (which deployment they are for is not known yet)."""
    return {k: v for k, v in stated.items() if k.kind is not _PRICE or _SCOPE in k.dims}


def _agreed(one: dict[Measure, Decimal], other: dict[Measure, Decimal]) -> dict[Measure, Decimal]:
    """The fields of two statements of one model, without those they state at two values."""
    joined = {**other, **one}
    return {k: v for k, v in joined.items() if other.get(k, v) == v and one.get(k, v) == v}


def _as_official_allows(
    route: str,
    group: dict[str, dict[Measure, Decimal]],
    official_by: dict[tuple[str, str], dict[Measure, Decimal]],
) -> dict[str, dict[Measure, Decimal]]:
    """One source's names of a model on `route` (`group`), each undated name's (base's) field
    read at the official's value where the source contradicts itself and the route's official
    source sides with its snapshot: the base states the field at another value than the
    official statement of the same name (`official_by`, by (route, squashed name)), and a
    snapshot of the group states it at the official's value. What `_fields_apart` compares a
    snapshot with: the base as the official prices it, so a snapshot priced like the source's
    slipped or stale base is the one apart. A base field the official contradicts but no
    snapshot of the source backs stays (the official may be the one mistaken; the source's
    snapshot and base then differ on their own). `group` itself where no field is read so. Not
    for an official source's own group."""
    backed = {
        (key, value)
        for name, stated in group.items()
        if snapshot_base(name)
        for key, value in stated.items()
    }
    trimmed: dict[str, dict[Measure, Decimal]] = {}
    for name, stated in group.items():
        official = official_by.get((route, squashed(name)))
        if official is None or snapshot_base(name):
            trimmed[name] = stated
        else:
            trimmed[name] = {
                k: official[k] if k in official and (k, official[k]) in backed else v
                for k, v in stated.items()
            }
    return group if trimmed == group else trimmed


def _fields_apart(
    name: str, stated: dict[Measure, Decimal], group: dict[str, dict[Measure, Decimal]]
) -> dict[Measure, bool]:
    """Field by field, what one source's statement of a snapshot says against its base: True
    where it states the field at another value than its base does (or, for a field no base
    states, than another snapshot of the same base does), False where it states the base's
    value. Fields it says nothing of are left out.

    The base is the name the snapshot's form names (`snapshot_base`) where the source writes
    it; else every name of the group without a date (spellings of one base: "gpt-3.5-turbo" and
    "gpt-35-turbo"), and a field is priced apart when none of those stating it agrees. Whatever
    order the source lists its names in, the answer is the same."""
    written = snapshot_base(name)
    bases = (
        [group[written]]
        if written in group
        else [prices for other, prices in group.items() if not snapshot_base(other)]
    )
    said: dict[Measure, bool] = {}
    for key, value in stated.items():
        stating = [prices[key] for prices in bases if key in prices]
        if stating:
            said[key] = value not in stating
        elif any(o != name and prices.get(key, value) != value for o, prices in group.items()):
            said[key] = True
    return said


def _voted_apart(votes: dict[tuple[str, Measure], dict[str, tuple[bool, bool]]]) -> bool:
    """Whether the sources' statements of a dated id keep it apart from its base: on some
    route and field, the route's official source prices it apart, or (no official source
    saying either) more sources price it apart than state it at their base's value (module
    docstring: one against one folds)."""
    for said in votes.values():
        official = [apart for speaks, apart in said.values() if speaks]
        if official:
            if any(official):
                return True
        elif 2 * sum(apart for _, apart in said.values()) > len(said):
            return True
    return False
