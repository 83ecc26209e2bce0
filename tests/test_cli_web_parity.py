"""What the CLI and the web app say alike, on catalogs made by real refreshes of the replay worlds:
a set listing filtered by a source says the whole set's size (what a decision covers) beside
the items citing the source; every page's nav links the models list; `show` and `routes` take
`--at` as the pages take `?at=`."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from typer.testing import CliRunner

from catalog import queries, store
from catalog.tables import review_items
from ratecard.cli import app as cli
from ratecard.output import measure_name
from review import decisions
from review.reviewers import add_reviewer
from schemas.records import clock_text, decimal_text
from tests.conftest import approve_an_openrouter_change, copy_catalog, replayed_catalog
from webapp import create_app

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def two_sources(prefect_api: None, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """OpenRouter's API and LiteLLM's map as the recorded epoch-1 world has them (accept-new),
    then refreshed with epoch-2: OpenRouter's price-change set holds items LiteLLM also cites
    and items it does not."""
    both = ["openrouter", "litellm"]
    return replayed_catalog(tmp_path_factory, [("epoch-1", both, True), ("epoch-2", both, False)])


@pytest.fixture
def two_db(two_sources: Path, tmp_path: Path) -> str:
    return copy_catalog(two_sources, tmp_path / "two.db")


def narrowed_set(db: str, source: str) -> tuple[str, int, int]:
    """A set some but not all of whose open items cite `source`: (id, citing, whole)."""
    with store.connect(db).connect() as conn:
        every = {s.id: s.items for s in queries.change_sets(conn, queries.QueueFilter())}
        citing = queries.change_sets(conn, queries.QueueFilter(source=source))
    found = next((s.id, s.items, every[s.id]) for s in citing if s.items < every[s.id])
    return found


def test_sets_by_source_say_the_whole_set_a_decision_covers(two_db: str) -> None:
    set_id, citing, whole = narrowed_set(two_db, "litellm")
    client = TestClient(create_app(two_db, secret_key="test-only-secret"))
    listed = {s["id"]: s for s in client.get("/api/sets?source=litellm&limit=1000").json()}
    assert (listed[set_id]["items"], listed[set_id]["set_items"]) == (citing, whole)
    page = client.get("/sets?source=litellm")
    assert page.status_code == 200
    row = re.search(rf'href="/sets/{re.escape(set_id)}".*?</tr>', page.text, re.S)
    assert row is not None
    assert f'<td class="items">{whole}</td>' in row[0]
    assert f'<td class="citing">{citing} items' in row[0]
    assert "a decision on a set covers all its open items, whether or not they cite litellm" in (
        page.text
    )
    out = CliRunner().invoke(cli, ["review", "sets", "--source", "litellm", "--db", two_db])
    assert out.exit_code == 0, out.output
    line = next(x for x in out.output.splitlines() if x.startswith(set_id + "\t"))
    assert line.split("\t")[1].startswith(f"{whole} items, ")
    assert line.split("\t")[1].endswith(f" ({citing} cite litellm)")


def nav_links(page: str) -> list[str]:
    """The hrefs of a page's nav, in order."""
    nav = re.search(r"<nav>(.*?)</nav>", page, re.S)
    assert nav is not None, page[:300]
    return re.findall(r'<a [^>]*href="([^"]+)"', nav[1])


def test_every_pages_nav_links_the_models_list(catalog_db: str) -> None:
    """The reviewer's pages linked the queue, the submit form and the API, never /models."""
    client = TestClient(create_app(catalog_db, secret_key="test-only-secret"))
    with store.connect(catalog_db).connect() as conn:
        route, model = next((e.route, e.model) for e in queries.catalog_index(conn))
    pages = ["/queue", "/sets", "/submit", "/login", f"/models/{route}/{model}", "/models"]
    for path in pages:
        response = client.get(path)
        assert response.status_code == 200, path
        assert "/models" in nav_links(response.text), path
    missing = client.get("/items/999999")
    assert missing.status_code == 404 and "/models" in nav_links(missing.text)


