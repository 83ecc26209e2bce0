"""An unchanged source costs nothing (issue 12.1): a source whose every response repeats, byte for
byte, its previous complete one is confirmed without being read again, and provenance stays
complete. The decision rules on real bodies' hashes; then the real flow on the recorded epoch-2
world refreshed again, a day later, and with one source's body changed (made from the real one)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from catalog import queries, reading_code, store
from catalog.tables import (
    catalog_values,
    interval_ends,
    last_stated,
    observations,
    responses,
    runs,
    source_runs,
    stamps,
)
from catalog.unchanged import Answer, PreviousResponse, PreviousRun, Unchanged, decide
from flows.refresh import refresh
from schemas.records import SourceStatus
from tests.conftest import SNAPSHOTS, WORLDS, copy_catalog, run_flow
from tests.published import epoch2_catalog
from tests.test_fault_kinds import urls
from tests.test_faults_kill import newest_run
from tests.worlds import epoch2_loaded, fault_world, replayed_run

DAY = datetime(2026, 8, 14, tzinfo=UTC)


def _hash(relative: str) -> str:
    return hashlib.sha256((SNAPSHOTS / relative).read_bytes()).hexdigest()


CODE = "reading code of this run"  # catalog/reading_code.py's fingerprint, as decide compares it


def _previous(
    hashes: dict[str, str],
    *,
    status: str = "ok",
    mark: tuple[int, int] = (9, 9),
    code: str | None = CODE,
) -> Any:
    return PreviousRun(
        run_id=4,
        status=status,
        responses={
            url: PreviousResponse(i + 1, h, DAY, since_id=i + 1, since_run=2, since_at=DAY)
            for i, (url, h) in enumerate(sorted(hashes.items()))
        },
        records=10,
        observations=20,
        quarantined=1,
        stamped=5,
        catalog_mark=mark,
        reading_code=code,
    )


OPENROUTER = {
    "https://openrouter.ai/api/v1/models": _hash("openrouter/models.2026-08-19.json"),
    "https://openrouter.ai/api/v1/models?output_modalities=all": _hash(
        "openrouter/models-output_modalities-all.2026-08-19.json"
    ),
}


VERCEL = "vercel-ai-gateway/models.2026-04.json"


def _answers(hashes: dict[str, str], at: datetime = DAY) -> list[Answer]:
    return [Answer(url, url, h, at) for url, h in hashes.items()]


def test_every_body_repeated_after_a_complete_run_is_unchanged() -> None:
    later = DAY + timedelta(days=1)
    found = decide(
        "openrouter",
        SourceStatus.OK,
        _answers(OPENROUTER, later),
        _previous(OPENROUTER),
        (9, 9),
        CODE,
    )
    assert isinstance(found, Unchanged)
    assert found.dates == {DAY: later}
    assert found.reason == "unchanged since run 2 (2026-08-14)"


@pytest.mark.parametrize(
    ("status", "answers", "previous", "mark", "why"),
    [
        (SourceStatus.PARTIAL, OPENROUTER, _previous(OPENROUTER), (9, 9), "not ok this run"),
        (SourceStatus.OK, OPENROUTER, None, (9, 9), "no previous run"),
        (SourceStatus.OK, OPENROUTER, _previous(OPENROUTER, status="partial"), (9, 9), "partial"),
        (
            SourceStatus.OK,
            {**OPENROUTER, "https://openrouter.ai/api/v1/models": _hash(VERCEL)},
            _previous(OPENROUTER),
            (9, 9),
            "body differs",
        ),
        (
            SourceStatus.OK,
            dict(list(OPENROUTER.items())[:1]),
            _previous(OPENROUTER),
            (9, 9),
            "a different set of URLs",
        ),
        (SourceStatus.OK, OPENROUTER, _previous(OPENROUTER), (10, 9), "the catalog changed"),
        (SourceStatus.OK, OPENROUTER, _previous(OPENROUTER, code="older"), (9, 9), "reading code"),
        (SourceStatus.OK, OPENROUTER, _previous(OPENROUTER, code=None), (9, 9), "reading code"),
    ],
)  # fmt: skip
def test_anything_else_goes_the_normal_way(
    status: SourceStatus,
    answers: dict[str, str],
    previous: PreviousRun | None,
    mark: tuple[int, int],
    why: str,
) -> None:
    found = decide("openrouter", status, _answers(answers), previous, mark, CODE)
    assert isinstance(found, str) and why in found


def test_a_source_answering_in_full_that_did_not_then_reads_the_others_again() -> None:
    """The previous run read OpenRouter's bytes while LiteLLM failed: the rules across sources
    judged them without LiteLLM's statements. LiteLLM answers in full now, so OpenRouter's
    same bytes are read again; a source failing then and now, or one answering in full then
    and now, changes nothing."""
    previous = replace(_previous(OPENROUTER), in_full=frozenset({"openrouter", "vercel"}))
    args = ("openrouter", SourceStatus.OK, _answers(OPENROUTER), previous, (9, 9), CODE)
    found = decide(*args, in_full={"openrouter", "vercel", "litellm"})
    assert found == "litellm answered in full, not in run 4"
    assert isinstance(decide(*args, in_full={"openrouter", "vercel"}), Unchanged)
    assert isinstance(decide(*args, in_full={"openrouter"}), Unchanged)


def test_a_response_dated_before_the_one_it_repeats_is_not_unchanged() -> None:
    earlier = DAY - timedelta(days=1)
    found = decide(
        "openrouter",
        SourceStatus.OK,
        _answers(OPENROUTER, earlier),
        _previous(OPENROUTER),
        (9, 9),
        CODE,
    )
    assert isinstance(found, str) and "dated before" in found


def test_dates_that_cannot_carry_over_one_to_one_are_not_unchanged() -> None:
    answers = _answers(OPENROUTER)
    answers[1] = Answer(answers[1].url, answers[1].url, answers[1].content_hash, DAY + timedelta(1))
    found = decide("openrouter", SourceStatus.OK, answers, _previous(OPENROUTER), (9, 9), CODE)
    assert isinstance(found, str) and "one to one" in found


# ---- the real flow on recorded worlds -------------------------------------------------------

SOURCES = ["openrouter", "azure", "anthropic-page"]


def _world(tmp_path: Path, name: str, days: int, bodies: dict[str, str] | None = None) -> Path:
    """epoch-2 with every date `days` later and the `bodies` given (by URL) in place of the
    recorded ones."""
    manifest = json.loads((WORLDS / "epoch-2.json").read_text())
    for entry in manifest["responses"]:
        if "file" in entry:
            entry["file"] = str((WORLDS / entry["file"]).resolve())
        at = datetime.fromisoformat(entry["date"].replace("Z", "+00:00")) + timedelta(days=days)
        entry["date"] = at.isoformat()
        if bodies and entry["url"] in bodies:
            entry.pop("file", None)
            entry["body"] = bodies[entry["url"]]
    path = tmp_path / f"{name}.json"
    path.write_text(json.dumps(manifest))
    return path


def _openrouter_repriced() -> dict[str, str]:
    """OpenRouter's two recorded bodies with one model's input price raised (the rest as served)."""
    changed: dict[str, str] = {}
    for url, relative in (
        ("https://openrouter.ai/api/v1/models", "openrouter/models.2026-08-19.json"),
        (
            "https://openrouter.ai/api/v1/models?output_modalities=all",
            "openrouter/models-output_modalities-all.2026-08-19.json",
        ),
    ):
        body = json.loads((SNAPSHOTS / relative).read_text())
        for model in body["data"]:
            if model["id"] == "qwen/qwen3.8-27b":
                model["pricing"]["prompt"] = "0.00000055"
        changed[url] = json.dumps(body)
    return changed


def _values(db: str) -> list[tuple[Any, ...]]:
    with store.connect(db).connect() as conn:
        return [
            tuple(r) for r in conn.execute(select(catalog_values).order_by(catalog_values.c.id))
        ]


def _reports(db: str, run_id: int) -> dict[str, Any]:
    with store.connect(db).connect() as conn:
        rows = conn.execute(select(source_runs).where(source_runs.c.run_id == run_id))
        return {r.source: r for r in rows}


@pytest.fixture(scope="module")
def refreshed(prefect_api: None, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """epoch-2 on an empty catalog (accept-new); the same world again; a day later; two days
    later with OpenRouter's bodies changed. Catalog values and counts after each."""
    tmp = tmp_path_factory.mktemp("unchanged")
    db = f"sqlite:///{tmp / 'catalog.db'}"
    worlds = [
        (WORLDS / "epoch-2.json", True),
        (WORLDS / "epoch-2.json", False),
        (_world(tmp, "next-day", 1), False),
        (_world(tmp, "repriced", 2, _openrouter_repriced()), False),
    ]
    found: dict[str, Any] = {"db": db, "values": [], "observations": [], "runs": [], "ends": []}
    for world, accept_new in worlds:
        found["runs"].append(replayed_run(db, world, SOURCES, accept_new=accept_new))
        found["values"].append(_values(db))
        with store.connect(db).connect() as conn:
            found["observations"].append(
                conn.execute(select(func.count()).select_from(observations)).scalar()
            )
            found["ends"].append(
                (
                    set(
                        conn.execute(
                            select(responses.c.run_id).select_from(last_stated()).distinct()
                        ).scalars()
                    ),
                    set(conn.execute(select(stamps.c.last_run_id).distinct()).scalars()),
                )
            )
    return found


