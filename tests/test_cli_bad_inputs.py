"""Bad CLI input: one line naming the argument and its rule, a non-zero exit, nothing changed.

Each case runs the real `ratecard` app (Typer's CliRunner) against a copy of the catalog built
from the recorded worlds (conftest's `refreshed_catalog`). Broken world files are made here from
the recorded epoch-2 manifest. Every case must leave the catalog's bytes and the folder around
it exactly as they were: a read command on a mistyped path creates no file and no folder.
"""

from __future__ import annotations

import hashlib
import http.server
import json
import os
import pty
import select
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from contextlib import closing
from pathlib import Path

import pytest
from typer.testing import CliRunner

from catalog import store
from ratecard.cli import app
from review.reviewers import add_reviewer
from tests.conftest import ROOT, WORLDS, copy_catalog

MISTYPED = "sqlite:///{dir}/typo/sub/catalog.db"
SUBMIT = ["submit", "openrouter", "gpt-5", "https://openrouter.ai/gpt-5", "--claim", "input 1"]
COST = ["cost", "openrouter/gpt-5", "--input-tokens", "1", "--output-tokens", "1"]
UNWRITABLE = "sqlite:////proc/ratecard-test/catalog.db"
# A folder whose path is longer than the catalog's runs.world keeps (PostgreSQL refuses a longer
# text in that column, failing the run after Prefect started; SQLite stores any length).
LONG_FOLDER = "/".join(letter * 200 for letter in "abc")

