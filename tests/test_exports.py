"""Exports of the recorded epoch-2 catalog: the LiteLLM-format map read back by ratecard's own
LiteLLM parser gives the same values; JSON carries provenance per value; CSV has one row per
value; --verified-only keeps only what an official source verified."""

from __future__ import annotations

import csv
import gc
import io
import json
import os
import stat
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from sqlalchemy import Select
from typer.testing import CliRunner

from catalog import reader, store
from catalog.export import LITELLM_PROVIDER
from catalog.identity import Identity
from catalog.tables import stamps
from ratecard import cli_publish
from ratecard.cli import app
from spiders import litellm
from tests import test_fault_kinds as fault_kinds
from tests.published import epoch2_catalog

pytestmark = pytest.mark.integration
Key = tuple[str, str, str, str, str, tuple[tuple[str, str], ...]]


@pytest.fixture(scope="module")
def db(prefect_api: None, tmp_path_factory: pytest.TempPathFactory) -> str:
    return f"sqlite:///{epoch2_catalog(tmp_path_factory)}"


@pytest.fixture(scope="module")
def everything(db: str) -> dict[str, Any]:
    """The whole catalog exported as JSON once for the module."""
    exported: dict[str, Any] = json.loads(export(db, "json"))
    return exported


def key(v: dict[str, Any]) -> Key:
    dims = tuple(sorted(v["dimensions"].items()))
    return (v["route"], v["model"], v["kind"], v["component"], v["unit"], dims)


def export(db: str, *args: str) -> str:
    result = CliRunner().invoke(app, ["export", *args, "--db", db])
    assert result.exit_code == 0, result.output
    return result.stdout


def test_litellm_export_reads_back_through_our_litellm_parser(
    db: str, everything: dict[str, Any], tmp_path: Path
) -> None:
    target = tmp_path / "model_prices_and_context_window.json"
    export(db, "litellm", "-o", str(target))
    sidecar = json.loads((tmp_path / "model_prices_and_context_window.provenance.json").read_text())
    page = litellm.parse(target.read_bytes(), target.as_uri())
    identity = Identity.load()
    read_back: dict[Key, Decimal] = {}
    for record in page.records:
        for d in litellm.normalize(record):  # an Uninterpretable here fails the test
            dims = tuple(sorted(d.dimensions.items()))
            k = (
                identity.route(d.route),
                identity.candidate(d.source_model),
                d.kind.value,
                d.component.value,
                d.unit.value,
                dims,
            )
            assert k not in read_back, f"{record['key']} states {k} twice"
            read_back[k] = d.value
    left_out = {key(v) for v in sidecar["left_out"]}
    values = everything["values"]
    exported = {key(v): Decimal(v["value"]) for v in values if key(v) not in left_out}
    assert len(exported) > 40_000
    assert read_back == exported
    assert len(left_out) + len(exported) == len(values)
    assert all(v["reason"] for v in sidecar["left_out"])

    entries = json.loads(target.read_text())
    mini = entries["azure/global-standard/gpt-image-1-mini"]
    assert mini["litellm_provider"] == "azure"
    assert mini["input_cost_per_token"] == pytest.approx(2e-06)
    high = entries["azure/high/1024-x-1024/gpt-image-1-mini"]
    assert high["input_cost_per_pixel"] == pytest.approx(3.173828125e-08)
    assert high["mode"] == "image_generation"
    assert entries["low/1024-x-1024/gpt-image-1-mini"]["output_cost_per_image"] == 0.005
    provenance = sidecar["fields"]["azure/global-standard/gpt-image-1-mini"]["input_cost_per_token"]
    assert provenance["verified_by"] == "azure" and provenance["verified"] is True
    azure_reasons = {v["reason"] for v in sidecar["left_out"] if v["route"] == "azure"}
    assert any("region eastus2" in reason for reason in azure_reasons)
    # a deployment with no scope names none (it read 'None/eastus2')
    assert not [reason for reason in azure_reasons if "None" in reason]
    # every entry without a price is named, with the keys of its model that carry prices
    price_fields = {
        name for fields in sidecar["fields"].values() for name in fields if "cost" in name
    }
    unpriced = {k for k, entry in entries.items() if not price_fields & set(entry)}
    assert set(sidecar["unpriced"]) == unpriced
    bare_azure = {
        k: v for k, v in sidecar["unpriced"].items() if k.startswith("azure/") and k.count("/") == 1
    }
    assert any(
        f"azure/global-standard/{k.removeprefix('azure/')}" in v for k, v in bare_azure.items()
    )


