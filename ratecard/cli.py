"""The `ratecard` command: its groups, and which function answers which command.

The commands live in `cli_catalog` (refresh and the catalog's read commands) and `cli_queue`
(decisions, reviewers, submissions, status, serve); both import only `options` and `output`,
and this module only registers them, so imports point one way. Loading the CLI imports Typer
and the command modules; each command imports what it uses (SQLAlchemy, Prefect, Scrapy, the
web app) when it runs, so `ratecard --help` and `ratecard show` pay only for what they need.
"""

from __future__ import annotations

import typer

from ratecard import cli_catalog, cli_publish, cli_queue, cli_retention, cli_sets
from ratecard.options import OneLineErrors, WholeSummaries

# Help is Click's plain text: Typer's rich help panels import rich and markdown-it, seconds
# of `ratecard --help` on a busy machine, for boxes that a pipe or a log does not need.
PLAIN = None

app = typer.Typer(
    cls=OneLineErrors,
    help="ratecard: AI model prices that say where they were read, when, and who agrees.",
    rich_markup_mode=PLAIN,
)
review_app = typer.Typer(
    cls=WholeSummaries,
    help="The review queue: proposed changes with their evidence.",
    rich_markup_mode=PLAIN,
)
report_app = typer.Typer(cls=WholeSummaries, help="Reports across sources.", rich_markup_mode=PLAIN)
reviewer_app = typer.Typer(
    cls=WholeSummaries,
    help="Reviewer accounts: the people who decide review items.",
    rich_markup_mode=PLAIN,
)
app.add_typer(review_app, name="review")
app.add_typer(report_app, name="report")
app.add_typer(reviewer_app, name="reviewer")
cli_publish.register(app)  # cost, export, publish

app.command()(cli_catalog.refresh)
app.command()(cli_catalog.runs)
app.command()(cli_catalog.quarantine)
app.command()(cli_catalog.show)
app.command()(cli_catalog.routes)
report_app.command("disagreements")(cli_catalog.report_disagreements)
review_app.command("list")(cli_catalog.review_list)
review_app.command("show")(cli_catalog.review_show)

review_app.command("approve")(cli_queue.review_approve)
review_app.command("reject")(cli_queue.review_reject)
reviewer_app.command("add")(cli_queue.reviewer_add)
reviewer_app.command("list")(cli_queue.reviewer_list)
app.command()(cli_queue.submit)
app.command()(cli_queue.status)
app.command("process-submissions")(cli_queue.process_submissions)
app.command()(cli_queue.serve)
review_app.command("sets")(cli_sets.review_sets)
review_app.command("undo")(cli_sets.review_undo)
review_app.command("triage")(cli_sets.review_triage)
app.command("sla-watch")(cli_sets.sla_watch)
app.command()(cli_retention.retention)