def test_show_and_routes_take_at_as_the_pages_do(catalog_db: str) -> None:
    """`show ROUTE/MODEL --at DAY` and `routes MODEL --at DAY` read the catalog as it stood at
    the end of DAY, as /models/ROUTE/MODEL?at= does: after an approved price change, the day
    before it took effect shows the value it replaced; a malformed date is one line, exit 2."""
    engine = store.connect(catalog_db)
    add_reviewer(engine, "alice", "correct horse battery staple")
    with engine.connect() as conn:
        listed = queries.list_reviews(conn, status="open", kind="price_change", route="openrouter")
        items = [queries.get_review(conn, i.id) for i in listed]
    item = next(i for i in items if i and len(i.changes) == 1 and not i.changes[0].dimensions)
    change = item.changes[0]
    decisions.decide_items(
        engine, decisions.Verdict.APPROVE, [item.id], reviewer="alice", reason="parity test"
    )
    with engine.connect() as conn:
        view = queries.model_view(conn, item.route, item.model)
    (new,) = [f for f in view.fields if f.component == change.component and not f.dimensions]
    before = (new.valid_from - timedelta(days=1)).date().isoformat()
    target = f"{item.route}/{item.model}"
    runner = CliRunner()

    def value_at(at: list[str]) -> Decimal | None:
        out = runner.invoke(cli, ["show", target, *at, "--db", catalog_db, "--json"])
        assert out.exit_code == 0, out.output
        found = [
            f["value"]
            for f in json.loads(out.output)["fields"]
            if f["component"] == change.component and not f["dimensions"]
        ]
        return Decimal(found[0]) if found else None

    assert value_at([]) == Decimal(str(change.proposed))
    assert value_at(["--at", before]) == Decimal(str(change.current))
    assert value_at(["--at", "1999-12-31"]) is None
    web = TestClient(create_app(catalog_db, secret_key="test-only-secret"))
    assert web.get(f"/models/{target}?at={before}").status_code == 200

    routes = runner.invoke(cli, ["routes", item.model, "--at", before, "--db", catalog_db])
    assert routes.exit_code == 0, routes.output
    assert f"by route as of {before}" in " ".join(routes.output.split())  # the title wraps
    assert decimal_text(Decimal(str(change.current))) in routes.output
    empty = runner.invoke(cli, ["routes", item.model, "--at", "1999-12-31", "--db", catalog_db])
    assert empty.exit_code == 1
    assert empty.output.strip().endswith(
        f"no route sells {item.model} in the catalog on 1999-12-31"
    )
    page = web.get(f"/models/{item.model}?at=1999-12-31")  # the page says what the CLI says
    assert page.status_code == 404
    assert f"no route sells {item.model} in the catalog on 1999-12-31" in page.text
    for command in (["show", target], ["routes", item.model]):
        for bad in ("garbage", "2026-02-30"):
            refused = runner.invoke(cli, [*command, "--at", bad, "--db", catalog_db])
            assert refused.exit_code == 2, refused.output
            lines = refused.output.strip().splitlines()
            assert lines[-1].endswith(f"'--at': {bad!r}: use a date, YYYY-MM-DD"), lines
            assert "Traceback" not in refused.output


def test_review_list_any_status_lists_what_the_web_queue_lists(two_db: str) -> None:
    """`review list --status any` is every item whatever its status, as /api/queue?status=any:
    after an approval, the approved item beside the open ones (`any` was refused as no status)."""
    engine = store.connect(two_db)
    add_reviewer(engine, "ana", "correct horse battery staple")
    with engine.connect() as conn:
        first = queries.list_reviews(conn, status="open", kind="price_change")[0].id
    decisions.decide_items(
        engine, decisions.Verdict.APPROVE, [first], reviewer="ana", reason="parity test"
    )
    shown = CliRunner().invoke(
        cli, ["review", "list", "--status", "any", "--limit", "100000", "--json", "--db", two_db]
    )
    assert shown.exit_code == 0, shown.output
    listed = json.loads(shown.output)
    client = TestClient(create_app(two_db, secret_key="test-only-secret"))
    queue = client.get("/api/queue?status=any&limit=1")
    assert len(listed) == int(queue.headers["X-Total-Count"])
    assert {"open", "approved"} <= {i["status"] for i in listed}
    assert next(i for i in listed if i["id"] == first)["status"] == "approved"
    cut = CliRunner().invoke(
        cli, ["review", "list", "--status", "any", "--limit", "5", "--json", "--db", two_db]
    )
    assert cut.exit_code == 0 and len(json.loads(cut.stdout)) == 5
    assert cut.stderr == f"showing 5 of {len(listed)} review items (--limit)\n"


