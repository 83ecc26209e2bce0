"""A URL answering a body it gave months earlier, under a fresh date (a stale copy behind a cache,
a mirror rolled back), is no evidence the first run it comes back; the next run that answers it
again reads it (a price really put back).

LiteLLM's epoch-1 price map (dated 2026-03-03) is loaded (accept-new), then its epoch-2 map
(review). Then epoch-2's world is replayed with LiteLLM's URL answering the epoch-1 file dated
as epoch-2's answer: read as new evidence, it opened hundreds of price changes back to March's
prices that the next clean day superseded (fault round 35, F2).
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from catalog import health, store
from catalog.health import Answer, History
from catalog.tables import catalog_values, review_items
from tests.conftest import WORLDS, copy_catalog, replayed_catalog
from tests.worlds import fault_world, recorded_text, replayed, replayed_run, reported

pytestmark = pytest.mark.integration

LITELLM = (
    "https://raw.githubusercontent.com/BerriAI/litellm/main/model_prices_and_context_window.json"
)


def recorded(base: str, url: str) -> dict[str, str]:
    """The manifest entry `base` records for `url`."""
    manifest = json.loads((WORLDS / f"{base}.json").read_text())
    [entry] = [e for e in manifest["responses"] if e["url"] == url and "file" in e]
    return {key: str(value) for key, value in entry.items()}


@pytest.fixture(scope="module")
def march_then_july(prefect_api: None, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """LiteLLM's epoch-1 map loaded, then its epoch-2 one: the run's one catalog of these
    refreshes, which the tests copy (conftest's `replayed_catalog`; it starts from the epoch-1
    catalog test_base_at_tier_price copies)."""
    runs = [("epoch-1", ["litellm"], True), ("epoch-2", ["litellm"], False)]
    return replayed_catalog(tmp_path_factory, runs)


def state(db: str) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    """The values in force and the open items (ids) of `db`."""
    c, r = catalog_values.c, review_items.c
    with store.connect(db).connect() as conn:
        values = conn.execute(
            select(c.route, c.model, c.kind, c.component, c.unit, c.dimensions, c.value)
            .where(c.valid_to.is_(None))
            .order_by(c.id)
        ).all()
        items = conn.execute(select(r.id).where(r.status == "open").order_by(r.id)).all()
    return [tuple(v) for v in values], [tuple(i) for i in items]


@pytest.mark.parametrize(
    "written", [("as recorded", "re-indented"), ("re-indented", "as recorded")]
)
def test_a_return_to_an_earlier_body_is_held_a_day_then_read(
    march_then_july: Path, tmp_path: Path, written: tuple[str, str]
) -> None:
    """The March map served again as it was recorded, or re-indented with a newline at its end
    (a mirror that writes the file out again: other bytes, the same body; fault round 36 F3),
    and the next day written the other way: the return lasts (fault round 37 N2: a mirror
    writing it otherwise each day kept LiteLLM held for good)."""
    march, july = recorded("epoch-1", LITELLM), recorded("epoch-2", LITELLM)
    file = (WORLDS / march["file"]).resolve()
    answers = {
        "as recorded": {"file": str(file), "date": july["date"]},
        "re-indented": {
            "body": json.dumps(json.loads(file.read_text()), indent=2) + "\n",
            "date": july["date"],
        },
    }
    first, second = written
    world = fault_world(tmp_path, {LITELLM: answers[first]})
    db = copy_catalog(march_then_july, tmp_path / "catalog.db")
    before = state(db)

    held = replayed(db, world, ["litellm"])
    assert held.is_failed()  # its one source not applied, as on a day it is stale
    status, reason = reported(db, held.result(raise_on_failure=False))["litellm"]
    assert status == "stale"
    assert reason == (
        f"{LITELLM}: returned to an earlier body (the body it gave on 2026-03-03, "
        "another since; read if it lasts)"
    )
    assert state(db) == before  # nothing changed, nothing proposed by its absence

    again = replayed_run(db, fault_world(tmp_path, {LITELLM: answers[second]}), ["litellm"])
    assert reported(db, again)["litellm"][0] == "ok"
    # read, March's prices agree with the catalog again: July's price changes are no longer
    # raised, and no value changed
    assert state(db)[0] == before[0]
    assert price_changes(db, before[1]) and not price_changes(db, state(db)[1])


def test_a_url_answering_two_bodies_in_turn_is_held_until_one_lasts(
    march_then_july: Path, tmp_path: Path
) -> None:
    """A replica answering the March map and the July map in turn (a cache's edges out of step):
    the March map is held, then read once it lasts, and July's read back the next day (a
    recovery); after that each swing was read, and about 100 items closed and reopened each day
    (fault round 37, N1). A URL whose last three answers swung between two bodies is read on
    neither until one lasts."""
    march, july = recorded("epoch-1", LITELLM), recorded("epoch-2", LITELLM)
    bodies = {"march": str((WORLDS / march["file"]).resolve()), "july": str(WORLDS / july["file"])}
    db = copy_catalog(march_then_july, tmp_path / "catalog.db")
    days = ["march", "march", "july", "march", "july", "march", "july"]
    statuses: list[str] = []
    states = []
    for day, body in enumerate(days, start=19):
        answer = {"file": bodies[body], "date": f"2026-07-{day}T00:00:00Z"}
        run = replayed(db, fault_world(tmp_path, {LITELLM: answer}), ["litellm"])
        status, reason = reported(db, run.result(raise_on_failure=False))["litellm"]
        statuses.append(status)
        states.append(state(db))
    assert statuses == ["stale", "ok", "ok", "ok", "stale", "ok", "stale"]
    assert reason == (
        f"{LITELLM}: returned to an earlier body (the body it gave on 2026-07-21, "
        "answering two bodies in turn; read if it lasts)"
    )
    # the fourth day's March map is the last read: nothing changed, closed or reopened since
    assert states[3] == states[4] == states[5] == states[6]
    assert states[2] != states[3]


def price_changes(db: str, ids: list[tuple[object, ...]]) -> list[str]:
    """The titles of the price changes among the items `ids` of `db`."""
    r = review_items.c
    with store.connect(db).connect() as conn:
        return list(
            conn.execute(
                select(r.title).where(r.id.in_([i for (i,) in ids]), r.kind == "price_change")
            ).scalars()
        )


def test_a_return_is_held_once_and_not_a_recovery_from_a_fault() -> None:
    at = datetime(2026, 8, 19, tzinfo=UTC)
    march = datetime(2026, 3, 3, tzinfo=UTC)
    now = datetime(2026, 12, 1, tzinfo=UTC)
    answer = Answer(
        LITELLM, LITELLM, 200, at, 2000, content_hash="a", returned_from=march, returned_as="c"
    )
    # its last answer gave another body: the return is no evidence
    verdict = health.judge_answer(answer, History(bodies=("b", "a")), True, now)
    assert (verdict.fault, verdict.evidence) == (health.RETURNED, False)
    # a body it last gave days before: back from a fault (a misprint read for a day), read
    recovered = replace(answer, returned_from=at - timedelta(days=2))
    assert health.judge_answer(recovered, History(bodies=("b", "a")), True, now).evidence
    # but not when the URL's last three answers swung between it and another body
    swinging = health.judge_answer(recovered, History(bodies=("b", "a", "b")), True, now)
    assert (swinging.fault, swinging.evidence) == (health.RETURNED, False)
    assert health.SWINGING in swinging.detail
    assert health.judge_answer(recovered, History(bodies=("b", "a", "a")), True, now).evidence
    # its last answer (held) gave this body too: the return lasted, and is read
    assert health.judge_answer(answer, History(bodies=("a", "b")), True, now).evidence
    # or returned to it written otherwise (bytes "d", the same canonical body "c")
    lasted = History(bodies=("d", "b"), returned_as="c")
    assert health.judge_answer(answer, lasted, True, now).evidence


def test_a_body_written_otherwise_is_the_same_body() -> None:
    recorded_map = (WORLDS / recorded("epoch-1", LITELLM)["file"]).read_bytes()
    document = json.loads(recorded_map)
    rewritten = json.dumps(dict(reversed(document.items())), indent=1).encode() + b"\n"
    assert rewritten != recorded_map
    assert health.canonical(rewritten) == health.canonical(recorded_map)
    # a price written otherwise is another body
    model = next(
        k for k, v in document.items() if isinstance(v, dict) and v.get("input_cost_per_token")
    )
    document[model]["input_cost_per_token"] *= 10
    assert health.canonical(json.dumps(document).encode()) != health.canonical(recorded_map)
    # a page: its lines indented otherwise, a newline added
    page = recorded_text("https://platform.openai.com/docs/pricing").encode()
    assert health.canonical(page.replace(b"\n", b"\n  ") + b"\n") == health.canonical(page)
    assert health.canonical(page.replace(b"$2.50", b"$25.0")) != health.canonical(page)
    # the page with a byte order mark, or in UTF-16 or UTF-32 (each with its mark), as the page
    # parsers read it alike (a fault round: an earlier page served again with a UTF-8 BOM was
    # read as new evidence, and a model added since counted absent)
    text = page.decode()
    for written in (b"\xef\xbb\xbf" + page, text.encode("utf-16"), text.encode("utf-32")):
        assert health.canonical(written) == health.canonical(page)
    assert health.canonical(b"\xff\xfe\xff") == b"\xff\xfe\xff"  # no text: as it is


VERCEL = "https://ai-gateway.vercel.sh/v1/models"


def test_a_body_written_otherwise_then_as_before_is_no_return(
    prefect_api: None, tmp_path_factory: pytest.TempPathFactory, tmp_path: Path
) -> None:
    """A fault probe (h57): Vercel's listing answered with a byte-order mark one day (read, the
    same content) and without it the next was held that next day as "returned to an earlier
    body (the body it gave on 2026-04-02, another since)", stale, its verifications not
    renewed: the URL's last answer was this very body written otherwise, so nothing returned."""
    db = copy_catalog(
        replayed_catalog(tmp_path_factory, [("epoch-2", ["vercel"], True)]),
        tmp_path / "catalog.db",
    )
    text = recorded_text(VERCEL)
    days = {"2026-08-25": {"body": "\ufeff" + text}, "2026-08-26": {"body": text}}
    for day, answer in days.items():
        (tmp_path / day).mkdir()
        world = fault_world(tmp_path / day, {VERCEL: {**answer, "date": f"{day}T00:00:00Z"}})
        run_id = replayed_run(db, world, ["vercel"])
        assert reported(db, run_id)["vercel"] == ("ok", ""), day