def test_litellm_provider_names_are_litellms_own() -> None:
    routes = json.loads(Path("data/aliases/litellm.json").read_text())["routes"]
    for route, provider in LITELLM_PROVIDER.items():
        assert routes[provider] == route


def test_json_has_provenance_per_value_and_verified_only_filters(
    db: str, everything: dict[str, Any]
) -> None:
    verified = json.loads(export(db, "json", "--verified-only"))
    assert everything["count"] == len(everything["values"]) > verified["count"] > 0
    assert all(v["provenance"]["verified"] for v in verified["values"])
    with store.connect(db).connect() as conn:
        in_force = reader.published_values(conn, reader.as_of(None))
    assert everything["count"] == len(in_force)
    output = next(
        v
        for v in everything["values"]
        if (v["route"], v["model"], v["component"], v["dimensions"])
        == ("azure", "gpt-image-2", "output", {})  # LiteLLM names no scope (catalog.identity)
    )
    assert output["value"] == "10"
    assert output["provenance"]["verified"] is False
    assert output["provenance"]["summary"] == "unverified, stated by litellm"
    assert [s["source"] for s in output["provenance"]["stated_by"]] == ["litellm"]


def test_csv_one_row_per_value(db: str, tmp_path: Path) -> None:
    target = tmp_path / "catalog.csv"
    export(db, "csv", "--verified-only", "-o", str(target))
    rows = list(csv.DictReader(io.StringIO(target.read_text())))
    assert rows and all(r["verified_at"] and r["verified_by"] for r in rows)
    openai = [r for r in rows if (r["route"], r["model"]) == ("openai", "gpt-image-1-mini")]
    grid = {r["dimensions"]: r["value"] for r in openai if r["unit"] == "usd_per_image"}
    assert grid["modality=image;quality=high;size=1024x1024"] == "0.036"
    assert len(grid) == 9