def test_review_list_orders_the_queue_as_the_web_does(two_db: str) -> None:
    """`review list` sorts as the web queue and README do, by due time, then priority (P1
    first): it sorted by due time and id, so a P1 price change of the epoch-2 refresh came after
    P2 items due the same instant, and the two lists of one queue disagreed. Its table shows
    each item's priority, as the web queue's does, so the order reads."""
    shown = CliRunner().invoke(
        cli, ["review", "list", "--limit", "100000", "--json", "--db", two_db]
    )
    assert shown.exit_code == 0, shown.output
    listed = [item["id"] for item in json.loads(shown.stdout)]
    client = TestClient(create_app(two_db, secret_key="test-only-secret"))
    queued: list[int] = []
    while len(queued) < len(listed):
        page = client.get(f"/api/queue?limit=1000&offset={len(queued)}")
        assert page.status_code == 200 and page.json(), page.text
        queued += [item["id"] for item in page.json()]
    priorities = [item["priority"] for item in json.loads(shown.stdout)]
    assert len(set(priorities)) > 1  # the catalog holds items of several priorities
    assert listed == queued
    table = CliRunner().invoke(cli, ["review", "list", "--limit", "100000", "--db", two_db])
    rows = [line.split("│")[1:-1] for line in table.stdout.splitlines() if line.startswith("│")]
    header = next(line for line in table.stdout.splitlines() if line.startswith("┃"))
    assert [c.strip() for c in header.split("┃")[1:-1]][3:5] == ["due", "priority"]
    shown_order = [(int(cells[0]), cells[4].strip()) for cells in rows]
    assert shown_order == [(i, f"P{p}") for i, p in zip(listed, priorities, strict=True)]


def test_show_says_since_when_each_value_is_in_force_as_its_page_does(catalog_db: str) -> None:
    """`show` gave a value, its verification and who agrees, never from when it is in force:
    after an approved price change the table read as before it but for the value, while the
    route's page says Since. Each row now carries its value's first day in force."""
    engine, item = approve_an_openrouter_change(catalog_db)
    with engine.connect() as conn:
        view = queries.model_view(conn, item.route, item.model)
    target = f"{item.route}/{item.model}"
    shown = CliRunner().invoke(cli, ["show", target, "--db", catalog_db])
    assert shown.exit_code == 0, shown.output
    header = next(line for line in shown.stdout.splitlines() if "┃ field" in line)
    assert [c.strip() for c in header.split("┃")[1:5]] == ["field", "value", "unit", "since"]
    page = TestClient(create_app(catalog_db, secret_key="test-only-secret")).get(
        f"/models/{target}"
    )
    first = shown.stdout.split("└", 1)[0]  # the catalog's values, before the other tables
    rows = [line.split("│")[1:5] for line in first.splitlines() if line.startswith("│")]
    days = {cells[0].strip(): cells[3].strip() for cells in rows}
    change = item.changes[0]
    for f in view.fields:
        if f.kind.value == "capability":
            continue
        since = f.valid_from.date().isoformat()
        assert days[measure_name(f.measure)] == since
        assert f"<td>{since}</td>" in page.text
    changed = next(f for f in view.fields if f.measure == change.measure)
    assert days[measure_name(changed.measure)] == changed.valid_from.date().isoformat()


CLOCK = r"\d{4}-\d\d-\d\d \d\d:\d\d(:\d\d)? UTC"  # a time as a person reads it, zone named