@pytest.mark.integration
def test_the_second_refresh_marks_every_source_unchanged_and_changes_no_value(
    refreshed: dict[str, Any],
) -> None:
    db, (first, second, *_) = refreshed["db"], refreshed["runs"]
    reports = _reports(db, second)
    assert set(reports) == set(SOURCES)
    for report in reports.values():
        assert report.status == "ok"
        assert report.reason.startswith(f"unchanged since run {first} (")
    assert refreshed["values"][1] == refreshed["values"][0]
    assert refreshed["observations"][1] == refreshed["observations"][0]
    with store.connect(db).connect() as conn:
        summary = conn.execute(select(runs.c.summary).where(runs.c.id == second)).scalar_one()
        lines = conn.execute(
            select(responses.c.run_id, responses.c.same_as_id, responses.c.content_hash)
            .where(responses.c.source == "openrouter")
            .order_by(responses.c.id)
        ).all()
    assert set(summary["unchanged"]) == set(SOURCES)
    assert summary["reading_code"] == reading_code.fingerprint()
    assert summary["stamps"] == 0 and summary["review_items_opened"] == 0
    assert refreshed["ends"][0] == ({first}, {first})
    assert refreshed["ends"][1] == ({second}, {second})  # every interval and stamp confirmed
    assert [line.run_id for line in lines[:4]] == [first, first, second, second]
    assert [line.same_as_id for line in lines[:2]] == [None, None]  # new bodies
    assert lines[2].content_hash == lines[0].content_hash and lines[2].same_as_id is not None
    assert all(line.content_hash for line in lines)


