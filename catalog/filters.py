"""The one rule for filters that name something (a category, capability, route, source, model,
change set): a value the list could never hold, whatever else is chosen, is refused, never shown
as an empty list that reads as "nothing matches".

The models index knows the categories and routes of the models in force at the page's date and
the capability flags it shows; the queue pages (and /api/queue, /api/sets) know the routes,
models and change sets its items name, whatever their status, and the configured sources
(data/sources.json) and 'submission' (the source of a submitted claim no official source
stated). The catalog API (/api/values, /api/catalog) knows the routes and models of the values
in force. A known value that matches nothing now is an honest empty list. The web app answers
an UnknownFilter with 422 naming the parameter, the value and, when they are few enough to read,
the known values (webapp/app.py); the CLI's queue commands (`review list`, `review sets`, bulk
decisions) refuse it in one line naming the option (ratecard/options.py `check_queue_filter`).
"""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import Connection

from catalog import queries
from schemas.sources import queue_sources

MAX_LISTED = 60  # known values listed in the message; more are only counted


class UnknownFilter(ValueError):
    """A filter value no row could match: `name` (the parameter), `value`, and why; then
    `hint` (' (the catalog calls it …)', queries.spelling_hint) or else the `known` values."""

    def __init__(
        self, name: str, value: str, why: str, known: Collection[str] = (), hint: str = ""
    ) -> None:
        listed = sorted(known)
        if hint:  # another spelling of a catalog name: that name says more than the list
            tail = hint
        elif not listed:
            tail = ""
        elif len(listed) <= MAX_LISTED:
            tail = f"; one of: {', '.join(listed)}"
        else:
            tail = f"; {len(listed)} are known"
        super().__init__(f"{name} {value!r}: {why}{tail}")
        self.name = name
        self.value = value


def check_known(name: str, value: str | None, known: Collection[str], why: str) -> None:
    """Raise UnknownFilter when `value` is given (not None or empty) and not in `known`."""
    if value and value not in known:
        raise UnknownFilter(name, value, why, known)


def check_catalog_name(
    conn: Connection,
    name: str,
    value: str | None,
    known: Collection[str],
    why: str,
    *,
    route: str | None = None,
) -> None:
    """check_known for a filter naming a catalog route (`name` 'route') or model ('model', of
    `route` when one is given and known): an unknown value that is another spelling of a
    catalog name is refused with that name (queries.spelling_hint), as the CLI refuses it."""
    if not value or value in known:
        return
    if name == "route":
        hint = queries.spelling_hint(conn, value, None)
    else:
        hint = queries.spelling_hint(conn, route, value)
    raise UnknownFilter(name, value, why, known if name == "route" else (), hint)


def check_queue_filter(conn: Connection, which: queries.QueueFilter) -> None:
    """Refuse a queue filter's route, model, source or change set that no review item could
    name (see the module's rule). Raises UnknownFilter naming the first such parameter."""
    routes = queries.queue_routes(conn)
    if which.route and which.route not in routes:
        hint = queries.spelling_hint(conn, which.route, None)
        raise UnknownFilter("route", which.route, "no review item names it", routes, hint)
    check_known("source", which.source, queue_sources(), "not a configured source")
    if which.model and not queries.queue_has_model(conn, which.model):
        hint = queries.spelling_hint(conn, None, which.model)
        raise UnknownFilter("model", which.model, "no review item is about this model", (), hint)
    if which.set_id and not queries.change_sets(
        conn, queries.QueueFilter(status=None, set_id=which.set_id), limit=1
    ):
        raise UnknownFilter("set", which.set_id, "no such change set")