def test_a_reasons_second_line_reads_as_no_audit_entry_of_its_own(catalog_db: str) -> None:
    """A fault round (h54): a reason whose second line was written as an audit entry ("  <time>
    bob (cli) approve: checked by bob") printed as one in `review show`, bob never having acted.
    A reason's lines after its first are indented under a bar; characters that move or hide
    text (a direction override stored before they were refused) are shown escaped."""
    engine, _ = approve_an_openrouter_change(catalog_db)
    with engine.connect() as conn:
        item = queries.list_reviews(conn, status="open", kind="price_change")[0]
    forged = "fine\n  2026-12-07 07:50:00 UTC bob (cli) approve: checked by bob"
    decisions.reject(engine, item.id, reviewer="alice", reason=forged)
    with engine.begin() as conn:  # one written before such characters were refused
        conn.execute(
            review_items.update()
            .where(review_items.c.id == item.id)
            .values(reason="fine\n  2026-12-07 07:50:00 UTC bob (cli) approve\u202e")
        )
    shown = CliRunner().invoke(cli, ["review", "show", str(item.id), "--db", catalog_db])
    assert shown.exit_code == 0, shown.output
    lines = shown.stdout.splitlines()
    assert not [line for line in lines if re.match(rf"  {CLOCK} bob ", line)], lines
    trail = lines[lines.index("audit:") + 1 :]
    assert re.match(rf"  {CLOCK} alice \(cli\) reject: fine$", trail[0]), trail
    assert trail[1] == "      |   2026-12-07 07:50:00 UTC bob (cli) approve: checked by bob", trail
    assert "approve\\u202e" in shown.stdout and "\u202e" not in shown.stdout


def test_review_show_gives_times_as_the_list_and_the_audit_do(catalog_db: str) -> None:
    """`review show` printed 'due 2026-12-11T10:40:58.972751Z' and 'approved
    2026-12-06T10:42:19.266070Z by alice' above an audit line '2026-12-06T10:42:19 alice': the
    due time is now to the minute, as `review list` and the item's page give it, and the
    decision's to the second, as its audit line. The commands then gave times three ways:
    `submit` '2026-12-08 10:46 UTC', `review list` and `review sets` '2026-12-11T10:40' (no
    zone), `reviewer list` a whole ISO 8601 time; every human line now says
    '2026-12-11 10:40 UTC' (JSON keeps ISO 8601 with its 'Z')."""
    _, item = approve_an_openrouter_change(catalog_db)
    runner = CliRunner()
    listed = runner.invoke(
        cli, ["review", "list", "--status", "approved", "--json", "--db", catalog_db]
    )
    (decided,) = json.loads(listed.stdout)
    due = clock_text(decided["due_at"])
    assert re.fullmatch(CLOCK, due), due
    shown = runner.invoke(cli, ["review", "show", str(item.id), "--db", catalog_db])
    assert shown.exit_code == 0, shown.output
    lines = shown.stdout.splitlines()
    assert f" · due {due} · run " in lines[1], lines[1]
    audit = re.match(rf"  ({CLOCK}) alice ", lines[lines.index("audit:") + 1])
    assert audit is not None, lines
    assert lines[2].startswith(f"approved {audit[1]} by alice"), (lines[2], audit[1])
    assert not re.search(r":\d\d\.\d{6}", shown.stdout)  # no microseconds
    table = runner.invoke(cli, ["review", "list", "--status", "approved", "--db", catalog_db])
    assert f"│ {due} │" in table.stdout, table.stdout
    sets = runner.invoke(cli, ["review", "sets", "--limit", "1", "--db", catalog_db])
    assert re.search(rf"\tdue {CLOCK}\t", sets.stdout), sets.stdout
    people = runner.invoke(cli, ["reviewer", "list", "--db", catalog_db])
    assert re.fullmatch(rf"alice  active  added {CLOCK}\n", people.stdout), people.stdout
    claim = ["anthropic", "claude-sonnet-4-5", "https://example.com/p", "--claim", "input 3"]
    submitted = runner.invoke(cli, ["submit", *claim, "--db", catalog_db])
    assert re.search(rf"; due {CLOCK}; status page ", submitted.stdout), submitted.output
    page = TestClient(create_app(catalog_db, secret_key="test-only-secret")).get(
        f"/items/{item.id}"
    )
    assert f"due {due}" in page.text