# (id, arguments, argument named in the message, the rule's words, exit code)
CASES: list[tuple[str, list[str], str, str, int]] = [
    # ROUTE/MODEL and ids
    ("show-no-slash", ["show", "gpt-5"], "'TARGET'", "use ROUTE/MODEL", 2),
    ("show-no-route", ["show", "/gpt-5"], "'TARGET'", "use ROUTE/MODEL", 2),
    ("show-no-model", ["show", "openrouter/"], "'TARGET'", "use ROUTE/MODEL", 2),
    ("show-unknown-model", ["show", "nobody/nothing"], "nobody/nothing", "nothing known", 1),
    ("routes-unknown-model", ["routes", "no-such-model"], "no-such-model", "no route sells", 1),
    (
        "show-a-sources-spelling",
        ["show", "OpenRouter/anthropic/claude-sonnet-4.5"],
        "nothing known about OpenRouter/anthropic/claude-sonnet-4.5",
        "(the catalog calls it openrouter/claude-sonnet-4-5)",
        1,
    ),
    (
        "routes-a-sources-spelling",
        ["routes", "claude-sonnet-4.5"],
        "no route sells claude-sonnet-4.5",
        "(the catalog calls it claude-sonnet-4-5)",
        1,
    ),
    # a name with a space at either end: the refusal used to read "nothing known about  gpt-5
    # (the catalog calls it gpt-5)", the space invisible in the message
    *(
        (f"{name}-space-at-an-end", arguments, argument, "begins or ends with a space", 2)
        for name, arguments, argument in (
            ("show-model", ["show", "openrouter/ claude-sonnet-4-5"], "'TARGET'"),
            ("show-route", ["show", "openrouter\u00a0/claude-sonnet-4-5"], "'TARGET'"),
            ("routes", ["routes", "claude-sonnet-4-5 "], "'MODEL'"),
            ("cost", ["cost", "openrouter/gpt-5 ", *COST[2:]], "'TARGET'"),
            ("review-list-model", ["review", "list", "--model", " gpt-5"], "'--model'"),
            ("review-list-route", ["review", "list", "--route", "openrouter "], "'--route'"),
            ("publish-model", ["publish", "{dir}/site", "--model", "gpt-5 "], "'--model'"),
        )
    ),
    (  # cost and publish named no spelling, where show and routes did
        "cost-a-sources-spelling",
        ["cost", "OpenRouter/anthropic/claude-sonnet-4.5", *COST[2:]],
        "ratecard cost: OpenRouter/anthropic/claude-sonnet-4.5: refused",
        "(the catalog calls it openrouter/claude-sonnet-4-5)",
        1,
    ),
    (
        "publish-a-sources-spelling",
        ["publish", "{dir}/site", "--model", "Claude-Sonnet-4.5"],
        "--model Claude-Sonnet-4.5: no route sells it",
        "(the catalog calls it claude-sonnet-4-5)",
        1,
    ),
    (
        "publish-several-unknown-models",
        ["publish", "{dir}/site", "--model", "nosuch-a", "--model", "nosuch-b"],
        "--model nosuch-a, nosuch-b: no route sells them",
        "in the catalog now",
        1,
    ),
    (
        "set-model-a-sources-spelling",
        [
            "review",
            "approve",
            "--set",
            "32769:openrouter:openrouter:price_change",
            "--model",
            "Claude-Sonnet-4.5",
            "-r",
            "alice",
            "--dry-run",
        ],
        "has no open items for Claude-Sonnet-4.5",
        "(the catalog calls it claude-sonnet-4-5)",
        1,
    ),
    # bytes UTF-8 never has (a Latin-1 name pasted into a shell): Python passes them on as lone
    # surrogates, and every command ended in a traceback at its first query or write
    *(
        (f"bytes-in-{name}", arguments, argument, "is not UTF-8 text", 2)
        for name, arguments, argument in (
            ("target", ["show", "openrouter/gpt\udce95"], "'TARGET'"),
            ("model", ["routes", "gpt\udce95"], "'MODEL'"),
            (
                "reason",
                ["review", "reject", "1", "-r", "alice", "--reason", "no\udce9"],
                "'--reason'",
            ),
            (
                "reason-joined",
                ["review", "reject", "1", "-r", "alice", "--reason=no\udce9"],
                "'--reason'",
            ),
            ("short-option", ["export", "json", "-o", "{dir}/caf\udce9.json"], "'--output'"),
            ("db", ["runs", "--db", "sqlite:///{dir}/caf\udce9.db"], "'--db'"),
            ("contact", [*SUBMIT, "--contact", "caf\udce9"], "'--contact'"),
            ("url", [*SUBMIT[:3], "https://openrouter.ai/caf\udce9", *SUBMIT[4:]], "'URL'"),
            ("command", ["sh\udce9w"], "'COMMAND'"),
            ("subcommand", ["review", "l\udce9st"], "'COMMAND'"),
        )
    ),
    ("review-show-text-id", ["review", "show", "abc"], "'ID'", "'abc': use a whole number", 2),
    ("review-show-zero-id", ["review", "show", "0"], "'ID'", "from 1 to 2147483647", 2),
    ("review-show-huge-id", ["review", "show", "9" * 20], "'ID'", "from 1 to 2147483647", 2),
    ("review-show-absent-id", ["review", "show", "987654321"], "987654321", "no review item", 1),
    (  # PostgreSQL's integer column: the catalog refused "integer out of range" (exit 1)
        "review-show-id-beyond-integer",
        ["review", "show", "2147483648"],
        "'ID'",
        "use a whole number from 1 to 2147483647",
        2,
    ),
    (
        "undo-id-beyond-integer",
        ["review", "undo", "2147483648", "-r", "alice", "--reason", "x"],
        "'ID'",
        "use a whole number from 1 to 2147483647",
        2,
    ),
    (
        "approve-huge-id",
        ["review", "approve", "9" * 20, "--reviewer", "alice"],
        "'ID'",
        "from 1 to 2147483647",
        2,
    ),
    ("approve-no-reviewer", ["review", "approve", "1"], "'--reviewer'", "Missing option", 2),
    # durations, choices, limits
    (
        "due-within-overflow",
        ["review", "list", "--due-within", "99999999999d"],
        "'--due-within'",
        "at most 36500 days",
        2,
    ),
    (
        "due-within-unit",
        ["review", "list", "--due-within", "12x"],
        "'--due-within'",
        "a whole number and s, m, h or d",
        2,
    ),
    ("status-within-weeks", ["status", "--within", "3w"], "'--within'", "s, m, h or d", 2),
    ("review-status", ["review", "list", "--status", "pending"], "'--status'", "not one of", 2),
    ("review-kind", ["review", "list", "--kind", "pricechange"], "'--kind'", "not one of", 2),
    ("review-source", ["review", "list", "--source", "openrouterr"], "'--source'", "not one of", 2),
    ("review-limit-zero", ["review", "list", "--limit", "0"], "'--limit'", "from 1 to 100000", 2),
    ("runs-limit-negative", ["runs", "--limit", "-1"], "'--limit'", "'-1': use a whole", 2),
    ("runs-limit-huge", ["runs", "--limit", "9" * 20], "'--limit'", "from 1 to 100000", 2),
    (
        "report-source",
        ["report", "disagreements", "--source", "litelm"],
        "'--source'",
        "not one of",
        2,
    ),
    (
        "serve-port",
        ["serve", "--port", "70000"],
        "'--port'",
        "'70000': use a whole number from 1 to 65535",
        2,
    ),
    ("serve-host", ["serve", "--host", "999.1.1.1", "--port", "8799"], "'--host'", "999.1.1.1", 2),
    ("unknown-option", ["runs", "--limt", "3"], "--limt", "No such option", 2),
    ("unknown-command", ["refesh"], "refesh", "No such command", 2),
    # claims and names
    (
        "claim-no-value",
        ["submit", "openrouter", "gpt-5", "https://openrouter.ai/gpt-5", "--claim", "input"],
        "'--claim'",
        "COMPONENT VALUE",
        2,
    ),
    (
        "claim-not-a-number",
        ["submit", "openrouter", "gpt-5", "https://openrouter.ai/gpt-5", "--claim", "input abc"],
        "'--claim'",
        "not a plain number",
        2,
    ),
    *(
        (
            f"claim-{name}",
            ["submit", "openrouter", "gpt-5", "https://openrouter.ai/gpt-5", "--claim", claim],
            "'--claim'",
            rule,
            2,
        )
        for name, claim, rule in (
            ("1e400", "input 1e400", "out of range"),
            ("huge-exponent", "input 1E+10000000", "out of range"),
            ("exponent-overflow", "input 1e999999999999", "out of range"),
            ("minus-zero", "input -0", "not prices"),
            ("digit-separator", "input 1_000", "not a plain number"),
            ("non-ascii-digit", "input \uff13", "not a plain number"),
            ("unknown-component", "inptu 3", "component 'inptu' is not one of: input, output"),
            ("unknown-unit", "input 3 usd_per_token", "unit 'usd_per_token' is not one of"),
            ("price-as-flag", "input 3 flag", "unit 'flag' does not go with component 'input'"),
            (
                "limit-as-price",
                "context_window 3 usd_per_image",
                "'usd_per_image' does not go with component 'context_window': use tokens",
            ),
            (
                "unknown-modality",
                "input 3 usd_per_1m_tokens modality=smell",
                "modality='smell' is not one of: audio, image, text, video",
            ),
            (
                "unknown-cache-ttl",
                "cache_write 3 usd_per_1m_tokens cache_ttl=forever",
                "cache_ttl='forever' is not one of: 1h, 5m",
            ),
            (
                "unknown-service-tier",
                "input 3 usd_per_1m_tokens service_tier=ultra",
                "service_tier='ultra' is not one of: batch, flex, priority, standard",
            ),
        )
    ),
    (
        "submit-url-space-in-host",
        [*SUBMIT[:3], "https://exa mple.com/<script>", *SUBMIT[4:]],
        "'URL'",
        "no spaces or characters a URL cannot hold",
        2,
    ),
    (
        "submit-url-bad-host",
        [*SUBMIT[:3], "https://exa%20mple.com/", *SUBMIT[4:]],
        "'URL'",
        "'exa%20mple.com' is not a host name",
        2,
    ),
    ("submit-ftp-url", [*SUBMIT[:3], "ftp://openrouter.ai/gpt-5", *SUBMIT[4:]], "'URL'", "http", 2),
    ("submit-route", ["submit", "Open Router", *SUBMIT[2:]], "'ROUTE'", "lowercase letters", 2),
    ("submit-unknown-as", [*SUBMIT, "--as", "nobody"], "'--as'", "no active reviewer", 2),
    (  # stored as written, it was about a model of no values, and hid show's hint
        "submit-other-spelling",
        ["submit", "openrouter", "GPT-5", *SUBMIT[3:]],
        "'MODEL'",
        "the catalog calls it openrouter/gpt-5",
        2,
    ),
    ("reviewer-name", ["reviewer", "add", "Alice Smith", "--password-stdin"], "'NAME'", "2-50", 2),
    ("reviewer-no-terminal", ["reviewer", "add", "carol"], "'--password-stdin'", "no terminal", 2),
    # the catalog URL
    ("db-not-a-url", ["runs", "--db", "catalog.db"], "'--db'", "not a database URL", 2),
    (  # a port that is no number ended in a traceback, before and after --db was checked
        "db-port-not-a-number",
        ["export", "json", "-o", "{dir}/x.json", "--db", "postgresql+psycopg://u:pw@host:abc/x"],
        "'--db'",
        "'postgresql+psycopg://u:***@host:abc/x' is not a database URL",
        2,
    ),
    ("db-unknown-driver", ["runs", "--db", "mysqlx://host/db"], "'--db'", "unknown database", 2),
    ("db-in-memory", ["runs", "--db", "sqlite://"], "'--db'", "give the catalog's file", 2),
    (  # echoed percent-encoded, as sqlite:///%3Amemory%3A
        "db-named-memory",
        ["runs", "--db", "sqlite:///:memory:"],
        "'--db'",
        "sqlite:///:memory: is a database in memory",
        2,
    ),
    ("db-directory", ["runs", "--db", "sqlite:///{dir}"], "'--db'", "is a directory", 2),
    # query arguments pysqlite ignores, with a SQLAlchemy warning and its source line, or would
    # take over ratecard's own connection options
    *(
        (
            f"db-sqlite-query-{name}",
            ["show", "openrouter/gpt-5", "--db", f"sqlite:///{{dir}}/catalog.db?{query}"],
            "'--db'",
            f"an SQLite catalog's URL takes no query arguments ({given})",
            2,
        )
        for name, query, given in (
            ("mode-rw", "mode=rw", "mode"),
            ("mode-ro", "mode=ro", "mode"),
            ("timeout-and-uri", "uri=true&timeout=30", "timeout, uri"),
        )
    ),
    (
        "db-text-file",
        ["review", "list", "--db", "sqlite:///{dir}/notes.txt"],
        "'--db'",
        "not an SQLite database",
        2,
    ),
    ("db-empty-file", ["status", "--db", "sqlite:///{dir}/empty.db"], "'--db'", "an empty file", 2),
    (
        "db-foreign-sqlite",
        ["runs", "--db", "sqlite:///{dir}/other.db"],
        "'--db'",
        "not a ratecard catalog",
        2,
    ),
    (
        "db-newer-schema",
        ["review", "list", "--db", "sqlite:///{dir}/newer.db"],
        "'--db'",
        "a catalog from another ratecard",
        2,
    ),
    (  # Prefect's database (Alembic's too): it was called "a catalog from another ratecard"
        "db-another-applications-alembic",
        ["runs", "--db", "sqlite:///{dir}/prefect.db"],
        "'--db'",
        "holds 1 table (flow_run) and no ratecard catalog",
        2,
    ),
    (
        "db-refused-server",
        ["runs", "--db", "postgresql+psycopg://nobody@127.0.0.1:1/ratecard"],
        "'--db'",
        "cannot use the database",
        2,
    ),
    ("show-mistyped-db", ["show", "openrouter/gpt-5", "--db", MISTYPED], "'--db'", "no catalog", 2),
    ("runs-mistyped-db", ["runs", "--db", MISTYPED], "'--db'", "nothing was created", 2),
    ("review-list-mistyped-db", ["review", "list", "--db", MISTYPED], "'--db'", "no catalog", 2),
    ("review-show-mistyped-db", ["review", "show", "1", "--db", MISTYPED], "'--db'", "no cat", 2),
    ("status-mistyped-db", ["status", "--db", MISTYPED], "'--db'", "no catalog", 2),
    ("routes-mistyped-db", ["routes", "gpt-5", "--db", MISTYPED], "'--db'", "no catalog", 2),
    (
        "report-mistyped-db",
        ["report", "disagreements", "--db", MISTYPED],
        "'--db'",
        "no catalog",
        2,
    ),
    (
        "approve-mistyped-db",
        ["review", "approve", "1", "--reviewer", "alice", "--db", MISTYPED],
        "'--db'",
        "no catalog",
        2,
    ),
    ("process-mistyped-db", ["process-submissions", "--db", MISTYPED], "'--db'", "no catalog", 2),
    # cost, export and publish: the same rules as every other command
    ("cost-mistyped-db", [*COST, "--db", MISTYPED], "'--db'", "nothing was created", 2),
    ("export-mistyped-db", ["export", "json", "--db", MISTYPED], "'--db'", "no catalog", 2),
    ("publish-mistyped-db", ["publish", "{dir}/site", "--db", MISTYPED], "'--db'", "no cat", 2),
    ("cost-no-slash", ["cost", "gpt-5", *COST[2:]], "'TARGET'", "use ROUTE/MODEL", 2),
    ("cost-bad-date", [*COST, "--at", "2026-13-01"], "'--at'", "use a date, YYYY-MM-DD", 2),
    (
        "cost-tokens-beyond-bound",
        ["cost", "openrouter/gpt-5", "--input-tokens", "9" * 38, "--output-tokens", "1"],
        "'--input-tokens'",
        "use a whole number of 1000000000000 or less",
        2,
    ),
    (
        "cost-requests-beyond-bound",
        [*COST, "--requests-per-day", "9" * 40],
        "'--requests-per-day'",
        "use a whole number of 1000000000000 or less",
        2,
    ),
    ("cost-zero-images", [*COST, "--images", "high:1024x1024:0"], "'--images'", "image count", 2),
    ("cost-superscript-count", [*COST, "--images", "high:1024x1024:\u00b2"], "'--images'", "N", 2),
    (
        "cost-region-global",
        [*COST, "--scope", "global", "--region", "eastus2"],
        "'--region'",
        "state --scope",
        2,
    ),
    ("export-format", ["export", "xml"], "'FORMAT'", "one of json, csv, litellm", 2),
    (
        "export-output-no-folder",
        ["export", "json", "-o", "{dir}/nope/x.json"],
        "'--output'",
        "no folder",
        2,
    ),
    ("export-output-directory", ["export", "csv", "-o", "{dir}"], "'--output'", "a directory", 2),
    (
        "export-sidecar-no-folder",
        ["export", "litellm", "-o", "{dir}/out.json", "--provenance", "{dir}/nope/p.json"],
        "'--provenance'",
        "no folder",
        2,
    ),
    (
        "export-sidecar-over-export",
        ["export", "litellm", "-o", "{dir}/out.json", "--provenance", "{dir}/./out.json"],
        "'--provenance'",
        "the export's own file",
        2,
    ),
    (  # the export was written and left behind when its sidecar could not be
        "export-sidecar-unwritable",
        ["export", "litellm", "-o", "{dir}/out.json", "--provenance", "/proc/ratecard-test.json"],
        "'--provenance'",
        "cannot write",
        2,
    ),
    (
        "export-provenance-of-json",
        ["export", "json", "--provenance", "{dir}/p.json"],
        "'--provenance'",
        "only with litellm",
        2,
    ),
    (
        "approve-unknown-reviewer",
        ["review", "approve", "1", "-r", "nobody"],
        "'--reviewer'",
        "no active reviewer named 'nobody'",
        2,
    ),
    (
        "approve-bulk-unknown-reviewer",
        ["review", "approve", "--kind", "price_change", "-r", "nobody", "--dry-run"],
        "'--reviewer'",
        "no active reviewer named 'nobody'",
        2,
    ),
    (
        "approve-set-unknown-reviewer",
        ["review", "approve", "--set", "1:openrouter:openrouter:price_change", "-r", "nobody"],
        "'--reviewer'",
        "no active reviewer named 'nobody'",
        2,
    ),
    (  # an empty --due-within dropped the filter (the list was every item)
        "list-empty-due-within",
        ["review", "list", "--due-within", ""],
        "'--due-within'",
        "use a whole number and s, m, h or d",
        2,
    ),
    (  # an empty --webhook read as none configured: nothing escalated, exit 0
        "sla-watch-empty-webhook",
        ["sla-watch", "--webhook", ""],
        "'--webhook'",
        "the URL is empty",
        2,
    ),
    (  # read as no region: a 900-character refusal, exit 1
        "cost-empty-region",
        ["cost", "azure/gpt-4o", "--input-tokens", "1", "--output-tokens", "1", "--region", ""],
        "'--region'",
        "region '': 1 to 100 printable characters",
        2,
    ),
    (  # an image of no pixels was asked a price for
        "cost-image-of-no-pixels",
        [
            *("cost", "azure/gpt-image-1-mini", "--input-tokens", "0", "--output-tokens", "0"),
            *("--images", "high:0x0:1"),
        ],
        "'--images'",
        "size '0x0': use WIDTHxHEIGHT",
        2,
    ),
    (  # an empty --model selected no model: the whole set was decided
        "reject-set-empty-model",
        [
            *("review", "reject", "--set", "1:openrouter:openrouter:price_change"),
            *("--model", "", "-r", "nobody", "--reason", "x", "--yes"),
        ],
        "'--model'",
        "the model is empty",
        2,
    ),
    (
        "undo-unknown-reviewer",
        ["review", "undo", "1", "-r", "nobody", "--reason", "x"],
        "'--reviewer'",
        "no active reviewer named 'nobody'",
        2,
    ),
    (
        "undo-no-reason",
        ["review", "undo", "1", "-r", "alice", "--reason", " "],
        "'--reason'",
        "an undo needs a reason",
        2,
    ),
    (
        "reject-empty-reason",
        ["review", "reject", "1", "-r", "alice", "--reason", ""],
        "'--reason'",
        "a rejection needs a reason",
        2,
    ),
    (
        "reject-set-empty-reason",
        [
            "review",
            "reject",
            "--set",
            "32769:openrouter:openrouter:price_change",
            "-r",
            "alice",
            "--reason",
            "",
            "--yes",
        ],
        "'--reason'",
        "a rejection needs a reason",
        2,
    ),
    ("publish-into-a-file", ["publish", "{dir}/notes.txt"], "'DIR'", "is a file", 2),
    ("publish-empty-dir", ["publish", ""], "'DIR'", "the path is empty", 2),
    ("publish-into-other-files", ["publish", "{dir}"], "'DIR'", "a folder holding other", 2),
    ("publish-unwritable", ["publish", "/proc/ratecard-test"], "'DIR'", "/proc/ratecard-test", 2),
    (
        "export-output-unwritable",
        ["export", "json", "-o", "/proc/ratecard-test.json"],
        "'--output'",
        "/proc/ratecard-test.json",
        2,
    ),
    (
        "publish-unknown-model",
        ["publish", "{dir}/site", "--model", "no-such-model"],
        "--model no-such-model",
        "no route sells it",
        1,
    ),
    # names
    ("show-control-character", ["show", "openrouter/gpt\x015"], "'TARGET'", "control char", 2),
    ("show-long-model", ["show", "openrouter/" + "x" * 400], "'TARGET'", "at most 300", 2),
    ("routes-empty-model", ["routes", ""], "'MODEL'", "the model is empty", 2),
    ("routes-blank-model", ["routes", "  "], "'MODEL'", "the model is empty", 2),
    ("list-blank-route", ["review", "list", "--route", " "], "'--route'", "the route is empty", 2),
    # queue filters, ids and sets
    (
        "approve-bulk-unknown-kind",
        ["review", "approve", "--kind", "pricechange", "--reviewer", "alice", "--yes"],
        "'--kind'",
        "not one of",
        2,
    ),
    (
        "reject-bulk-unknown-source",
        ["review", "reject", "--source", "openrouterr", "-r", "alice", "--reason", "x", "--yes"],
        "'--source'",
        "not one of",
        2,
    ),
    (
        "approve-unknown-use-source",
        ["review", "approve", "1", "--reviewer", "alice", "--use-source", "litelm"],
        "'--use-source'",
        "not one of",
        2,
    ),
    (
        "list-route-control",
        ["review", "list", "--route", "open\x01router"],
        "'--route'",
        "control",
        2,
    ),
    (
        "approve-bulk-model-control",
        ["review", "approve", "--model", "gpt\x015", "--reviewer", "alice", "--dry-run"],
        "'--model'",
        "control characters",
        2,
    ),
    (
        "sets-route-control",
        ["review", "sets", "--route", "open\x01router"],
        "'--route'",
        "control",
        2,
    ),
    ("sets-unknown-kind", ["review", "sets", "--kind", "pricechange"], "'--kind'", "not one of", 2),
    (
        "undo-huge-id",
        ["review", "undo", "9" * 20, "--reviewer", "alice", "--reason", "x"],
        "'ID'",
        "from 1 to 2147483647",
        2,
    ),
    (
        "undo-zero-id",
        ["review", "undo", "0", "--reviewer", "alice", "--reason", "x"],
        "'ID'",
        "'0': use a whole number from 1 to 2147483647",
        2,
    ),
    (
        "approve-unknown-set",
        ["review", "approve", "--set", "1:no:such:price_change", "--reviewer", "alice"],
        "no change set 1:no:such:price_change",
        "`review sets` lists them",
        1,
    ),
    (
        "approve-malformed-set",
        ["review", "approve", "--set", "1:no:such:set", "--reviewer", "alice", "--dry-run"],
        "'--set'",
        "a set id is RUN:SOURCE:ROUTE:KIND",
        2,
    ),
    (
        "approve-id-and-set",
        ["review", "approve", "1", "--set", "1:openrouter:openrouter:price_change", "-r", "alice"],
        "'--set'",
        "give no ID",
        2,
    ),
    (
        "reject-set-and-route",
        [
            "review",
            "reject",
            "--set",
            "1:a:b:c",
            "--route",
            "openrouter",
            "-r",
            "a",
            "--reason",
            "x",
        ],
        "'--set'",
        "narrowed only by --model",
        2,
    ),
    (
        "approve-id-and-filter",
        ["review", "approve", "1", "--kind", "price_change", "--reviewer", "alice"],
        "'ID'",
        "not both",
        2,
    ),
    ("sla-watch-mistyped-db", ["sla-watch", "--db", MISTYPED], "'--db'", "no catalog", 2),
    (
        "sla-watch-ftp-webhook",
        ["sla-watch", "--webhook", "ftp://example.com/hook"],
        "'--webhook'",
        "an http(s) URL is required",
        2,
    ),
    # a webhook by the rules of a submission's URL: the first was a ValueError traceback from
    # urlsplit, the others were taken and would fail only at the first escalation
    *(
        (f"sla-watch-webhook-{name}", ["sla-watch", "--webhook", url], "'--webhook'", rule, 2)
        for name, url, rule in (
            ("unclosed-ipv6", "http://[::1/hook", "not a readable URL (Invalid IPv6 URL)"),
            ("port-out-of-range", "http://hooks.example:99999/", "Port out of range"),
            ("space-in-host", "http://hooks.exa mple/", "no spaces or characters"),
            ("encoded-host", "http://hooks.exa%20mple/", "is not a host name or address"),
        )
    ),
    # refresh refuses before Prefect starts
    ("refresh-no-world", ["refresh", "--replay", "{dir}/nope.json"], "'--replay'", "not exist", 2),
    ("refresh-world-dir", ["refresh", "--replay", "{dir}"], "'--replay'", "is a directory", 2),
    (
        "refresh-world-truncated",
        ["refresh", "--replay", "{dir}/truncated.json"],
        "'--replay'",
        "bad JSON",
        2,
    ),
    (
        "refresh-world-no-status",
        ["refresh", "--replay", "{dir}/no-status.json"],
        "'--replay'",
        "an entry lacks 'status'",
        2,
    ),
    (  # said "an entry lacks 'responses'": the manifest does
        "refresh-world-no-responses",
        ["refresh", "--replay", "{dir}/no-responses.json"],
        "'--replay'",
        "the manifest lacks 'responses'",
        2,
    ),
    (
        "refresh-world-bad-date",
        ["refresh", "--replay", "{dir}/bad-date.json"],
        "'--replay'",
        "a bad value",
        2,
    ),
    (
        "refresh-world-missing-file",
        ["refresh", "--replay", "{dir}/missing-file.json"],
        "'--replay'",
        "1 recorded file missing",
        2,
    ),
    (
        "refresh-world-not-utf8",
        ["refresh", "--replay", "{dir}/latin1.json"],
        "'--replay'",
        "not UTF-8",
        2,
    ),
    (
        "refresh-world-list",
        ["refresh", "--replay", "{dir}/list.json"],
        "'--replay'",
        "expected an object",
        2,
    ),
    (
        "refresh-world-empty",
        ["refresh", "--replay", "{dir}/empty-world.json"],
        "'--replay'",
        "records no responses",
        2,
    ),
    (
        "refresh-world-path-too-long",
        ["refresh", "--replay", "{dir}/" + LONG_FOLDER + "/epoch-2.json"],
        "'--replay'",
        "characters (the catalog records at most 500)",
        2,
    ),
    ("refresh-unknown-source", ["refresh", "--source", "azur"], "'--source'", "not one of", 2),
    # an empty value (an unset shell variable) named the folder '' reads as, or another argument
    ("refresh-empty-world", ["refresh", "--replay", ""], "'--replay'", "empty: give a file's", 2),
    ("export-empty-output", ["export", "json", "-o", ""], "'--output'", "empty: give a file's", 2),
    (
        "export-empty-provenance",
        ["export", "litellm", "-o", "{dir}/out.json", "--provenance", ""],
        "'--provenance'",
        "empty: give a file's",
        2,
    ),
    (
        "approve-empty-set",
        ["review", "approve", "--set", "", "--reviewer", "alice"],
        "'--set'",
        "empty: give a set id",
        2,
    ),
    (
        "reject-empty-set",
        ["review", "reject", "--set", "", "-r", "alice", "--reason", "x"],
        "'--set'",
        "empty: give a set id",
        2,
    ),
    # a reason the decision would refuse is a bad --reason (exit 2), as a blank one is: it was a
    # refusal naming no argument (exit 1), after the preview
    *(
        (f"{name}-reason-control", arguments, "'--reason'", "cannot hold control characters", 2)
        for name, arguments in (
            ("reject", ["review", "reject", "1", "-r", "alice", "--reason", "bad \x1b[31mRED"]),
            ("approve", ["review", "approve", "1", "-r", "alice", "--reason", "ok\x00"]),
            (
                "reject-bulk",
                [
                    *("review", "reject", "--kind", "price_change", "-r", "alice"),
                    *("--reason", "bad \x1b[31mRED", "--yes"),
                ],
            ),
            (
                "reject-set",
                [
                    *("review", "reject", "--set", "32769:openrouter:openrouter:price_change"),
                    *("-r", "alice", "--reason", "bad \x1b[31mRED", "--yes"),
                ],
            ),
            ("undo", ["review", "undo", "1", "-r", "alice", "--reason", "undo \x07"]),
            # characters that move or hide text as a terminal shows it (a fault round: a
            # carriage return, the 8-bit CSI, a direction override, a line separator)
            ("reject-cr", ["review", "reject", "1", "-r", "alice", "--reason", "ok\rforged"]),
            ("reject-csi", ["review", "reject", "1", "-r", "alice", "--reason", "x\x9b2Jgone"]),
            ("reject-rtl", ["review", "reject", "1", "-r", "alice", "--reason", "rtl \u202e x"]),
            ("reject-ls", ["review", "reject", "1", "-r", "alice", "--reason", "ls\u2028x"]),
        )
    ),
    ("refresh-db-directory", ["refresh", "--db", "sqlite:///{dir}"], "'--db'", "is a directory", 2),
    (
        "refresh-db-text-file",
        ["refresh", "--db", "sqlite:///{dir}/notes.txt"],
        "'--db'",
        "not an SQLite database",
        2,
    ),
    ("refresh-db-unwritable", ["refresh", "--db", UNWRITABLE], "'--db'", "cannot create", 2),
    # a file where the catalog's folder must be was "cannot create …: File exists", naming no file
    *(
        (
            f"refresh-db-under-a-file{below.replace('/', '-')}",
            ["refresh", "--db", f"sqlite:///{{dir}}/notes.txt{below}/catalog.db"],
            "'--db'",
            "/notes.txt is a file, not a folder",
            2,
        )
        for below in ("", "/new")
    ),
    # so does an export's or a site's: 'no folder …' and 'cannot write: Not a directory'
    (
        "export-output-under-a-file",
        ["export", "csv", "-o", "{dir}/notes.txt/out.csv"],
        "'--output'",
        "/notes.txt is a file, not a folder",
        2,
    ),
    (
        "publish-under-a-file",
        ["publish", "{dir}/notes.txt/new/site"],
        "'DIR'",
        "/notes.txt is a file, not a folder",
        2,
    ),
]