@pytest.mark.integration
def test_a_day_later_the_verified_and_last_seen_dates_move_and_provenance_stays(
    refreshed: dict[str, Any],
) -> None:
    db, (first, second, third, fourth) = refreshed["db"], refreshed["runs"]
    before, after = refreshed["values"][1], refreshed["values"][2]
    assert len(before) == len(after)
    column = {name: i for i, name in enumerate(catalog_values.c.keys())}
    moved = 0
    for old, new in zip(before, after, strict=True):
        for name in column:
            if name != "verified_at":
                assert old[column[name]] == new[column[name]], name
        if old[column["verified_by"]] in SOURCES:
            assert new[column["verified_at"]] == old[column["verified_at"]] + timedelta(days=1)
            moved += 1
    assert moved > 100
    with store.connect(db).connect() as conn:
        azure = conn.execute(
            select(catalog_values.c.model).where(catalog_values.c.verified_by == "azure").limit(1)
        ).scalar_one()
        view = queries.model_view(conn, "azure", azure)
        interval = conn.execute(
            select(observations.c.response_id, interval_ends.c.response_id)
            .select_from(last_stated())
            .where(observations.c.source == "azure", observations.c.model == azure)
        ).first()
        assert interval is not None
        start = conn.execute(select(responses).where(responses.c.id == interval[0])).one()
        line = conn.execute(
            select(responses)
            .where(responses.c.source == "azure", responses.c.url == start.url)
            .order_by(responses.c.id)
        ).all()
        reports = _reports(db, third)
    # `ratecard show` after the last refresh (azure unchanged throughout, two days on): each
    # azure-verified value dated by the response of its URL
    verified = {
        f.verified_at.isoformat()[:10]
        for f in view.fields
        if f.verified_at and f.verified_by == "azure"
    }
    assert verified and verified <= {"2026-08-16", "2026-07-16"}
    # the statement's interval runs from run 1's response to run 4's, through each in between
    assert [r.run_id for r in line] == [first, second, third, fourth]
    assert line[0].id == start.id and line[-1].id == interval[1]
    assert [r.same_as_id for r in line] == [None, start.id, start.id, start.id]
    assert [r.observed_at - start.observed_at for r in line] == [
        timedelta(days=d) for d in (0, 0, 1, 2)
    ]
    assert all(r.reason.startswith(f"unchanged since run {first}") for r in reports.values())


