"""Migrations keep what is stored: 0003 moves each observation's provenance to its response."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, text

from catalog import store


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


def test_0005_adds_the_triage_columns_and_takes_them_back(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'triage.db'}"
    triage = {"priority", "set_id", "lead_source", "fields", "escalated"}

    def columns() -> set[str]:
        with create_engine(url).connect() as conn:
            return {r[1] for r in conn.execute(text("PRAGMA table_info(review_items)"))}

    migrate(url, "0005")
    assert triage <= columns()
    migrate(url, "-1", down=True)
    assert not triage & columns() and "due_at" in columns()