def _tree(folder: Path) -> dict[str, str]:
    """Every file and folder under `folder` with its content's hash (folders: '')."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        if p.is_file()
        else ""
        for p in sorted(folder.rglob("*"))
    }


def _broken_worlds(folder: Path) -> None:
    """Variants of the recorded epoch-2 manifest, each broken in one way."""
    recorded = (WORLDS / "epoch-2.json").read_bytes()
    manifest = json.loads(recorded)
    for entry in manifest["responses"]:
        if "file" in entry:
            entry["file"] = str((WORLDS / entry["file"]).resolve())
    (folder / "truncated.json").write_bytes(recorded[: len(recorded) // 2])
    no_status = json.loads(json.dumps(manifest))
    del no_status["responses"][0]["status"]
    (folder / "no-status.json").write_text(json.dumps(no_status))
    bad_date = json.loads(json.dumps(manifest))
    bad_date["responses"][0]["date"] = "last Tuesday"
    (folder / "bad-date.json").write_text(json.dumps(bad_date))
    missing = json.loads(json.dumps(manifest))
    with_file = next(e for e in missing["responses"] if "file" in e)
    with_file["file"] = str(folder / "gone" / Path(with_file["file"]).name)
    (folder / "missing-file.json").write_text(json.dumps(missing))
    (folder / "latin1.json").write_bytes(recorded.replace(b'"responses"', b'"r\xe9sponses"', 1))
    (folder / "list.json").write_text(json.dumps(manifest["responses"]))
    (folder / "empty-world.json").write_text(json.dumps({**manifest, "responses": []}))
    (folder / "no-responses.json").write_text(json.dumps({"name": "epoch-2"}))
    (folder / LONG_FOLDER).mkdir(parents=True)
    (folder / LONG_FOLDER / "epoch-2.json").write_text(json.dumps(manifest))


@pytest.fixture(scope="module")
def workspace(refreshed_catalog: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder with a catalog copy (opened once, so later opens change no byte) that has the
    reviewer alice, the broken worlds, a text file, an empty file, a foreign SQLite database and
    a catalog whose schema revision this ratecard does not have."""
    folder = tmp_path_factory.mktemp("bad-inputs")
    url = copy_catalog(refreshed_catalog, folder / "catalog.db")
    engine = store.open_catalog(url)
    add_reviewer(engine, "alice", "correct horse battery staple")  # -r alice is a reviewer
    engine.dispose()
    _broken_worlds(folder)
    (folder / "notes.txt").write_text("not a database\n")
    (folder / "empty.db").write_bytes(b"")
    with closing(sqlite3.connect(folder / "other.db")) as other:
        other.execute("CREATE TABLE prices (model TEXT, usd REAL)")
        other.commit()
    with closing(sqlite3.connect(folder / "newer.db")) as newer:  # a schema from the future
        newer.execute("PRAGMA journal_mode=WAL")  # as every catalog is
        newer.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)")
        newer.execute("INSERT INTO alembic_version VALUES ('9999')")
        newer.commit()
    with closing(sqlite3.connect(folder / "prefect.db")) as prefect:  # its revision, its table
        prefect.execute("PRAGMA journal_mode=WAL")
        prefect.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)")
        prefect.execute("INSERT INTO alembic_version VALUES ('7a73514ca2d6')")
        prefect.execute("CREATE TABLE flow_run (id CHAR(36) PRIMARY KEY)")
        prefect.commit()
    return folder