@pytest.mark.integration
def test_one_source_whose_body_differs_is_read_while_the_others_are_unchanged(
    refreshed: dict[str, Any],
) -> None:
    db, (first, *_, fourth) = refreshed["db"], refreshed["runs"]
    reports = _reports(db, fourth)
    assert reports["openrouter"].status == "ok"
    assert not reports["openrouter"].reason.startswith("unchanged")
    assert reports["openrouter"].review_items >= 1  # the raised price is proposed for review
    assert reports["azure"].reason.startswith(f"unchanged since run {first}")
    assert reports["anthropic-page"].reason.startswith(f"unchanged since run {first}")
    assert reports["azure"].review_items == reports["anthropic-page"].review_items == 0
    verified_at = list(catalog_values.c.keys()).index("verified_at")
    unverified = [r[:verified_at] + r[verified_at + 1 :] for r in refreshed["values"][2]]
    assert [r[:verified_at] + r[verified_at + 1 :] for r in refreshed["values"][3]] == unverified
    assert refreshed["observations"][3] > refreshed["observations"][2]  # the new statement


@pytest.mark.integration
def test_after_the_reading_code_changed_the_same_bytes_are_read_again(
    prefect_api: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A parser or rule changed since the last run may read the same bytes otherwise: the
    repeat is read, compared and applied, and the next repeat under that code is unchanged."""
    db = f"sqlite:///{tmp_path / 'catalog.db'}"

    def run(accept_new: bool) -> int:
        return replayed_run(db, WORLDS / "epoch-2.json", ["anthropic-page"], accept_new=accept_new)

    run(True)
    before = _values(db)
    monkeypatch.setattr(reading_code, "fingerprint", lambda: "reading code changed since")
    read_again = _reports(db, run(False))["anthropic-page"]
    assert read_again.status == "ok" and not read_again.reason.startswith("unchanged")
    assert read_again.observations > 0 and _values(db) == before
    repeat = _reports(db, run(False))["anthropic-page"]
    assert repeat.status == "ok" and repeat.reason.startswith("unchanged since run ")


LITELLM = (
    "https://raw.githubusercontent.com/BerriAI/litellm/main/model_prices_and_context_window.json"
)


@pytest.mark.integration
@pytest.mark.parametrize("portkey", ["unchanged", "failing"])
def test_a_source_read_beside_unread_ones_maps_its_names_as_among_them(
    prefect_api: None, tmp_path_factory: pytest.TempPathFactory, tmp_path: Path, portkey: str
) -> None:
    """Whether a dated id is a model of its own is decided from every statement of the run
    (Portkey's prices gpt-5.2-2025-12-11 apart from gpt-5.2, where LiteLLM's alone do not).
    Then LiteLLM's body changes (one byte) while Portkey's is unchanged, or Portkey fails:
    LiteLLM states the same models as when all three were read (learning from Portkey's stored
    observations instead folded some of LiteLLM's dated ids into their base: a source that
    failed changed another's statements, and three runs later 'missing' items opened for
    models LiteLLM lists)."""
    db = f"sqlite:///{tmp_path / 'catalog.db'}"
    body = (SNAPSHOTS / "litellm/model_prices_and_context_window.json").read_text() + "\n"
    broken: dict[str, dict[str, Any]] = {LITELLM: {"body": body}}
    if portkey == "failing":
        broken |= {url: {"status": 500, "body": ""} for url in urls("portkey")}
    later = fault_world(tmp_path, broken)

    def litellm_models(run_id: int) -> set[str]:  # what LiteLLM stated in that run
        with store.connect(db).connect() as conn:
            return set(
                conn.execute(
                    select(observations.c.model)
                    .select_from(last_stated())
                    .where(
                        observations.c.source == "litellm",
                        observations.c.run_id <= run_id,
                        responses.c.run_id >= run_id,
                    )
                ).scalars()
            )

    read = ["litellm", "portkey", "openai-page"]
    epoch2_loaded(tmp_path_factory, tmp_path / "catalog.db", read)
    first = newest_run(db)
    second = replayed_run(db, later, read)
    reports = _reports(db, second)
    assert reports["portkey"].status == ("ok" if portkey == "unchanged" else "failed")
    assert not reports["litellm"].reason.startswith("unchanged")
    assert "gpt-5.2-2025-12-11" in litellm_models(first)
    assert litellm_models(second) == litellm_models(first)


def test_0009_carries_an_existing_catalog_over_and_back(tmp_path: Path) -> None:
    """A catalog from before hashing keeps its responses (no hash: its next refresh of each
    source goes the normal way); downgrading takes the columns and the bodies table back."""
    from sqlalchemy import create_engine, inspect, text

    from tests.test_migrations import migrate

    url = f"sqlite:///{tmp_path / 'old.db'}"
    migrate(url, "0008")
    with create_engine(url).begin() as conn:
        conn.execute(
            text(
                "INSERT INTO runs (id, started_at, policy, status, summary) "
                "VALUES (1, '2026-08-19 00:00:00', 'review', 'ok', '{}')"
            )
        )
        conn.execute(
            text(
                "INSERT INTO responses (id, run_id, source, url, landing_url, observed_at) "
                "VALUES (1, 1, 'openrouter', :u, :u, '2026-08-19 00:00:00.000000')"
            ),
            {"u": "https://openrouter.ai/api/v1/models"},
        )
    migrate(url, "head")
    engine = store.connect(url)
    with engine.connect() as conn:
        kept = conn.execute(select(responses.c.id, responses.c.content_hash)).all()
        previous = store.previous_runs(conn, ["openrouter"])
    assert [tuple(r) for r in kept] == [(1, None)]
    assert previous == {}  # no source_runs row: never judged, so nothing to repeat
    migrate(url, "0008", down=True)
    columns = {c["name"] for c in inspect(create_engine(url)).get_columns("responses")}
    assert "content_hash" not in columns and "observed_at" in columns
    assert "bodies" not in inspect(create_engine(url)).get_table_names()


@pytest.mark.integration
def test_refreshing_the_same_world_again_hardly_grows_the_catalog(
    prefect_api: None, tmp_path_factory: pytest.TempPathFactory, tmp_path: Path
) -> None:
    """The whole recorded epoch-2 world on an empty catalog, then four times more: the second
    refresh grows the SQLite file by less than 1 MB (interval ends move in place without
    lengthening a row: migration 0010) and the observation count stays where the first left it.
    The first refresh is the run's one epoch-2 accept-new catalog (tests/published.py, whose
    build checks that it completed), copied page for page (SQLite's backup keeps its free
    pages: the file is as large as the refresh left it)."""
    path = tmp_path / "catalog.db"
    copy_catalog(epoch2_catalog(tmp_path_factory), path)
    sizes: list[int] = []
    counts: list[int] = []
    for refresh_number in range(5):
        if refresh_number:
            state = run_flow(
                refresh(
                    replay=str(WORLDS / "epoch-2.json"),
                    database=f"sqlite:///{path}",
                    accept_new=False,
                    return_state=True,
                )
            )
            assert state.is_completed(), state.message
        engine = store.connect(f"sqlite:///{path}")
        with engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
            counts.append(conn.execute(select(func.count()).select_from(observations)).scalar_one())
        engine.dispose()
        sizes.append(path.stat().st_size)
    assert counts[0] > 100_000 and counts == [counts[0]] * 5
    assert sizes[1] - sizes[0] < 1_000_000, sizes


def test_0010_carries_an_existing_catalog_over_and_back(tmp_path: Path) -> None:
    """A catalog from before 0010 keeps the ids it gave; its next run and response take ids
    from the fixed-width ranges (runs from 32,768, responses from 8,388,608)."""
    from sqlalchemy import create_engine, text

    from tests.test_migrations import migrate

    url = f"sqlite:///{tmp_path / 'old.db'}"
    migrate(url, "0009")
    with create_engine(url).begin() as conn:
        conn.execute(
            text(
                "INSERT INTO runs (id, started_at, policy, status, summary) "
                "VALUES (1, '2026-08-19 00:00:00', 'review', 'ok', '{}')"
            )
        )
        conn.execute(
            text(
                "INSERT INTO responses (id, run_id, source, url, landing_url, observed_at) "
                "VALUES (1, 1, 'openrouter', :u, :u, '2026-08-19 00:00:00.000000')"
            ),
            {"u": "https://openrouter.ai/api/v1/models"},
        )
    migrate(url, "head")
    with create_engine(url).begin() as conn:
        run = conn.execute(
            text(
                "INSERT INTO runs (started_at, policy, status, summary) "
                "VALUES ('2026-08-20 00:00:00', 'review', 'ok', '{}') RETURNING id"
            )
        ).scalar_one()
        response = conn.execute(
            text(
                "INSERT INTO responses (run_id, source, url, landing_url, observed_at) "
                "VALUES (:r, 'openrouter', 'u', 'u', '2026-08-20 00:00:00.000000') RETURNING id"
            ),
            {"r": run},
        ).scalar_one()
        kept = conn.execute(text("SELECT id FROM responses ORDER BY id")).scalars().all()
    assert (run, response) == (2**15, 2**23)
    assert kept == [1, 2**23]
    migrate(url, "0009", down=True)
    with create_engine(url).connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM responses")).scalar_one() == 2
