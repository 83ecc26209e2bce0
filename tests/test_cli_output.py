"""What the CLI prints: whole values when piped, JSON on every data command, light imports, and
`refresh` reporting its own run. Runs the real command on a catalog built from recorded worlds."""

from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from rich.console import Console
from typer.testing import CliRunner

from ratecard.cli import app
from ratecard.cli_catalog import RUN_COLUMNS
from ratecard.output import field_name, table
from schemas.vocab import unit_label
from tests.conftest import PROGRESS, ROOT, WORLDS
from tests.worlds import fault_world
from webapp import create_app

OPENROUTER_PRICE_CHANGES = f"{2**15 + 1}:openrouter:openrouter:price_change"  # epoch-2's run
HEAVY: tuple[str, ...] = (
    "prefect",
    "sqlalchemy",
    "alembic",
    "scrapy",
    "polars",
    "pandera",
    "pydantic",
    "fastapi",
)
HEAVY += ("rich", "catalog", "review", "flows", "webapp", "spiders")


def ratecard(*args: str) -> subprocess.CompletedProcess[str]:
    """The installed command, its standard output a pipe (as in `ratecard … | cat`)."""
    return subprocess.run(
        [str(Path(sys.executable).with_name("ratecard")), *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def through_head(*args: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    """`ratecard ARGS 2>&1 | head -2`: the command's exit once its reader has left, and the two
    lines the reader saw."""
    command = subprocess.Popen(
        [str(Path(sys.executable).with_name("ratecard")), *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    assert command.stdout is not None
    shown = subprocess.run(
        ["head", "-2"], stdin=command.stdout, capture_output=True, check=True, timeout=300
    ).stdout.decode()
    command.stdout.close()
    return command.wait(timeout=300), shown


def test_loading_the_cli_imports_no_heavy_package() -> None:
    loaded = subprocess.run(
        [sys.executable, "-c", "import sys, ratecard.cli; print(' '.join(sys.modules))"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert sorted({m.split(".")[0] for m in loaded} & set(HEAVY)) == []


def _widest_entry(catalog: Path) -> tuple[str, str]:
    """The (route, model) whose value and dimensions need the widest cells."""
    with closing(sqlite3.connect(catalog)) as conn:
        route, model = conn.execute(
            "SELECT route, model FROM catalog_values WHERE valid_to IS NULL "
            "ORDER BY length(value) + length(dimensions) DESC, id LIMIT 1"
        ).fetchone()
    return route, model


def test_piped_show_prints_every_field_value_and_unit_whole(refreshed_catalog: Path) -> None:
    db = f"sqlite:///{refreshed_catalog}"
    route, model = _widest_entry(refreshed_catalog)
    piped = ratecard("show", f"{route}/{model}", "--db", db)
    view = json.loads(ratecard("show", f"{route}/{model}", "--db", db, "--json").stdout)
    assert piped.returncode == 0, piped.stderr
    assert "…" not in piped.stdout
    rows = piped.stdout.splitlines()
    assert len(view["fields"]) > 0
    for f in view["fields"]:
        if f["kind"] == "capability":  # answered in the capabilities table, not as a field
            continue
        cells = (
            field_name(f),
            f" {f['value']} ",
            f" {unit_label(f['unit'])} ",
        )  # as people write it
        assert any(all(cell in row for cell in cells) for row in rows), (cells, piped.stdout)


def test_routes_spells_each_price_unit_as_cost_and_the_pages_do(refreshed_catalog: Path) -> None:
    """`routes` names a price's unit as `cost` and /models/MODEL do ('USD per 1M tokens'): its
    rows read 'input per_1m_tokens', a spelling no other command or page used."""
    db = f"sqlite:///{refreshed_catalog}"
    _, model = _widest_entry(refreshed_catalog)
    piped = ratecard("routes", model, "--db", db)
    assert piped.returncode == 0, piped.stderr
    rows = [row for row in piped.stdout.splitlines() if row.startswith("│")]
    assert rows and all(" USD per " in row for row in rows), piped.stdout
    assert "per_1m_tokens" not in piped.stdout
    tokens = ["--input-tokens", "1000", "--output-tokens", "100"]
    cost = ratecard("cost", "openrouter/claude-3-haiku", *tokens, "--db", db)
    assert " USD per 1M tokens = " in cost.stdout, (cost.stdout, cost.stderr)
    sold = ratecard("routes", "claude-3-haiku", "--db", db).stdout
    assert "│ input USD per 1M tokens " in sold, sold


def test_status_counts_one_waiting_submission_in_the_singular(catalog_db: str) -> None:
    """`status` said '1 submissions waiting to be fetched' after one `submit`."""
    runner = CliRunner()
    url = "https://openrouter.ai/api/v1/models"
    submit = ["submit", "openrouter", "claude-3-haiku", url, "--claim", "input 0.25"]
    stored = runner.invoke(app, [*submit, "--db", catalog_db])
    assert stored.exit_code == 0, stored.output
    status = runner.invoke(app, ["status", "--db", catalog_db])
    assert status.exit_code == 0, status.output
    assert status.stdout.splitlines()[-1] == "1 submission waiting to be fetched"


def test_piped_runs_shows_whole_headers_and_reasons(refreshed_catalog: Path) -> None:
    piped = ratecard("runs", "--db", f"sqlite:///{refreshed_catalog}")
    assert piped.returncode == 0, piped.stderr
    assert "…" not in piped.stdout
    header = next(line for line in piped.stdout.splitlines() if "source" in line)
    assert all(column in header for column in RUN_COLUMNS), header
    # its title a line as long as its text (a fault round: centred, padded to the table's width)
    title = piped.stdout.splitlines()[0]
    assert title.startswith("run ") and title == title.strip(), title


def test_a_narrow_terminal_folds_values_instead_of_cutting_them() -> None:
    value, unit = "0.000000000123456789012345", "usd_per_1m_tokens"
    narrow = Console(width=30, force_terminal=True, record=True)
    row = [("input [scope=global]", value, unit)]
    narrow.print(table("t", ("field", "value", "unit"), row, narrow.width))
    rows = [line.split("│")[1:-1] for line in narrow.export_text().splitlines() if "│" in line]
    columns = ["".join(cell.strip() for cell in column) for column in zip(*rows, strict=True)]
    assert columns == ["input[scope=global]", value, unit]


def test_a_narrow_terminal_keeps_a_price_whole_while_other_columns_can_narrow() -> None:
    """`show` on a 60-column terminal folded LiteLLM's per-pixel price of
    azure/high/1024-x-1024/gpt-image-1-mini over three lines ('0.0000000', '0031738', '28125'),
    which read as three numbers; the words beside it can fold instead."""
    from decimal import Decimal

    from schemas.records import decimal_text

    recorded = json.loads(
        (WORLDS.parent / "litellm" / "model_prices_and_context_window.json").read_text(),
        parse_float=Decimal,
    )
    entry = recorded["azure/high/1024-x-1024/gpt-image-1-mini"]
    price = decimal_text(entry["input_cost_per_pixel"])
    row = (
        "output [modality=image, quality=high, size=1024x1024]",
        price,
        "usd_per_pixel",
        "unverified (litellm, policy:accept-new)",
        "litellm 2026-07-18",
        "",
    )
    columns = ("field", "value", "unit", "verified", "corroborated by", "disagreeing")
    narrow = Console(width=60, force_terminal=True, record=True)
    narrow.print(table("azure/gpt-image-1-mini", columns, [row], narrow.width))
    lines = [line.split("│")[1:-1] for line in narrow.export_text().splitlines() if "│" in line]
    assert [cells[1].strip() for cells in lines if cells[1].strip()] == [price]
    assert ["".join(c.strip() for c in column) for column in zip(*lines, strict=True)] == [
        cell.replace(" ", "") for cell in row
    ]


@pytest.mark.parametrize(
    "command",
    [
        ["runs"],
        ["review", "list", "--limit", "5"],
        ["review", "list", "--status", "approved"],
        ["status"],
        ["reviewer", "list"],
        ["report", "disagreements", "--source", "openrouter"],
    ],
    ids=" ".join,
)
def test_json_is_plain_json(refreshed_catalog: Path, command: list[str]) -> None:
    result = CliRunner().invoke(app, [*command, "--json", "--db", f"sqlite:///{refreshed_catalog}"])
    assert result.exit_code == 0, result.output
    json.loads(result.stdout)


def test_a_catalog_without_reviewers_says_so_and_how_to_add_one(refreshed_catalog: Path) -> None:
    """`reviewer list` printed nothing at all, where `runs` says no refresh has run yet."""
    result = CliRunner().invoke(app, ["reviewer", "list", "--db", f"sqlite:///{refreshed_catalog}"])
    assert result.exit_code == 0, result.output
    assert result.stdout == "no reviewer yet: `ratecard reviewer add NAME` adds one\n"


def test_a_report_on_an_official_source_says_there_is_nothing_to_compare(
    refreshed_catalog: Path,
) -> None:
    """OpenRouter is the official source of its route: nothing of it compares with another
    official source, and the report says so rather than printing nothing."""
    result = CliRunner().invoke(
        app,
        [
            "report",
            "disagreements",
            "--source",
            "openrouter",
            "--db",
            f"sqlite:///{refreshed_catalog}",
        ],
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.strip().startswith("openrouter: no entry to compare")


def test_a_report_without_source_says_which_sources_it_reports(refreshed_catalog: Path) -> None:
    from schemas.sources import sources

    result = CliRunner().invoke(
        app, ["report", "disagreements", "--db", f"sqlite:///{refreshed_catalog}"]
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == (
        f"every configured source (--source picks some): {', '.join(sources())}"
    )


def test_json_of_one_entry_and_one_item(refreshed_catalog: Path) -> None:
    db = f"sqlite:///{refreshed_catalog}"
    runner = CliRunner()
    items = json.loads(runner.invoke(app, ["review", "list", "--json", "--db", db]).stdout)
    one = ["review", "show", str(items[0]["id"]), "--json", "--db", db]
    item = json.loads(runner.invoke(app, one).stdout)
    assert item["id"] == items[0]["id"] and "changes" in item
    about = ["review", "list", "--model", item["model"], "--json", "--limit", "1000", "--db", db]
    same_model = json.loads(runner.invoke(app, about).stdout)
    assert item["id"] in [i["id"] for i in same_model]
    assert {i["model"] for i in same_model} == {item["model"]}
    route, model = _widest_entry(refreshed_catalog)
    view = json.loads(runner.invoke(app, ["show", f"{route}/{model}", "--json", "--db", db]).stdout)
    assert (view["route"], view["model"]) == (route, model)
    sold = json.loads(runner.invoke(app, ["routes", model, "--json", "--db", db]).stdout)
    assert route in [v["route"] for v in sold]


@pytest.mark.parametrize(
    ("command", "filters", "said"),
    [
        (
            ["list"],
            ["--route", "OpenRouter"],
            "'--route': route 'OpenRouter': no review item names it (the catalog calls it "
            "openrouter)",
        ),
        (
            ["list"],
            ["--model", "anthropic/claude-sonnet-4.5"],
            "'--model': model 'anthropic/claude-sonnet-4.5': no review item is about this model "
            "(the catalog calls it claude-sonnet-4-5)",
        ),
        (
            ["list"],
            ["--route", "nosuch"],
            "'--route': route 'nosuch': no review item names it; one of: openrouter",
        ),
        (
            ["sets"],
            ["--route", "OpenRouter"],
            "'--route': route 'OpenRouter': no review item names it (the catalog calls it "
            "openrouter)",
        ),
        (
            ["approve", "-r", "alice", "--dry-run"],
            ["--route", "OpenRouter"],
            "'--route': route 'OpenRouter': no review item names it (the catalog calls it "
            "openrouter)",
        ),
        (
            ["approve", "-r", "alice", "--dry-run"],
            ["--model", "nosuch"],
            "'--model': model 'nosuch': no review item is about this model",
        ),
    ],
    ids=["list-route", "list-model", "list-unknown", "sets", "approve", "approve-unknown"],
)
def test_a_queue_filter_naming_what_no_item_holds_is_refused_as_the_web_refuses_it(
    catalog_db: str, command: list[str], filters: list[str], said: str
) -> None:
    """`review list --route OpenRouter` (or one no item names at all) printed an empty table as
    if the route had no item, where /api/queue answers 422 naming the parameter; another
    spelling of a catalog name is refused naming the catalog's, as show, routes and cost do."""
    from catalog import store
    from review.reviewers import add_reviewer

    engine = store.open_catalog(catalog_db)
    add_reviewer(engine, "alice", "correct horse battery staple")
    engine.dispose()
    runner = CliRunner()
    result = runner.invoke(app, ["review", *command, *filters, "--db", catalog_db])
    assert result.exit_code == 2, result.output
    [line] = result.output.strip().splitlines()
    assert line.endswith(f"Invalid value for {said}"), line
    web = TestClient(create_app(catalog_db, secret_key="test-only-secret")).get(
        "/api/queue", params={filters[0].removeprefix("--"): filters[1]}
    )
    assert web.status_code == 422, web.json()
    detail = web.json()["detail"]  # a route in capitals breaks the web's route pattern first
    assert detail in said if isinstance(detail, str) else filters[1] == "OpenRouter", detail
    canonical = runner.invoke(
        app, ["review", *command, "--route", "openrouter", "--db", catalog_db]
    )
    assert "Invalid value" not in canonical.output, canonical.output


def test_a_bulk_decision_by_the_catalogs_spelling_decides_what_it_matches(catalog_db: str) -> None:
    from catalog import store
    from review.reviewers import add_reviewer

    engine = store.open_catalog(catalog_db)
    add_reviewer(engine, "alice", "correct horse battery staple")
    engine.dispose()
    runner = CliRunner()
    decide = ["review", "approve", "-r", "alice", "--dry-run", "--db", catalog_db]
    canonical = runner.invoke(app, [*decide, "--route", "openrouter"])
    assert "no item" not in canonical.stdout and "0 open items" not in canonical.stdout
    from collections import Counter

    from catalog import queries

    with store.open_catalog(catalog_db).connect() as conn:
        listed = queries.list_reviews(conn, status="open", route="openrouter")
    alone = next(m for m, n in Counter(i.model for i in listed).items() if n == 1)
    one = runner.invoke(app, [*decide, "--route", "openrouter", "--model", alone])
    assert one.exit_code == 0, one.output
    assert one.stdout.splitlines()[-1] == "1 open item matches"


@pytest.mark.parametrize(
    "which",
    [["--route", "openrouter"], ["--set", "32769:openrouter:openrouter:price_change"]],
    ids=["filter", "set"],
)
def test_a_question_left_unanswered_decides_nothing_in_a_line_of_its_own(
    catalog_db: str, which: list[str]
) -> None:
    """`review approve --route openrouter < /dev/null` printed 'approve all N? [y/N]: ratecard:
    aborted': the refusal on the prompt's line, naming no way on."""
    from catalog import store
    from review.reviewers import add_reviewer

    engine = store.open_catalog(catalog_db)
    add_reviewer(engine, "alice", "correct horse battery staple")
    engine.dispose()
    before = Path(catalog_db.removeprefix("sqlite:///")).read_bytes()
    result = CliRunner().invoke(
        app,
        ["review", "approve", *which, "-r", "alice", "--db", catalog_db],
        input="",
        prog_name="ratecard",
    )
    assert result.exit_code == 1, result.output
    assert result.stdout.endswith("[y/N]: \n"), result.stdout
    assert result.stderr == (
        "ratecard review approve: nothing decided (no answer; --yes decides without asking)\n"
    )
    assert Path(catalog_db.removeprefix("sqlite:///")).read_bytes() == before


@pytest.mark.integration
def test_refresh_reports_its_own_run_as_json(catalog_db: str) -> None:
    """A refresh through the CLI prints the run its flow recorded, and exits by that run. A
    source named twice is one source (a new user's session: it was crawled and its progress
    printed twice)."""
    done = ratecard(
        "refresh",
        "--replay",
        str(WORLDS / "epoch-2.json"),
        *("--source", "openrouter", "--source", "openrouter"),
        "--db",
        catalog_db,
        "--json",
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["state"] == "Completed"
    run = report["run"]
    assert run["flow_run_id"] and run["status"] == "ok"
    assert report["message"].startswith(f"run {run['id']}:")
    assert [s["source"] for s in run["sources"]] == ["openrouter"]
    assert sum(line.endswith("openrouter: fetching") for line in done.stderr.splitlines()) == 1


@pytest.mark.parametrize("args", [["show", "openrouter/gpt-4o"], ["review", "list", "--json"]])
def test_a_reader_that_stops_early_ends_the_command_quietly(
    refreshed_catalog: Path, args: list[str]
) -> None:
    """`ratecard show … | head -1`: the reader closes the pipe before the command has written;
    the command stops with exit 0 and nothing on standard error (exit 1 means a refusal)."""
    command = str(Path(sys.executable).with_name("ratecard"))
    db = f"sqlite:///{refreshed_catalog}"
    with subprocess.Popen(
        [command, *args, "--db", db], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    ) as proc:
        assert proc.stdout is not None and proc.stderr is not None
        proc.stdout.close()  # before the command can print anything
        errors = proc.stderr.read()
        assert proc.wait(timeout=120) == 0, errors
    assert errors == b""


def test_a_superseded_item_names_no_one_and_the_open_item_about_the_same_thing(
    refreshed_catalog: Path,
) -> None:
    """A refresh supersedes an item, no reviewer: `review show` says no "by None", and names
    the open item on the same slot when there is one."""
    with closing(sqlite3.connect(refreshed_catalog)) as conn:
        superseded, successor = conn.execute(
            "SELECT s.id, o.id FROM review_items s JOIN review_items o ON o.slot = s.slot "
            "WHERE s.status = 'superseded' AND o.status = 'open' ORDER BY s.id LIMIT 1"
        ).fetchone()
    result = CliRunner().invoke(
        app, ["review", "show", str(superseded), "--db", f"sqlite:///{refreshed_catalog}"]
    )
    assert result.exit_code == 0, result.output
    assert "by None" not in result.stdout
    lines = result.stdout.splitlines()
    assert lines[2].startswith("superseded ") and ": superseded by a newer proposal" in lines[2]
    assert lines[3] == f"open now about the same thing: #{successor}"


@pytest.mark.parametrize(
    "which",
    [["--route", "openrouter"], ["--set", "32769:openrouter:openrouter:price_change"]],
    ids=["filter", "set"],
)
def test_a_long_decision_counts_its_items_on_standard_error_as_publish_counts_pages(
    catalog_db: str, which: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A new user's bulk approval of 3872 items printed its preview, then nothing for some 20 s
    (its rehearsal, then the decision). A decision on more than LONG_DECISION items (made 10
    here: the recorded OpenRouter catalog opens some hundreds) counts them on standard error,
    'N of TOTAL items checked' and then 'approved', every LONG_DECISION and at the last;
    standard output is as it was."""
    from catalog import store
    from ratecard import cli_sets
    from review.reviewers import add_reviewer

    engine = store.open_catalog(catalog_db)
    add_reviewer(engine, "alice", "correct horse battery staple")
    engine.dispose()
    monkeypatch.setattr(cli_sets, "LONG_DECISION", 10)
    decide = ["review", "approve", *which, "-r", "alice", "--yes", "--skip-refused"]
    result = CliRunner().invoke(app, [*decide, "--db", catalog_db])
    assert result.exit_code == 0, result.output
    counted: dict[str, int] = {}
    for line in result.stderr.splitlines():
        found = re.fullmatch(r"\d+ of (\d+) items (checked|approved)", line)
        assert found is not None, result.stderr
        counted.setdefault(found[2], int(found[1]))
    assert list(counted) == ["checked", "approved"], result.stderr
    assert counted["approved"] > 10, counted
    for what, total in counted.items():
        expected = [*range(10, total, 10), total]
        lines = [line for line in result.stderr.splitlines() if line.endswith(what)]
        assert lines == [f"{done} of {total} items {what}" for done in expected]
    assert " items checked" not in result.stdout and " items approved\n" not in result.stdout


@pytest.mark.parametrize(("fmt", "head"), [("csv", ["-n", "2"]), ("json", ["-c", "100"])])
def test_an_export_piped_into_head_ends_quietly(
    refreshed_catalog: Path, fmt: str, head: list[str]
) -> None:
    """`ratecard export csv | head -2`: the two lines, exit 0, and nothing on standard error.
    Written in one piece, the megabytes' write to a pipe whose reader had left came back short
    and no error, and the command went on to say 'exported 6493 values (csv)': what it had
    not."""
    export = subprocess.Popen(
        [str(Path(sys.executable).with_name("ratecard")), "export", fmt],
        cwd=ROOT,
        env={**os.environ, "RATECARD_DB": f"sqlite:///{refreshed_catalog}"},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert export.stdout is not None and export.stderr is not None
    shown = subprocess.run(
        ["head", *head], stdin=export.stdout, capture_output=True, check=True, timeout=300
    ).stdout.decode()
    export.stdout.close()
    errors = export.stderr.read().decode()
    assert export.wait(timeout=300) == 0, errors
    assert len(shown.splitlines()) == 2 if fmt == "csv" else len(shown) == 100
    assert errors == ""


def test_a_publish_whose_progress_reader_left_writes_the_site_all_the_same(
    refreshed_catalog: Path, tmp_path: Path
) -> None:
    """`ratecard publish DIR 2>&1 | head -2`: the two progress lines, then the rest of them go
    nowhere and the site is written whole, exit 0. The closed pipe ended the publish with no
    site and exit 0 (before that, an empty new DIR and exit 1): a person glancing at its
    progress had asked for a site."""
    site = tmp_path / "new" / "site"
    env = {**os.environ, "RATECARD_DB": f"sqlite:///{refreshed_catalog}"}
    exit_code, shown = through_head("publish", str(site), env=env)
    assert exit_code == 0
    assert shown.splitlines()[0].endswith(" model pages"), shown
    assert sorted(path.name for path in (tmp_path / "new").iterdir()) == ["site"]
    assert (site / "index.html").is_file() and (site / "static" / "publish.css").is_file()
    whole = tmp_path / "whole"
    done = CliRunner().invoke(
        app, ["publish", str(whole), "--db", f"sqlite:///{refreshed_catalog}"]
    )
    assert done.exit_code == 0, done.output
    assert sorted(p.relative_to(site) for p in site.rglob("*")) == sorted(
        p.relative_to(whole) for p in whole.rglob("*")
    )


@pytest.mark.parametrize(
    "which",
    [["--kind", "price_change", "--route", "openrouter"], ["--set", OPENROUTER_PRICE_CHANGES]],
    ids=["filter", "set"],
)
def test_a_decision_whose_preview_reader_left_is_made_all_the_same(
    catalog_db: str, which: list[str]
) -> None:
    """`ratecard review approve --kind … --yes | head -1`: the preview's reader left, and the
    closed pipe ended the command before its decision, exit 0, nothing decided. The preview is
    for a person; the decision --yes asked for is made, and its exit is its own."""
    from catalog import store
    from review.reviewers import add_reviewer

    engine = store.open_catalog(catalog_db)
    add_reviewer(engine, "alice", "correct horse battery staple")
    engine.dispose()
    listing = ["review", "list", "--kind", "price_change", "--route", "openrouter", "--json"]
    listing += ["--limit", "100000"]
    before = json.loads(CliRunner().invoke(app, [*listing, "--db", catalog_db]).stdout)
    decide = ["review", "approve", *which, "-r", "alice", "--yes", "--skip-refused"]
    approve = subprocess.Popen(
        [str(Path(sys.executable).with_name("ratecard")), *decide, "--db", catalog_db],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert approve.stdout is not None and approve.stderr is not None
    approve.stdout.close()  # the reader leaves before the first line
    errors = approve.stderr.read().decode()
    assert approve.wait(timeout=300) == 0, errors
    assert before, "the recorded epoch-2 run opens OpenRouter price changes"
    after = CliRunner().invoke(app, [*listing, "--status", "approved", "--db", catalog_db])
    assert {item["id"] for item in json.loads(after.stdout)} == {item["id"] for item in before}


@pytest.mark.integration
def test_a_refresh_whose_reader_left_runs_to_its_end_and_exits_as_its_run(tmp_path: Path) -> None:
    """`ratecard refresh ... 2>&1 | head -2`: its progress went to a closed pipe, which failed
    the run (recorded failed, nothing applied) and the command exited 0. The lines whose reader
    left go nowhere; the run is applied and the exit is its own (here 1: Gemini's epoch-1 page
    fails in validation)."""
    db = tmp_path / "catalog.db"
    world = WORLDS / "epoch-1.json"
    sources = ["--source", "anthropic-page", "--source", "gemini-page"]
    exit_code, shown = through_head(
        "refresh", "--replay", str(world), *sources, "--accept-new", "--db", f"sqlite:///{db}"
    )
    assert exit_code == 1
    assert PROGRESS.match(shown.splitlines()[0]), shown
    runs = CliRunner().invoke(app, ["runs", "--json", "--db", f"sqlite:///{db}"])
    [run] = json.loads(runs.stdout)
    assert run["status"] == "degraded", run
    statuses = {s["source"]: s["status"] for s in run["sources"]}
    assert statuses == {"anthropic-page": "ok", "gemini-page": "failed"}, statuses


@pytest.mark.integration
def test_a_failed_source_is_said_by_the_report_and_not_by_logs_too(tmp_path: Path) -> None:
    """A refresh whose one source answers 500: its progress lines on standard error, the report
    naming the failure on standard output, exit 2. The console also had Scrapy's retry error
    (naming the loopback replay URL), the flow's warning and Prefect's 'Finished in state
    Failed': the same failure said four times."""
    page = "https://api-docs.deepseek.com/quick_start/pricing"
    world = fault_world(tmp_path, {page: {"status": 500}})
    done = ratecard(
        *("refresh", "--replay", str(world), "--source", "deepseek-page", "--accept-new"),
        *("--db", f"sqlite:///{tmp_path / 'catalog.db'}"),
    )
    assert done.returncode == 2, done.stderr
    said = [line for line in done.stderr.splitlines() if line.strip()]
    assert [line for line in said if not PROGRESS.match(line)] == [], done.stderr
    assert f"{page}: HTTP 500" in done.stdout.splitlines()[-1]


TIME = re.compile(r'"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(Z|[+-]\d\d:\d\d)?"')


def test_every_json_document_spells_its_times_one_way(refreshed_catalog: Path) -> None:
    """Each JSON document (`--json`, the JSON export) writes a UTC time one way, ending in 'Z'
    as the records' own times are written: `show --json` held '2026-07-18T00:00:00Z' beside
    '2026-07-18T00:00:00+00:00', the same instant, and the export only the latter."""
    db = ["--db", f"sqlite:///{refreshed_catalog}"]
    route, model = _widest_entry(refreshed_catalog)
    listed = CliRunner().invoke(app, ["review", "list", "--json", "--limit", "5", *db])
    item = json.loads(listed.stdout)[0]["id"]
    documents = {
        "show": ["show", f"{route}/{model}", "--json"],
        "runs": ["runs", "--json"],
        "review list": ["review", "list", "--json", "--limit", "5"],
        "review show": ["review", "show", str(item), "--json"],
        "routes": ["routes", model, "--json"],
        "export json": ["export", "json"],
    }
    spellings = {}
    for name, command in documents.items():
        result = CliRunner().invoke(app, [*command, *db])
        assert result.exit_code == 0, (name, result.output[-500:])
        found = [m[1] or "" for m in TIME.finditer(result.stdout)]
        assert found, name
        spellings[name] = set(found)
    assert spellings == {name: {"Z"} for name in documents}


def test_a_listing_counts_one_item_in_the_singular_and_none_without_an_empty_table(
    refreshed_catalog: Path,
) -> None:
    """`review list` said '1 review items' of one item, and under '0 review items' (a filter
    matching nothing, an empty catalog's queue) drew an empty table, as `quarantine` did under
    '0 quarantined records': the count is the answer, said once."""
    db = f"sqlite:///{refreshed_catalog}"
    runner = CliRunner()
    every = ["review", "list", "--status", "any", "--limit", "100000", "--json", "--db", db]
    listed = runner.invoke(app, every)
    models: dict[str, int] = {}
    for item in json.loads(listed.stdout):
        models[item["model"]] = models.get(item["model"], 0) + 1
    single = next(model for model, n in models.items() if n == 1 and model)
    one = runner.invoke(app, ["review", "list", "--status", "any", "--model", single, "--db", db])
    assert one.exit_code == 0, one.output
    assert one.stdout.splitlines()[0] == "1 review item", one.stdout
    none = runner.invoke(app, ["review", "list", "--due-within", "1s", "--db", db])
    assert (none.exit_code, none.stdout) == (0, "0 review items\n"), none.output
    quarantined = runner.invoke(app, ["quarantine", "--rule", "no rule says this", "--db", db])
    assert quarantined.exit_code == 0, quarantined.output
    assert re.fullmatch(r"run \d+: 0 quarantined records\n", quarantined.stdout), quarantined.stdout