def test_a_price_unit_is_written_one_way_wherever_a_person_reads_it(
    catalog_db: str, two_db: str
) -> None:
    """`show`, review titles, `report` and the feed wrote 'usd_per_1m_tokens' where `cost`,
    `routes` and the model pages wrote 'USD per 1M tokens'. Where a person reads it, the unit
    is now 'USD per 1M tokens' everywhere; the stored title, the JSON and a `--claim` keep the
    token."""
    _, item = approve_an_openrouter_change(catalog_db)
    runner = CliRunner()
    route_model = f"{item.route}/{item.model}"
    said = {
        "review list": ["review", "list", "--status", "any", "--limit", "5000"],
        "review show": ["review", "show", str(item.id)],
        "show": ["show", route_model],
        "report": ["report", "disagreements", "--source", "litellm"],
    }
    # a dry run's values it would close and open ('would open input: 0.5 usd_per_1m_tokens')
    listing = ["review", "list", "--kind", "price_change", "--json", "--limit", "1"]
    [first] = json.loads(runner.invoke(cli, [*listing, "--db", catalog_db]).stdout)
    dry_run = ["review", "approve", str(first["id"]), "-r", "alice", "--dry-run"]
    said["review approve --dry-run"] = dry_run
    for name, args in said.items():
        db = two_db if name == "report" else catalog_db  # LiteLLM beside OpenRouter's own
        shown = runner.invoke(cli, [*args, "--db", db])
        assert shown.exit_code == 0, (name, shown.output)
        assert "usd_per_" not in shown.stdout, (name, shown.stdout[:2000])
        assert "USD per 1M tokens" in shown.stdout, name
    listed = runner.invoke(cli, ["review", "show", str(item.id), "--json", "--db", catalog_db])
    assert "usd_per_1m_tokens" in json.loads(listed.stdout)["title"]  # stored as it was
    client = TestClient(create_app(catalog_db, secret_key="test-only-secret"))
    for path in (f"/items/{item.id}", "/queue", f"/models/{route_model}", "/feed.atom"):
        page = client.get(path)
        assert page.status_code == 200, path
        assert "usd_per_" not in page.text, path
        assert "USD per 1M tokens" in page.text, path
    claim = ["anthropic", "claude-sonnet-4-5", "https://example.com/p"]
    claimed = runner.invoke(
        cli, ["submit", *claim, "--claim", "input 3 usd_per_1m_tokens", "--db", catalog_db]
    )
    assert claimed.exit_code == 0, claimed.output


def test_an_items_detail_writes_its_units_as_its_title_does(two_db: str) -> None:
    """An anomaly's detail (what validation set aside: Azure's '= 44 usd_per_1m_tokens (…
    retailPrice 0.044 USD per 1K)', LiteLLM's here) kept the token under a title that now
    says 'USD per 1M tokens': `review show` and the item's page spell the detail the same way;
    JSON keeps it."""
    engine = store.connect(two_db)
    with engine.connect() as conn:
        item_id = conn.execute(
            select(review_items.c.id)
            .where(review_items.c.detail.like("%usd_per_1m_tokens%"))
            .order_by(review_items.c.id)
            .limit(1)
        ).scalar_one()
    engine.dispose()
    shown = CliRunner().invoke(cli, ["review", "show", str(item_id), "--db", two_db])
    assert shown.exit_code == 0, shown.output
    assert "usd_per_" not in shown.stdout and "USD per 1M tokens" in shown.stdout, shown.stdout
    page = TestClient(create_app(two_db, secret_key="test-only-secret")).get(f"/items/{item_id}")
    assert "usd_per_" not in page.text.split("<h2>Detail</h2>", 1)[1], page.text