@pytest.mark.parametrize(
    ("arguments", "argument", "rule", "exit_code"),
    [pytest.param(*case[1:], id=case[0]) for case in CASES],
)
def test_bad_input_is_one_line_and_changes_nothing(
    workspace: Path,
    arguments: list[str],
    argument: str,
    rule: str,
    exit_code: int,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(workspace)  # a path given as "" or "." is the workspace: checked below
    before = _tree(workspace)
    args = [a.replace("{dir}", str(workspace)) for a in arguments]
    result = CliRunner().invoke(
        app,
        args,
        prog_name="ratecard",
        env={"RATECARD_DB": f"sqlite:///{workspace / 'catalog.db'}"},
        input="",
    )
    lines = result.output.strip().splitlines()
    assert result.exit_code == exit_code, result.output
    assert len(lines) == 1, result.output
    assert argument in lines[0] and rule in lines[0], lines[0]
    assert lines[0].startswith("ratecard"), lines[0]
    assert "Traceback" not in result.output
    assert isinstance(result.exception, SystemExit), result.exception
    assert result.stdout == "", "errors go to standard error"
    assert _tree(workspace) == before
    assert not Path(UNWRITABLE.removeprefix("sqlite:///")).parent.exists()


def test_enough_cases() -> None:
    assert len(CASES) >= 90
    assert len({case[0] for case in CASES}) == len(CASES)


def test_bad_world_is_refused_by_the_installed_command_before_prefect_loads(
    workspace: Path,
) -> None:
    """The real entry point: `refresh --replay` with a missing file exits 2 with one line, and
    neither Prefect nor the flows were imported (the refusal comes before the server starts)."""
    probe = (
        "import sys\n"
        "from ratecard.cli import app\n"
        "try:\n"
        "    app(sys.argv[1:], prog_name='ratecard')\n"
        "finally:\n"
        "    loaded = sorted(m for m in ('prefect', 'flows', 'scrapy') if m in sys.modules)\n"
        "    print('loaded:', loaded)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe, "refresh", "--replay", str(workspace / "nope.json")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 2, done.stderr
    assert done.stdout.strip() == "loaded: []"
    assert done.stderr.strip().splitlines() == [
        f"ratecard refresh: Invalid value for '--replay': file "
        f"'{workspace / 'nope.json'}' does not exist."
    ]


SECRET_NOT_UTF8 = (
    "ratecard reviewer add: Invalid value for '--password-stdin': "
    "the secret is not UTF-8 text: it holds bytes no character has"
)


@pytest.mark.parametrize("catalog_file", ["catalog.db", "new/catalog.db"], ids=["held", "new"])
def test_a_secret_of_bytes_no_character_has_is_one_line_and_creates_nothing(
    workspace: Path, catalog_file: str
) -> None:
    """A secret piped in with a byte UTF-8 never holds (0xff, from a Latin-1 file): the installed
    command read it as a lone surrogate, which argon2 could not hash, and printed a traceback,
    after creating the catalog it was given."""
    before = _tree(workspace)
    command = str(Path(sys.executable).with_name("ratecard"))
    done = subprocess.run(
        [command, "reviewer", "add", "carol", "--password-stdin"],
        input=b"caf\xe9-cr\xe8me-br\xfbl\xe9e\n",  # Latin-1, as a legacy file holds it
        env={**os.environ, "RATECARD_DB": f"sqlite:///{workspace / catalog_file}"},
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 2, done.stderr
    assert done.stderr.decode().splitlines() == [SECRET_NOT_UTF8]
    assert _tree(workspace) == before
    strict = CliRunner().invoke(  # a standard input decoding strictly: the same line
        app,
        ["reviewer", "add", "carol", "--password-stdin"],
        prog_name="ratecard",
        env={"RATECARD_DB": f"sqlite:///{workspace / catalog_file}"},
        input=b"caf\xe9-cr\xe8me-br\xfbl\xe9e\n",
    )
    assert strict.exit_code == 2, strict.output
    assert strict.stderr.splitlines() == [SECRET_NOT_UTF8]
    assert _tree(workspace) == before


def test_a_refusal_quotes_the_argument_with_its_own_spaces(workspace: Path) -> None:
    """The one-line refusal joins the message's lines, never the spaces within one: "  gpt-4o"
    quoted as ' gpt-4o' named a value the user did not type."""
    result = CliRunner().invoke(app, ["routes", "  gpt-4o"], prog_name="ratecard")
    assert result.exit_code == 2
    assert result.output.splitlines() == [
        "ratecard routes: Invalid value for 'MODEL': '  gpt-4o': the model begins or ends with "
        "a space"
    ]


def test_a_bad_catalog_url_from_the_environment_is_named_as_such(workspace: Path) -> None:
    before = _tree(workspace)
    result = CliRunner().invoke(
        app, ["runs"], prog_name="ratecard", env={"RATECARD_DB": f"sqlite:///{workspace}/x/y.db"}
    )
    assert result.exit_code == 2
    assert result.output.splitlines() == [
        f"ratecard runs: Invalid value for 'RATECARD_DB': sqlite:///{workspace}/x/y.db: "
        f"no catalog at {workspace}/x/y.db (nothing was created)"
    ]
    assert _tree(workspace) == before


@pytest.mark.parametrize("command", [["runs"], ["review", "list"], ["refresh", "--source", "x"]])
@pytest.mark.parametrize("given", ["--db", "RATECARD_DB"])
def test_an_empty_catalog_url_is_refused_not_the_default(
    workspace: Path, command: list[str], given: str
) -> None:
    """`--db "$CATALOG"` with the variable unset read the default catalog (data/ratecard.db)
    and went on there: an empty URL is refused, naming where it came from."""
    before = _tree(workspace)
    args, env = ([*command, "--db", ""], {}) if given == "--db" else (command, {"RATECARD_DB": ""})
    result = CliRunner().invoke(app, args, prog_name="ratecard", env=env)
    assert result.exit_code == 2, result.output
    [line] = result.output.splitlines()
    assert f"Invalid value for '{given}': " in line and "empty" in line
    assert _tree(workspace) == before


def test_a_catalog_url_from_the_environment_with_bytes_no_character_has_is_one_line(
    workspace: Path,
) -> None:
    """RATECARD_DB holding a Latin-1 byte: a UnicodeEncodeError traceback from the catalog's
    first open, where --db with the same bytes is refused as an argument."""
    before = _tree(workspace)
    url = f"sqlite:///{workspace}/caf\udce9.db"
    result = CliRunner().invoke(app, ["runs"], prog_name="ratecard", env={"RATECARD_DB": url})
    assert result.exit_code == 2, result.output
    assert result.output.splitlines() == [
        f"ratecard runs: Invalid value for 'RATECARD_DB': {url!r} is not UTF-8 text: "
        "it holds bytes no character has"
    ]
    assert _tree(workspace) == before


def test_a_database_server_that_never_answers_is_one_line_in_bounded_time(
    workspace: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A PostgreSQL URL whose server accepts the connection and never answers (a hung server,
    a port another service holds) is refused in one line once the connect timeout passes; the
    command used to wait for ever."""
    monkeypatch.setattr(store, "CONNECT_TIMEOUT", 1)
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        port = silent.getsockname()[1]
        url = f"postgresql+psycopg://ratecard@127.0.0.1:{port}/catalog"
        started = time.monotonic()
        result = CliRunner().invoke(app, ["runs", "--db", url], prog_name="ratecard")
        waited = time.monotonic() - started
    assert result.exit_code == 2, result.output
    assert result.output.splitlines() == [
        f"ratecard runs: Invalid value for '--db': {url}: cannot use the database: "
        "connection timeout expired"
    ]
    assert waited < 20
    assert 0 < store.CONNECT_TIMEOUT <= 30


def test_a_password_given_as_a_url_parameter_is_hidden_like_the_urls_own() -> None:
    """libpq takes the password as a query parameter too (`?password=…`): the refusal printed
    it in clear, where the URL's own password is shown as ***."""
    with socket.socket() as closed:  # a port nothing listens on once closed
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    url = f"postgresql+psycopg://ratecard@127.0.0.1:{port}/catalog?password=hunter2&sslmode=disable"
    result = CliRunner().invoke(app, ["runs", "--db", url], prog_name="ratecard")
    assert result.exit_code == 2, result.output
    [line] = result.output.splitlines()
    assert "hunter2" not in line
    assert line.startswith(
        f"ratecard runs: Invalid value for '--db': postgresql+psycopg://ratecard@127.0.0.1:{port}/"
        "catalog?password=***&sslmode=disable: cannot use the database: "
    ), line


def test_the_last_date_python_holds_is_a_date_like_any_other(workspace: Path) -> None:
    """`--at 9999-12-31` reads the catalog at that day's end, as any other date does."""
    before = _tree(workspace)
    result = CliRunner().invoke(
        app,
        [*COST, "--at", "9999-12-31", "--db", f"sqlite:///{workspace / 'catalog.db'}"],
        prog_name="ratecard",
    )
    assert result.exit_code == 0, result.output
    assert result.output.startswith("openrouter/gpt-5 as of 9999-12-31 (USD)\n")
    assert _tree(workspace) == before


def test_serve_on_a_port_in_use_is_one_line_naming_the_port(workspace: Path) -> None:
    """The address is tried before the catalog or the server start: nothing is created."""
    before = _tree(workspace)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = CliRunner().invoke(
            app,
            ["serve", "--port", str(port), "--db", f"sqlite:///{workspace}/new/catalog.db"],
            prog_name="ratecard",
        )
    assert result.exit_code == 2, result.output
    assert result.output.splitlines() == [
        f"ratecard serve: Invalid value for '--port': cannot listen on 127.0.0.1:{port}: "
        "Address already in use"
    ]
    assert _tree(workspace) == before


def _with_prefect_api(api: str, *arguments: str) -> subprocess.CompletedProcess[str]:
    """`ratecard ARGUMENTS` run as from a shell with PREFECT_API_URL=`api`."""
    return subprocess.run(
        [str(Path(sys.executable).with_name("ratecard")), *arguments],
        cwd=ROOT,
        env={**os.environ, "PREFECT_API_URL": api},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


class _NotFound(http.server.BaseHTTPRequestHandler):
    """A web server with no Prefect API at the path asked: every GET answers 404."""

    def do_GET(self) -> None:
        self.send_error(404)

    def log_message(self, format: str, *args: object) -> None:
        return


def test_a_prefect_server_named_without_its_api_path_is_one_line(workspace: Path) -> None:
    """Fault round 45: PREFECT_API_URL naming a server's address without `/api`, whose health
    check answers 404: the refresh ended in 260 lines of Prefect's tracebacks, exit 1. An
    answer other than asking for credentials is no Prefect API: one line, exit 2, no catalog."""
    new = workspace / "unreached" / "catalog.db"
    with http.server.ThreadingHTTPServer(("127.0.0.1", 0), _NotFound) as server:
        threading.Thread(target=server.serve_forever, daemon=True).start()
        api = f"http://127.0.0.1:{server.server_address[1]}"
        done = _with_prefect_api(
            api, "refresh", "--replay", str(WORLDS / "epoch-2.json"), "--db", f"sqlite:///{new}"
        )
        server.shutdown()
    assert done.returncode == 2, done.stderr
    assert done.stderr.splitlines() == [
        f"ratecard refresh: PREFECT_API_URL: no Prefect API answers at {api} (GET {api}/health "
        "answered 404 Not Found; Prefect's API is at the server's /api); nothing started"
    ]
    assert not new.parent.exists()


@pytest.mark.parametrize(
    "command",
    [
        ["refresh", "--replay", str(WORLDS / "epoch-2.json")],
        ["sla-watch"],
        ["process-submissions"],
    ],
    ids=["refresh", "sla-watch", "process-submissions"],
)
def test_a_prefect_api_that_answers_nothing_is_one_line_and_starts_nothing(
    workspace: Path, command: list[str]
) -> None:
    """PREFECT_API_URL naming a port nothing listens on: the flow commands printed three of
    Prefect's tracebacks (some 450 lines) and exited 1, which says some source failed (fault
    round 38, F4). Now one line naming the setting and the URL, exit 2, and no catalog made."""
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        api = f"http://127.0.0.1:{closed.getsockname()[1]}/api"
    # a refresh would make a new catalog; the others need one, and are given the workspace's
    new = workspace / "unreached" / "catalog.db"
    db = new if command[0] == "refresh" else workspace / "catalog.db"
    done = _with_prefect_api(api, *command, "--db", f"sqlite:///{db}")
    assert done.returncode == 2, done.stderr
    assert done.stderr.splitlines() == [
        f"ratecard {command[0]}: PREFECT_API_URL: no Prefect API answers at {api} "
        "([Errno 111] Connection refused); nothing started"
    ]
    assert not new.parent.exists()


def test_an_empty_prefect_api_url_is_one_line_and_starts_nothing(workspace: Path) -> None:
    """A new user's `export PREFECT_API_URL=`: the refresh ran, but Prefect half-read the empty
    setting and stderr held 13 of its tracebacks (113 lines). An empty RATECARD_DB is refused;
    so is this: one line naming the setting, exit 2, no catalog made."""
    new = workspace / "unreached" / "catalog.db"
    done = _with_prefect_api(
        "", "refresh", "--replay", str(WORLDS / "epoch-2.json"), "--db", f"sqlite:///{new}"
    )
    assert done.returncode == 2, done.stderr
    assert done.stderr.splitlines() == [
        "ratecard refresh: PREFECT_API_URL is set but empty: unset it to run on Prefect's "
        "temporary server, or set it to a Prefect API's URL; nothing started"
    ]
    assert not new.parent.exists()


def test_the_end_of_input_at_the_secrets_prompt_is_one_line_and_creates_nothing(
    tmp_path: Path,
) -> None:
    """`reviewer add` on a terminal asks for the secret; the terminal's input ending there
    (Ctrl-D) is a refusal in the command's name, exit 1, and no catalog: it printed Click's
    bare 'ratecard: aborted'."""
    catalog_file = tmp_path / "catalog.db"
    command = str(Path(sys.executable).with_name("ratecard"))
    pid, terminal = pty.fork()
    if pid == 0:  # the child: the command on the terminal's other end
        os.execve(
            command,
            [command, "reviewer", "add", "carol", "--db", f"sqlite:///{catalog_file}"],
            os.environ,
        )
    seen = _read_until(terminal, b"Secret: ")
    os.write(terminal, b"\x04")  # Ctrl-D: the end of the terminal's input
    seen += _read_until(terminal, b"")
    _, status = os.waitpid(pid, 0)
    os.close(terminal)
    assert os.waitstatus_to_exitcode(status) == 1, seen
    assert seen.decode().splitlines() == [
        "Secret: ",
        "ratecard reviewer add: nothing added (no secret given)",
    ]
    assert not catalog_file.exists()


def _read_until(terminal: int, ending: bytes, seconds: float = 60) -> bytes:
    """What the terminal shows until it shows `ending` (b"": until the command's end closes
    it), within `seconds`."""
    seen = b""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and not (ending and seen.endswith(ending)):
        ready, _, _ = select.select([terminal], [], [], 0.1)
        if not ready:
            continue
        try:
            chunk = os.read(terminal, 4096)
        except OSError:  # the command ended: its end of the terminal closed
            break
        if not chunk:
            break
        seen += chunk
    return seen.replace(b"\r\n", b"\n")
