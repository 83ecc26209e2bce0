"""sla-watch escalates through a webhook, tested against a loopback HTTP receiver: a submission due
in 6 hours and one overdue produce one escalation each; machine-made items with their longer
due times produce none; a second watch sends nothing again; a receiver that refuses fails the
run and the escalation is retried on the next one."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from typer.testing import CliRunner

from catalog import store
from flows.sla import sla_watch
from ratecard.cli import app
from review import escalation
from review import submissions as submitted
from tests.conftest import PROGRESS

pytestmark = pytest.mark.integration


class Receiver:
    """A loopback webhook receiver: records every JSON body POSTed to it."""

    def __init__(self) -> None:
        self.bodies: list[dict[str, Any]] = []
        self.status = 204
        received = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers["Content-Length"])
                if received.status < 300:
                    received.bodies.append(json.loads(self.rfile.read(length)))
                self.send_response(received.status)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    found = Receiver()
    thread = threading.Thread(target=found.server.serve_forever, daemon=True)
    thread.start()
    yield found
    found.server.shutdown()
    found.server.server_close()


def submission_item(engine: Any, hours_ago: float) -> int:
    """A processed submission made `hours_ago` hours ago (its URL is refused: no network)."""
    made = submitted.submit(
        engine,
        route="openrouter",
        model="gpt-5",
        source_url="http://10.0.0.1/pricing",
        claims=[submitted.parse_claim_text("input 1")],
        now=datetime.now(UTC) - timedelta(hours=hours_ago),
    )
    processed = submitted.process(engine, made["id"])
    assert processed is not None
    return int(processed["review_item"])


def test_due_soon_and_overdue_submissions_escalate_once_each(
    catalog_db: str, receiver: Receiver, prefect_api: None
) -> None:
    engine = store.connect(catalog_db)
    due_soon = submission_item(engine, hours_ago=42)
    overdue = submission_item(engine, hours_ago=50)
    submission_item(engine, hours_ago=1)  # due in 47 h: nothing to say yet

    report = sla_watch(database=catalog_db, webhook_url=receiver.url)

    assert [(b["event"], b["item"]["id"]) for b in receiver.bodies] == [
        ("review.overdue", overdue),
        ("review.due_soon", due_soon),
    ]
    assert all(b["item"]["submission"] for b in receiver.bodies)
    assert (
        "submission #" in receiver.bodies[1]["text"] and "due in 6 h" in receiver.bodies[1]["text"]
    )
    assert report["escalations"]["failed"] == []
    assert report["promise"]["submissions"] == {"open": 3, "due_soon": 1, "overdue": 1}
    assert report["promise"]["machine"]["due_soon"] == report["promise"]["machine"]["overdue"] == 0

    sla_watch(database=catalog_db, webhook_url=receiver.url)
    assert len(receiver.bodies) == 2  # the same states are not escalated twice


def test_a_refusing_receiver_fails_the_watch_and_is_retried(
    catalog_db: str, receiver: Receiver, prefect_api: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = store.connect(catalog_db)
    overdue = submission_item(engine, hours_ago=49)
    monkeypatch.setenv(escalation.WEBHOOK_ENV, receiver.url)
    receiver.status = 500
    with pytest.raises(
        escalation.EscalationError, match=rf"1 escalations not delivered: #{overdue}"
    ):
        sla_watch(database=catalog_db)
    receiver.status = 200
    sla_watch(database=catalog_db)
    assert [b["item"]["id"] for b in receiver.bodies] == [overdue]


def test_a_webhook_must_be_http() -> None:
    with pytest.raises(escalation.EscalationError, match=r"an http\(s\) URL is required"):
        escalation.webhook_from_env("file:///etc/passwd")


def test_the_sla_watch_command_escalates_and_names_a_bad_webhook(
    catalog_db: str, receiver: Receiver, prefect_api: None
) -> None:
    overdue = submission_item(store.connect(catalog_db), hours_ago=60)
    runner = CliRunner()
    bad = runner.invoke(app, ["sla-watch", "--webhook", "ftp://example.com/", "--db", catalog_db])
    assert bad.exit_code == 2 and "http(s)" in bad.output
    assert "sla-watch: Invalid value for '--webhook': " in bad.output
    assert "Traceback" not in bad.output
    done = runner.invoke(app, ["sla-watch", "--webhook", receiver.url, "--db", catalog_db])
    assert done.exit_code == 0, done.output
    assert "submissions: 1 open, 0 due within 12h, 1 overdue" in done.output
    assert "1 escalations sent" in done.output
    assert [b["item"]["id"] for b in receiver.bodies] == [overdue]


def test_a_refusing_receiver_still_gets_the_report_printed_and_one_line(
    catalog_db: str,
    receiver: Receiver,
    prefect_api: None,
    capfd: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """sla-watch whose webhook answers 500: the report on standard output, then one line on
    standard error naming each undelivered escalation, exit 1, and no traceback anywhere."""
    overdue = submission_item(store.connect(catalog_db), hours_ago=60)
    receiver.status = 500
    result = CliRunner().invoke(
        app,
        ["sla-watch", "--within", "49h", "--webhook", receiver.url, "--db", catalog_db],
        prog_name="ratecard",
    )
    logged = capfd.readouterr()
    assert result.exit_code == 1, result.output
    assert result.stdout.splitlines()[0] == "submissions: 1 open, 0 due within 49h, 1 overdue"
    assert "0 escalations sent" in result.stdout
    said = [line for line in result.stderr.splitlines() if not PROGRESS.match(line)]
    assert said == [
        f"ratecard sla-watch: 1 escalations not delivered (sent again on the next run): "
        f"#{overdue} (overdue): HTTPError: 500 Server Error: Internal Server Error for url: "
        f"{receiver.url}"
    ]
    assert "Traceback" not in logged.err + logged.out + caplog.text
    receiver.status = 200
    again = CliRunner().invoke(app, ["sla-watch", "--webhook", receiver.url, "--db", catalog_db])
    assert again.exit_code == 0, again.output
    assert [b["item"]["id"] for b in receiver.bodies] == [overdue]


def test_the_line_of_many_undelivered_escalations_names_three_and_counts_the_rest() -> None:
    """Hundreds of undelivered escalations (a receiver down for a day) are one readable line."""
    failed = [{"id": i, "state": "overdue", "error": "ConnectionError: refused"} for i in range(5)]
    line = escalation.Undelivered("x", {"escalations": {"failed": failed}}).summary()
    assert line == (
        "5 escalations not delivered (sent again on the next run): #0 (overdue), #1 (overdue), "
        "#2 (overdue) and 2 more: ConnectionError: refused"
    )


def test_a_receiver_that_never_answers_is_sent_nothing_more_that_run(catalog_db: str) -> None:
    """A fault round (h54): a receiver that took every POST and never answered held sla-watch
    ten seconds per item, silent (292 due items: 49 minutes, and the flow is deployed hourly).
    The first unanswered POST ends the run's sending: the rest fail naming it, for the next
    run."""
    engine = store.connect(catalog_db)
    items = [submission_item(engine, hours_ago=49 + n) for n in range(3)]
    silent = socket.create_server(("127.0.0.1", 0))  # accepts, never answers
    try:
        url = f"http://127.0.0.1:{silent.getsockname()[1]}/hook"
        start = time.monotonic()
        report = escalation.escalate(engine, url, datetime.now(UTC), timedelta(days=3), timeout=0.5)
        took = time.monotonic() - start
    finally:
        silent.close()
    assert report["sent"] == []
    assert set(items) <= {f["id"] for f in report["failed"]}
    [first, *rest] = report["failed"]
    assert first["error"].startswith(("ReadTimeout", "ConnectTimeout")), first
    assert {f["error"] for f in rest} == {f"not sent: the webhook did not answer #{first['id']}"}
    assert took < 5, took
