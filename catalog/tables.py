"""The catalog's tables (SQLAlchemy 2 Core). Migrations in catalog/migrations follow this file.

Values are stored as exact decimal text (never float); times as timezone-aware UTC.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.engine import CursorResult, Dialect
from sqlalchemy.sql.expression import Join
from sqlalchemy.types import TypeDecorator


def inserted_id(result: CursorResult[Any]) -> int:
    """The integer primary key of the one row an INSERT wrote (SQLAlchemy's
    `inserted_primary_key`, which is None only for statements that insert no single row)."""
    key = result.inserted_primary_key
    if key is None:
        raise ValueError("the INSERT reported no primary key")
    return int(key[0])


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC on every backend (SQLite keeps no zone and returns naive values)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """The datetime as stored: in UTC (None stays None). Raises ValueError for a naive datetime:
        ratecard stores UTC only."""
        if value is None:
            return None
        if value.tzinfo is UTC:  # the common case, and a hot path: every observation has one
            return value
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: ratecard stores UTC only")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """The stored datetime read back in UTC (a naive one, as SQLite returns, is UTC)."""
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


metadata = MetaData()

# The columns that name a catalog field (schemas.field.FieldId), in the order the catalog lists.
FIELD_COLUMNS = ("route", "model", "kind", "component", "unit", "dimensions")

runs = Table(
    "runs",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("started_at", UTCDateTime(), nullable=False),
    Column("finished_at", UTCDateTime()),
    Column("world", String(500)),
    Column("policy", String(50), nullable=False),
    Column("status", String(20), nullable=False),
    Column("flow_run_id", String(64)),
    Column("summary", JSON, nullable=False, default=dict),
    # ids from 32,768 on SQLite: one stored width for the catalog's life (migration 0010)
    sqlite_autoincrement=True,
)

source_runs = Table(
    "source_runs",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("run_id", ForeignKey("runs.id"), nullable=False, index=True),
    Column("source", String(50), nullable=False),
    Column("status", String(20), nullable=False),
    Column("reason", Text, nullable=False, default=""),
    Column("responses", Integer, nullable=False, default=0),
    Column("records", Integer, nullable=False, default=0),
    Column("observations", Integer, nullable=False, default=0),
    Column("quarantined", Integer, nullable=False, default=0),
    Column("stamped", Integer, nullable=False, default=0),
    Column("review_items", Integer, nullable=False, default=0),
    Column("observed_at", UTCDateTime()),
    UniqueConstraint("run_id", "source"),
)

# One row per response a source answered with: where and when every observation was read.
responses = Table(
    "responses",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("run_id", ForeignKey("runs.id"), nullable=False, index=True),
    Column("source", String(50), nullable=False),
    Column("url", Text, nullable=False),
    Column("landing_url", Text, nullable=False),
    Column("observed_at", UTCDateTime(), nullable=False),
    # sha256 of the body (hex); None for responses recorded before bodies were hashed.
    Column("content_hash", String(64)),
    # The first response of this URL in an unbroken line of byte-identical bodies (itself when
    # the body is new): "unchanged since" that response's run and date.
    Column("same_as_id", Integer),
    Index("ix_responses_source_url", "source", "url"),
    Index("ix_responses_content_hash", "content_hash"),
    # ids from 8,388,608 on SQLite: one stored width for the catalog's life (migration 0010)
    sqlite_autoincrement=True,
)

# Each distinct body once, by its sha256 (zlib-compressed): what responses said, kept as
# data/retention.json decides (catalog/retention.py).
bodies = Table(
    "bodies",
    metadata,
    Column("content_hash", String(64), primary_key=True),
    Column("size", Integer, nullable=False),
    Column("body", LargeBinary, nullable=False),
    Column("first_run_id", Integer, nullable=False),
)


def _same_as(column: str) -> Any:
    """A column default: the value the same insert gives `column` (an interval's first end)."""
    return lambda context: context.get_current_parameters()[column]


# Where observation intervals end: one row per response that is the last to have stated some
# interval's value (its response_id, unique). Intervals point at an end row, not at the response,
# so that confirming a byte-identical repeat of a response moves that response's one end row to
# the repeat instead of rewriting every interval that ended there (migration 0012).
interval_ends = Table(
    "interval_ends",
    metadata,
    Column("id", Integer, primary_key=True),
    Column(
        "response_id",
        ForeignKey("responses.id", name="fk_interval_ends_response_id"),
        nullable=False,
    ),
    UniqueConstraint("response_id", name="uq_interval_ends_response"),
)

# One row per interval in which a source kept stating one value: from the response that first
# stated it (run_id, response_id) to the latest consecutive response of the same URL that stated
# it again (its end row's response, whose run is the interval's last run: see `last_stated`). A
# repeat statement in a new body points the row at the new response's end row; a repeat of the
# whole body moves the end row; a value the source stops stating and states again later starts
# a new row. No index holds an end: queries by (source, last run) go through (source, run_id),
# which never moves (migration 0011).
observations = Table(
    "observations",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("run_id", ForeignKey("runs.id"), nullable=False),
    Column(
        "response_id",
        ForeignKey("responses.id", name="fk_observations_response_id"),
        nullable=False,
    ),
    Column(
        "end_id",
        ForeignKey("interval_ends.id", name="fk_observations_end_id"),
        nullable=False,
    ),
    Column("source", String(50), nullable=False),
    Column("route", String(100), nullable=False),
    Column("model", String(300)),
    Column("source_model", String(300), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("component", String(40), nullable=False),
    Column("unit", String(40), nullable=False),
    Column("dimensions", String(300), nullable=False),
    Column("value", String(60), nullable=False),
    Column("evidence", Text, nullable=False),
    # the day the source says the price takes effect; after the response's date, scheduled
    Column("effective_from", Date()),
    Index("ix_observations_key", "route", "model"),
    Index("ix_observations_source_run", "source", "run_id"),
    # the dated statements standing at a response (the few a source dates: Azure's, genai-
    # prices'), which an unchanged source's check reads each run (store `_scheduled_from`)
    Index(
        "ix_observations_dated_end",
        "end_id",
        sqlite_where=text("effective_from IS NOT NULL"),
        postgresql_where=text("effective_from IS NOT NULL"),
    ),
)


def last_stated() -> Join:
    """observations joined to the response that last stated each interval (through its end
    row): select `responses.c.run_id` for the interval's last run, and that response's url,
    landing_url and observed_at."""
    return observations.join(interval_ends, interval_ends.c.id == observations.c.end_id).join(
        responses, responses.c.id == interval_ends.c.response_id
    )


# Records set aside, with the rule; a problem repeated by a source's next run extends its row
# (first run_id to last_run_id) instead of adding one.
quarantine = Table(
    "quarantine",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("run_id", ForeignKey("runs.id"), nullable=False, index=True),
    Column("last_run_id", Integer, nullable=False, default=_same_as("run_id"), index=True),
    Column("source", String(50), nullable=False),
    Column("record", Text, nullable=False),
    Column("rule", String(200), nullable=False),
    Column("detail", Text, nullable=False),
    Column("payload", JSON, nullable=False, default=dict),
)

catalog_values = Table(
    "catalog_values",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("route", String(100), nullable=False),
    Column("model", String(300), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("component", String(40), nullable=False),
    Column("unit", String(40), nullable=False),
    Column("dimensions", String(300), nullable=False),
    Column("value", String(60), nullable=False),
    Column("valid_from", UTCDateTime(), nullable=False),
    Column("valid_to", UTCDateTime()),
    Column("verified_at", UTCDateTime()),
    Column("verified_by", String(50)),
    Column("accepted_by", String(100), nullable=False),
    Column("accepted_source", String(50), nullable=False),
    Column("run_id", ForeignKey("runs.id")),
    Index("ix_catalog_current", "route", "model", "valid_to"),
    # One value in force per field: a second in-force row for the same field is refused by the
    # database itself, whichever writer (decision, refresh, migration) tries it.
    Index(
        "uq_catalog_in_force",
        *FIELD_COLUMNS,
        unique=True,
        sqlite_where=text("valid_to IS NULL"),
        postgresql_where=text("valid_to IS NULL"),
    ),
)

# Each source's confirmations of a catalog value, verified (official) or corroborated, as one
# interval: first confirmed at first_observed_at (run_id), last at observed_at (last_run_id).
# Indexed by value (the unique constraint) and by source, never by a moving end (migration 0011).
stamps = Table(
    "stamps",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("value_id", ForeignKey("catalog_values.id"), nullable=False),
    Column("run_id", ForeignKey("runs.id"), nullable=False),
    Column("source", String(50), nullable=False),
    Column("official", Boolean, nullable=False),
    Column("first_observed_at", UTCDateTime(), nullable=False, default=_same_as("observed_at")),
    Column("observed_at", UTCDateTime(), nullable=False),
    Column("last_run_id", Integer, nullable=False, default=_same_as("run_id")),
    UniqueConstraint("value_id", "source", "official", name="uq_stamps_value_source"),
    Index("ix_stamps_source", "source"),
)

review_items = Table(
    "review_items",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("kind", String(30), nullable=False),
    Column("route", String(100), nullable=False),
    Column("model", String(300), nullable=False),
    Column("title", Text, nullable=False),
    Column("changes", JSON, nullable=False, default=list),
    Column("sources", JSON, nullable=False, default=list),
    Column("detail", Text, nullable=False, default=""),
    Column("fingerprint", String(64), nullable=False),
    Column("slot", String(64), nullable=False),
    Column("status", String(20), nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("due_at", UTCDateTime(), nullable=False),
    Column("last_seen_at", UTCDateTime(), nullable=False),
    Column("run_id", ForeignKey("runs.id")),
    Column("decided_at", UTCDateTime()),
    Column("reviewer", String(100)),
    Column("reason", Text),
    # Triage (review/triage.py): 1 = most urgent; the change set it is decided with; the source
    # whose statement leads it; how many fields it proposes; the last escalation sent for it.
    Column("priority", Integer),
    Column("set_id", String(400)),
    Column("lead_source", String(50)),
    Column("fields", Integer),
    Column("escalated", String(20)),  # due_soon, overdue
    Index("ix_review_status_due", "status", "due_at"),
    Index("ix_review_set", "set_id", "status"),
    Index("ix_review_status_due_priority", "status", "due_at", "priority"),
    Index("ix_review_fingerprint", "fingerprint", "status"),
    Index("ix_review_slot", "slot", "status"),
    Index("ix_review_route_model", "route", "model"),
)

# How many consecutive complete listings of a source have lacked a (route, model) it once listed.
listings = Table(
    "listings",
    metadata,
    Column("source", String(50), primary_key=True),
    Column("route", String(100), primary_key=True),
    Column("model", String(300), primary_key=True),
    Column("last_seen_run", Integer, nullable=False),
    Column("missing_runs", Integer, nullable=False, default=0),
)

# People who may decide review items. Secrets are argon2 hashes, never the secret itself.
reviewers = Table(
    "reviewers",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(100), nullable=False, unique=True),
    Column("secret_hash", String(200), nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("active", Boolean, nullable=False, default=True),
    # web sessions started before it are over (the reviewer signed out: every browser's)
    Column("signed_out_at", UTCDateTime()),
)

# Every decision: who, when, through which channel, on what, and the state before and after.
audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("at", UTCDateTime(), nullable=False),
    Column("actor", String(100), nullable=False),
    Column("channel", String(20), nullable=False),  # cli, web
    Column("action", String(40), nullable=False),  # approve, reject, reviewer.add
    Column("target", String(100), nullable=False),  # review:<id>, reviewer:<name>
    Column("reason", Text),
    Column("before", JSON, nullable=False, default=dict),
    Column("after", JSON, nullable=False, default=dict),
    Index("ix_audit_target", "target"),
)

# Sources users submit. Stored at once with the 48-hour promise (due_at); the process-submissions
# flow fetches the URL safely and opens the review item that keeps the promise.
submissions = Table(
    "submissions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("token", String(64), nullable=False, unique=True),  # the submitter's status-page key
    Column("route", String(100), nullable=False),
    Column("model", String(300), nullable=False),
    Column("source_url", Text, nullable=False),
    Column("claims", JSON, nullable=False, default=list),
    Column("contact", String(300)),
    Column("submitter", String(100)),  # the reviewer's name when a reviewer submitted it
    Column("client_id", String(100), nullable=False),  # the submitting client (web cookie, cli)
    Column("submitted_at", UTCDateTime(), nullable=False),
    Column("due_at", UTCDateTime(), nullable=False),
    Column("status", String(20), nullable=False),  # pending, open, approved, rejected
    Column("review_item_id", ForeignKey("review_items.id")),
    Column("processed_at", UTCDateTime()),
    Column("fetch_status", String(20)),  # fetched, refused, failed
    Column("fetch_detail", Text),
    Column("final_url", Text),
    Column("observed_at", UTCDateTime()),
    Column("checks", JSON, nullable=False, default=list),  # per claim: found, snippet, note
    Index("ix_submissions_status_due", "status", "due_at"),
)
