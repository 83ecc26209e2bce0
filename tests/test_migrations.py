"""Migrations keep what is stored: 0003 moves each observation's provenance to its response."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, text

from catalog import store
from catalog.compare import anomaly_identity, fingerprint


def migrate(url: str, revision: str, *, down: bool = False) -> None:
    config = Config()
    config.set_main_option("script_location", str(store.MIGRATIONS))
    with create_engine(url).begin() as conn:
        config.attributes["connection"] = conn
        (command.downgrade if down else command.upgrade)(config, revision)


def test_0003_moves_provenance_to_responses_and_back(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    migrate(url, "0002")
    litellm = "https://raw.githubusercontent.com/BerriAI/litellm/main/model_prices_and_context_window.json"
    with create_engine(url).begin() as conn:
        conn.execute(
            text(
                "INSERT INTO runs (id, started_at, policy, status, summary) "
                "VALUES (1, '2026-11-21 00:00:00', 'review', 'ok', '{}')"
            )
        )
        for component, value in (("input", "0.22"), ("output", "0.59")):
            conn.execute(
                text(
                    "INSERT INTO observations (run_id, source, route, model, source_model, kind, "
                    "component, unit, dimensions, value, observed_at, url, landing_url, evidence) "
                    "VALUES (1, 'litellm', 'sambanova', 'gpt-oss-120b', 'sambanova/gpt-oss-120b', "
                    "'price', :component, 'usd_per_1m_tokens', '', :value, "
                    "'2026-07-18 00:00:00.000000', :url, :url, 'x')"
                ),
                {"component": component, "value": value, "url": litellm},
            )  # fmt: skip
    migrate(url, "head")
    with create_engine(url).connect() as conn:
        rows = conn.execute(text(
            "SELECT o.component, r.source, r.url, r.observed_at FROM observations o "
            "JOIN responses r ON r.id = o.response_id ORDER BY o.id"
        )).all()  # fmt: skip
        responses = conn.execute(text("SELECT count(*) FROM responses")).scalar()
    assert responses == 1
    assert [(r.component, r.source, r.url) for r in rows] == [
        ("input", "litellm", litellm),
        ("output", "litellm", litellm),
    ]
    assert rows[0].observed_at.startswith("2026-07-18")
    migrate(url, "0002", down=True)
    with create_engine(url).connect() as conn:
        back = conn.execute(text("SELECT url, observed_at FROM observations")).all()
    assert [r.url for r in back] == [litellm, litellm]


def test_0006_turns_repeated_statements_into_intervals(tmp_path: Path) -> None:
    """Three refreshes of one LiteLLM URL: input stated in all three is one interval; output
    stated as 0.59, then 0.60, then 0.59 again is three (a gap keeps intervals apart)."""
    url = f"sqlite:///{tmp_path / 'old.db'}"
    migrate(url, "0003")
    litellm = "https://raw.githubusercontent.com/BerriAI/litellm/main/model_prices_and_context_window.json"
    stated = {
        1: {"input": "0.22", "output": "0.59"},
        2: {"input": "0.22", "output": "0.60"},
        3: {"input": "0.22", "output": "0.59"},
    }
    with create_engine(url).begin() as conn:
        conn.execute(
            text(
                "INSERT INTO catalog_values (id, route, model, kind, component, unit, dimensions, "
                "value, valid_from, accepted_by, accepted_source) VALUES (1, 'sambanova', "
                "'gpt-oss-120b', 'price', 'input', 'usd_per_1m_tokens', '', '0.22', "
                "'2026-07-18 00:00:00.000000', 'policy:accept-new', 'litellm')"
            )
        )
        for run, values in stated.items():
            at = f"2026-07-{17 + run} 00:00:00.000000"
            conn.execute(
                text(
                    "INSERT INTO runs (id, started_at, policy, status, summary) "
                    "VALUES (:run, :at, 'review', 'ok', '{}')"
                ),
                {"run": run, "at": at},
            )
            conn.execute(
                text(
                    "INSERT INTO responses (id, run_id, source, url, landing_url, observed_at) "
                    "VALUES (:run, :run, 'litellm', :url, :url, :at)"
                ),
                {"run": run, "url": litellm, "at": at},
            )
            for component, value in values.items():
                conn.execute(
                    text(
                        "INSERT INTO observations (run_id, response_id, source, route, model, "
                        "source_model, kind, component, unit, dimensions, value, evidence) VALUES "
                        "(:run, :run, 'litellm', 'sambanova', 'gpt-oss-120b', "
                        "'sambanova/gpt-oss-120b', 'price', :component, 'usd_per_1m_tokens', '', "
                        ":value, 'x')"
                    ),
                    {"run": run, "component": component, "value": value},
                )
            conn.execute(
                text(
                    "INSERT INTO stamps (value_id, run_id, source, official, observed_at) "
                    "VALUES (1, :run, 'litellm', 0, :at)"
                ),
                {"run": run, "at": at},
            )
    migrate(url, "head")
    with create_engine(url).connect() as conn:
        rows = conn.execute(
            text(
                "SELECT component, value, o.run_id, r.run_id FROM observations o "
                "JOIN interval_ends e ON e.id = o.end_id JOIN responses r ON r.id = e.response_id "
                "ORDER BY component, o.run_id"
            )
        ).all()
        stamp = conn.execute(
            text("SELECT run_id, last_run_id, first_observed_at, observed_at FROM stamps")
        ).all()
    assert [tuple(r) for r in rows] == [
        ("input", "0.22", 1, 3),
        ("output", "0.59", 1, 1),
        ("output", "0.60", 2, 2),
        ("output", "0.59", 3, 3),
    ]
    [(first_run, last_run, first_at, last_at)] = stamp
    assert (first_run, last_run) == (1, 3)
    assert first_at.startswith("2026-07-18") and last_at.startswith("2026-07-20")


def test_0007_adds_the_triage_columns_and_takes_them_back(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'triage.db'}"
    triage = {"priority", "set_id", "lead_source", "fields", "escalated"}

    def columns() -> set[str]:
        with create_engine(url).connect() as conn:
            return {r[1] for r in conn.execute(text("PRAGMA table_info(review_items)"))}

    migrate(url, "0007")
    assert triage <= columns()
    migrate(url, "-1", down=True)
    assert not triage & columns() and "due_at" in columns()


def test_0011_keeps_no_index_on_a_moving_interval_end_and_takes_them_back(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'ends.db'}"
    moving = {
        "ix_observations_run_id",
        "ix_observations_last_response",
        "ix_observations_source_last_run",
        "ix_stamps_value_id",
        "ix_stamps_run_id",
        "ix_stamps_source_last_run",
    }

    def indexes() -> set[str]:
        with create_engine(url).connect() as conn:
            return set(
                conn.execute(text("SELECT name FROM sqlite_master WHERE type = 'index'")).scalars()
            )

    def plan(query: str) -> str:
        with create_engine(url).connect() as conn:
            return " ".join(r[-1] for r in conn.execute(text(f"EXPLAIN QUERY PLAN {query}")))

    migrate(url, "0010")
    assert moving <= indexes()
    migrate(url, "0011")
    assert not moving & indexes()
    # what each source stated in a run, and an unchanged source's stamps, still go by an index
    by_last_run = "SELECT id FROM observations WHERE source = 'x' AND last_run_id = 1"
    assert "USING INDEX ix_observations_source_run" in plan(by_last_run)
    stamps = "UPDATE stamps SET last_run_id = 2 WHERE source = 'x' AND last_run_id = 1"
    assert "USING INDEX ix_stamps_source" in plan(stamps)
    migrate(url, "0010", down=True)
    assert moving <= indexes() and "ix_stamps_source" not in indexes()
    store.connect(url).dispose()  # a catalog behind the newest revision is upgraded on connect
    assert not moving & indexes() and "ix_stamps_source" in indexes()


def test_0012_points_intervals_at_end_rows_and_takes_them_back(tmp_path: Path) -> None:
    """Two responses of one URL: the interval stated in both ends at the second, the one stated
    only in the first ends there; each response that ends an interval gets one end row."""
    url = f"sqlite:///{tmp_path / 'ends.db'}"
    migrate(url, "0011")
    litellm = "https://raw.githubusercontent.com/BerriAI/litellm/main/model_prices_and_context_window.json"
    # (component, value, first run/response, last run/response); ids as migration 0010 starts them
    intervals = [("input", "0.22", 32768, 32769), ("output", "0.59", 32768, 32768)]
    with create_engine(url).begin() as conn:
        for run in (32768, 32769):
            conn.execute(
                text(
                    "INSERT INTO runs (id, started_at, policy, status, summary) "
                    "VALUES (:run, '2026-07-18 00:00:00', 'review', 'ok', '{}')"
                ),
                {"run": run},
            )
            conn.execute(
                text(
                    "INSERT INTO responses (id, run_id, source, url, landing_url, observed_at) "
                    "VALUES (:run + 8355840, :run, 'litellm', :url, :url, '2026-07-18 00:00:00')"
                ),
                {"run": run, "url": litellm},
            )
        for component, value, first, last in intervals:
            conn.execute(
                text(
                    "INSERT INTO observations (run_id, response_id, last_run_id, last_response_id, "
                    "source, route, model, source_model, kind, component, unit, dimensions, value, "
                    "evidence) VALUES (:first, :first + 8355840, :last, :last + 8355840, "
                    "'litellm', 'sambanova', 'gpt-oss-120b', 'sambanova/gpt-oss-120b', 'price', "
                    ":component, 'usd_per_1m_tokens', '', :value, 'x')"
                ),
                {"first": first, "last": last, "component": component, "value": value},
            )
    migrate(url, "head")
    with create_engine(url).connect() as conn:
        ends = conn.execute(text("SELECT response_id FROM interval_ends ORDER BY id")).scalars()
        assert list(ends) == [32768 + 8355840, 32769 + 8355840]
        rows = conn.execute(
            text(
                "SELECT component, value, o.run_id, r.run_id FROM observations o "
                "JOIN interval_ends e ON e.id = o.end_id JOIN responses r ON r.id = e.response_id "
                "ORDER BY component"
            )
        ).all()
    assert [tuple(r) for r in rows] == intervals
    migrate(url, "0011", down=True)
    with create_engine(url).connect() as conn:
        back = conn.execute(
            text(
                "SELECT component, value, run_id, last_run_id, last_response_id - 8355840 "
                "FROM observations ORDER BY component"
            )
        ).all()
        tables = set(conn.execute(text("SELECT name FROM sqlite_master")).scalars())
    assert [tuple(r[:4]) for r in back] == intervals and [r[4] for r in back] == [32769, 32768]
    assert "interval_ends" not in tables


def test_0013_adds_the_reviewers_sign_out_and_takes_it_back(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'sign_out.db'}"

    def columns() -> set[str]:
        with create_engine(url).connect() as conn:
            return {r[1] for r in conn.execute(text("PRAGMA table_info(reviewers)"))}

    migrate(url, "0013")
    assert "signed_out_at" in columns()
    migrate(url, "0012", down=True)
    assert "signed_out_at" not in columns() and "secret_hash" in columns()


def insert_anomaly(url: str, detail: str, stored: str, changes: str = "[]") -> None:
    """One open anomaly item on openrouter/gemini-2.5-flash-image, fingerprinted `stored`."""
    with create_engine(url).begin() as conn:
        conn.execute(
            text(
                "INSERT INTO review_items (kind, route, model, title, changes, sources, "
                "detail, fingerprint, slot, status, created_at, due_at, last_seen_at) VALUES "
                "('anomaly', 'openrouter', 'gemini-2.5-flash-image', 't', :changes, "
                "'[\"openrouter\"]', :detail, :stored, 's', 'open', '2026-08-19 00:00:00', "
                "'2026-08-21 00:00:00', '2026-08-19 00:00:00')"
            ),
            {"changes": changes, "detail": detail, "stored": stored},
        )


def fingerprints(url: str) -> list[str]:
    with create_engine(url).connect() as conn:
        return list(
            conn.execute(text("SELECT fingerprint FROM review_items ORDER BY id")).scalars()
        )


IMAGE_DETAIL = (
    'implausible for unit: input (modality=image) 1E-7 usd_per_image (pricing.image="1e-7"): '
    "outside the usd_per_image band 0.00001..100"
)


def anomaly_fingerprint(detail: str) -> str:
    identity = anomaly_identity("openrouter", detail)
    return fingerprint("anomaly", "openrouter", "gemini-2.5-flash-image", identity)


def test_0014_fingerprints_set_aside_anomalies_with_numbers_read_one_way(tmp_path: Path) -> None:
    """An anomaly item about a value set aside, fingerprinted from its detail as written, gets
    the fingerprint the comparison now gives it (a rewrite of its numbers finds it); an item
    with changes keeps its own."""
    url = f"sqlite:///{tmp_path / 'anomalies.db'}"
    migrate(url, "0013")
    written = fingerprint(
        "anomaly", "openrouter", "gemini-2.5-flash-image", ("openrouter", [IMAGE_DETAIL])
    )
    insert_anomaly(url, IMAGE_DETAIL, written)
    insert_anomaly(url, IMAGE_DETAIL, "kept", changes='[{"kind": "price"}]')
    migrate(url, "0014")
    assert fingerprints(url) == [anomaly_fingerprint(IMAGE_DETAIL), "kept"]
    assert fingerprints(url)[0] != written
    rewritten = IMAGE_DETAIL.replace('"1e-7"', '"0.0000001"')
    assert anomaly_fingerprint(rewritten) == anomaly_fingerprint(IMAGE_DETAIL)


def test_0016_reads_a_number_quoted_whole_as_the_number(tmp_path: Path) -> None:
    """A detail quoting the value as a JSON string ("1e-7") and one writing it as a number
    (1e-07, the source's next spelling) are one anomaly: the stored item is fingerprinted again
    so that the next spelling finds it."""
    url = f"sqlite:///{tmp_path / 'quoted.db'}"
    migrate(url, "0015")
    # as 0014 read it: each number one way, the quotes kept
    read_by_0014 = IMAGE_DETAIL.replace("1E-7", "0.0000001").replace('"1e-7"', '"0.0000001"')
    before = fingerprint(
        "anomaly", "openrouter", "gemini-2.5-flash-image", ("openrouter", [read_by_0014])
    )
    insert_anomaly(url, IMAGE_DETAIL, before)
    migrate(url, "head")
    as_number = IMAGE_DETAIL.replace('"1e-7"', "1e-07")
    assert fingerprints(url) == [anomaly_fingerprint(as_number)] != [before]


def test_0015_titles_say_none_where_a_field_holds_no_value(tmp_path: Path) -> None:
    """Titles written with Python's None for a missing value say "none"; a None that is part of
    a name stays as written."""
    url = f"sqlite:///{tmp_path / 'titles.db'}"
    migrate(url, "0014")
    titles = [
        "new_model: azure/fw-deepseekv3.2 cache_read: None → 0.31 usd_per_1m_tokens",
        "disagreement: openai/gpt-4o input: 2.5 → None usd_per_1m_tokens",
        "new_model: vercel/None-mini: 3 fields",
    ]
    with create_engine(url).begin() as conn:
        for title in titles:
            conn.execute(
                text(
                    "INSERT INTO review_items (kind, route, model, title, changes, sources, "
                    "detail, fingerprint, slot, status, created_at, due_at, last_seen_at) VALUES "
                    "('new_model', 'r', 'm', :title, '[]', '[]', '', 'f', 's', 'open', "
                    "'2026-08-19 00:00:00', '2026-08-21 00:00:00', '2026-08-19 00:00:00')"
                ),
                {"title": title},
            )
    migrate(url, "head")
    with create_engine(url).connect() as conn:
        now = list(conn.execute(text("SELECT title FROM review_items ORDER BY id")).scalars())
    assert now == [
        "new_model: azure/fw-deepseekv3.2 cache_read: none → 0.31 usd_per_1m_tokens",
        "disagreement: openai/gpt-4o input: 2.5 → none usd_per_1m_tokens",
        "new_model: vercel/None-mini: 3 fields",
    ]


def test_a_new_catalog_takes_large_pages_and_an_older_one_keeps_its_own(tmp_path: Path) -> None:
    new = store.connect(f"sqlite:///{tmp_path / 'new.db'}")
    with new.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA page_size").scalar() == store.PAGE_SIZE
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    old_url = f"sqlite:///{tmp_path / 'old.db'}"
    migrate(old_url, "head")  # made as SQLite makes a file: its default pages
    with create_engine(old_url).connect() as conn:
        made_with = conn.exec_driver_sql("PRAGMA page_size").scalar()
    assert made_with != store.PAGE_SIZE
    old = store.connect(old_url)
    run_id = store.start_run(
        old, world=None, policy="review", now=datetime(2026, 12, 5, tzinfo=UTC)
    )
    with old.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA page_size").scalar() == made_with
        assert conn.exec_driver_sql("SELECT id FROM runs").scalars().all() == [run_id]