def test_an_export_says_on_standard_error_how_far_it_is(
    db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The whole catalog takes seconds to read: on a terminal, what it reads and every 10,000
    values read go to standard error; a pipe or a log gets the closing count alone; the export
    itself goes to its file."""
    target = tmp_path / "catalog.csv"

    def exported(terminal: bool) -> list[str]:
        monkeypatch.setattr(cli_publish, "_on_terminal", lambda: terminal)
        result = CliRunner().invoke(app, ["export", "csv", "-o", str(target), "--db", db])
        assert result.exit_code == 0 and result.stdout == "", result.output
        return result.stderr.splitlines()

    piped = exported(False)
    rows = len(list(csv.DictReader(io.StringIO(target.read_text()))))
    assert piped == [f"exported {rows} values (csv)"]
    lines = exported(True)
    assert lines[0].startswith("reading the values in force on ")
    assert lines[1:-1] == [f"{n} values read" for n in range(10_000, rows + 1, 10_000)]
    assert lines[-1] == piped[0]


def test_unknown_format_and_bad_date_are_one_line_errors(db: str) -> None:
    for args, message in (
        (["xml"], "'FORMAT': 'xml': one of json, csv, litellm"),
        (["json", "--at", "2026-02-30"], "'--at': '2026-02-30'"),
    ):
        result = CliRunner().invoke(app, ["export", *args, "--db", db])
        assert result.exit_code == 2 and message in result.output
        assert "Traceback" not in result.output


def test_sources_stating_a_value_on_one_date_are_listed_in_name_order() -> None:
    """`stated_by` (and with it the JSON and CSV exports, `show`, the web pages) lists sources
    newest first and, on one date, by name, whatever order the database groups the stamps in.
    Applied alike, the epoch-2 catalog exported `portkey@2026-08-21;genai-prices@2026-08-21`
    on PostgreSQL (its hash aggregate's order) and `genai-prices@…;portkey@…` on SQLite."""
    day, earlier = datetime(2026, 8, 21, tzinfo=UTC), datetime(2026, 7, 18, tzinfo=UTC)
    grouped = [  # as PostgreSQL returned them: no order
        SimpleNamespace(
            value_id=7,
            source=source,
            official=False,
            run_id=32768,
            last_run_id=32769,
            first_observed_at=earlier,
            observed_at=at,
        )
        for source, at in (("portkey", day), ("litellm", earlier), ("genai-prices", day))
    ]

    class Grouped:
        def execute(self, query: Select[Any]) -> list[SimpleNamespace]:
            # the stamps, and no source run (each stamp's last date is by the reading time)
            return grouped if stamps in query.columns_clause_froms else []

    statements = reader.statements_as_of(Grouped(), day)  # type: ignore[arg-type]
    assert [s.source for s in statements[7]] == ["genai-prices", "portkey", "litellm"]


@pytest.mark.parametrize("option", ["-o", "--provenance"])
@pytest.mark.parametrize("target", ["catalog", "its wal", "another database"])
def test_an_export_never_writes_over_a_database(
    db: str, tmp_path: Path, option: str, target: str
) -> None:
    """`-o data/ratecard.db` (a slip of the keyboard) wrote the export over the catalog it read,
    and over any other SQLite file: refused (exit 2, one line), the database left as it was."""
    # an engine an earlier test left to the collector closes its last connection when collected,
    # which checkpoints the catalog and removes its -wal: before the file is read, not during
    gc.collect()
    catalog = Path(db.removeprefix("sqlite:///"))
    other = tmp_path / "other.db"
    other.write_bytes(catalog.read_bytes()[:4096])  # a real SQLite file's first page
    path = {
        "catalog": catalog,
        "its wal": catalog.with_name(catalog.name + "-wal"),
        "another database": other,
    }[target]
    before = path.read_bytes() if path.exists() else None
    fmt = "litellm" if option == "--provenance" else "csv"
    args = ["export", fmt, "--db", db, option, str(path)]
    if option == "--provenance":
        args += ["-o", str(tmp_path / "map.json")]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2, result.output
    assert result.stderr.count("\n") == 1 and option in result.stderr, result.stderr
    assert (path.read_bytes() if path.exists() else None) == before
    assert not (tmp_path / "map.json").exists()


def test_an_export_to_a_link_writes_the_file_it_names(db: str, tmp_path: Path) -> None:
    """`-o latest.csv`, a link to the day's file: the export is written to that file and the link
    stays (it was replaced by a file of its own, the day's file left as it was; fault round 38)."""
    day = tmp_path / "exports" / "2026-12-04.csv"
    day.parent.mkdir()
    day.write_text("old\n")
    latest = tmp_path / "latest.csv"
    latest.symlink_to(day)
    export(db, "csv", "-o", str(latest))
    assert latest.is_symlink() and latest.resolve() == day
    assert day.read_text().startswith("route,")
    assert len(day.read_text().splitlines()) > 10_000


def test_an_export_to_a_pipe_or_a_device_is_refused(db: str, tmp_path: Path) -> None:
    """A node that is no file (a named pipe here; /dev/full or /dev/null as root) was replaced
    with a regular file holding the export, its readers given nothing, and the command said
    "exported N values" (fault round 38, F2). Refused in one line, exit 2, the node kept."""
    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    link = tmp_path / "stdout"
    link.symlink_to(pipe)
    for target in (pipe, link):
        args = ["export", "json", "--db", db, "-o", str(target)]
        result = CliRunner().invoke(app, args, prog_name="ratecard")
        assert result.exit_code == 2, result.output
        assert result.stderr == (
            f"ratecard export: Invalid value for '--output': {target} is not a file "
            "(a device, a pipe); give a file\n"
        )
        assert stat.S_ISFIFO(pipe.stat().st_mode) and link.is_symlink()


def test_litellm_export_states_no_context_tier_below_a_lower_one(db: str, tmp_path: Path) -> None:
    """Each field of the catalog is judged on its own source's statements: OpenRouter's official
    cache write of gemini-3.1-pro-preview beside LiteLLM's cheaper tier above 200k tokens.
    Written into one LiteLLM entry, the tier reads as priced below its base, which LiteLLM's
    readers (ratecard's own: the tiers_ascending rule) refuse; such a tier is left out of the
    map and listed in the sidecar with its reason."""
    target = tmp_path / "model_prices_and_context_window.json"
    export(db, "litellm", "-o", str(target))
    sidecar = json.loads((tmp_path / "model_prices_and_context_window.provenance.json").read_text())
    url = next(iter(fault_kinds.urls("litellm")))
    read_back = fault_kinds.read("litellm", {url: target.read_bytes()})
    assert not read_back.failure and read_back.valid
    assert [p.detail for p in read_back.problems if p.rule == "tiers_ascending"] == []
    below = [v for v in sidecar["left_out"] if "below" in v["reason"]]
    assert below and all("context_above" in v["dimensions"] for v in below)
