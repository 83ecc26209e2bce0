"""Identity: which canonical (route, model) a source's name refers to.

The alias tables live in data/aliases/*.json: ``{"routes": {source_route: route},
"models": {source_name: canonical_model}, "same_price": {vendor_route: [reseller routes]}}``
(a reseller passes the vendor's list prices through, so its price for the vendor's models must
match). A name that no alias names is canonicalized by a
general rule (lowercase, vendor prefix dropped, spaces to dashes); the result counts as a known
model only if an alias, the catalog or an official source names it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

ALIAS_DIR = Path(__file__).resolve().parent.parent / "data" / "aliases"

_SPACES = re.compile(r"\s+")


def general_form(name: str) -> str:
    """The rule every name goes through: lowercase, last path segment, spaces to dashes."""
    base = name.strip().lower().rsplit("/", 1)[-1]
    return _SPACES.sub("-", base)


@dataclass
class Identity:
    routes: dict[str, str] = field(default_factory=dict)
    models: dict[str, str] = field(default_factory=dict)
    known: set[str] = field(default_factory=set)
    same_price: dict[str, tuple[str, ...]] = field(default_factory=dict)
    _candidates: dict[str, str] = field(default_factory=dict, repr=False)

    @classmethod
    def load(cls, directory: Path = ALIAS_DIR) -> Identity:
        identity = cls()
        for path in sorted(directory.glob("*.json")):
            table = json.loads(path.read_text())
            identity.routes.update({k.lower(): v for k, v in table.get("routes", {}).items()})
            identity.models.update({k.lower(): v for k, v in table.get("models", {}).items()})
            identity.same_price.update(
                {k: tuple(v) for k, v in table.get("same_price", {}).items()}
            )
        identity.known.update(identity.models.values())
        return identity

    def route(self, name: str) -> str:
        key = name.strip().lower()
        return self.routes.get(key, key)

    def candidate(self, source_model: str) -> str:
        """The canonical name a source's name would have, known or not."""
        found = self._candidates.get(source_model)
        if found is None:
            key = source_model.strip().lower()
            form = general_form(key)
            found = self.models.get(key) or self.models.get(form, form)
            self._candidates[source_model] = found
        return found

    def learn(self, models: Iterable[str]) -> None:
        """Count these canonical models as known (the catalog's, an official source's)."""
        self.known.update(models)

    def model(self, source_model: str) -> str | None:
        name = self.candidate(source_model)
        return name if name in self.known else None
