"""Source health, the run report and the per-source boundary: pure functions on answers and
records made from real recorded responses."""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta, timezone

import pytest

import spiders.openrouter
from catalog import health, intake
from catalog.health import Answer, History
from catalog.identity import Identity
from catalog.normalize import UNREADABLE_RULE
from schemas.batch import validate, validate_by_source
from schemas.fetch import FetchedPage
from schemas.records import Observation, Problem, SourceRun, SourceStatus
from schemas.sources import sources
from tests.conftest import snapshot

MODELS = "https://openrouter.ai/api/v1/models"
ALL = "https://openrouter.ai/api/v1/models?output_modalities=all"
AUGUST = datetime(2026, 8, 19, tzinfo=UTC)
MAY = datetime(2026, 5, 20, tzinfo=UTC)
SEEN = {MODELS: History(AUGUST, 414), ALL: History(AUGUST, 549)}


def answer(url: str, records: int, at: datetime = AUGUST, error: str = "") -> Answer:
    return Answer(url, url, 0 if error else 200, None if error else at, records, error)


NOW = datetime(2026, 12, 1, tzinfo=UTC)


def judged(*answers: Answer, last: int | None = 963) -> health.Health:
    return health.source_health(answers, [MODELS, ALL], SEEN, History(records=last), NOW)


def test_every_listing_answering_in_full_is_ok() -> None:
    found = judged(answer(MODELS, 414), answer(ALL, 549))
    assert (found.status, found.reason) == (SourceStatus.OK, "")
    assert found.evidence_urls == {MODELS, ALL}


def test_one_empty_listing_of_two_makes_the_source_partial_never_ok() -> None:
    found = judged(answer(MODELS, 414), answer(ALL, 0))
    assert found.status is SourceStatus.PARTIAL
    assert found.reason == f"{ALL}: empty listing (no records)"
    assert found.evidence_urls == {MODELS}


def test_a_collapsed_listing_is_judged_against_its_own_usual_count() -> None:
    """200 records would pass against the source's total history; not against this URL's."""
    found = judged(answer(MODELS, 414), answer(ALL, 200))
    assert found.status is SourceStatus.PARTIAL
    assert f"{ALL}: collapsed listing (200 records against its usual 549)" in found.reason


def test_a_swollen_listing_is_no_evidence() -> None:
    """A listing padded to ten times its models (copies under new ids) opened 2,300 new-model
    items in a fault round; more than twice the usual count is as far off as half of it."""
    found = judged(answer(MODELS, 414), answer(ALL, 5490))
    assert found.status is SourceStatus.PARTIAL and found.evidence_urls == {MODELS}
    assert found.reason == f"{ALL}: swollen listing (5490 records against its usual 549)"
    assert judged(answer(MODELS, 414), answer(ALL, 1098)).status is SourceStatus.OK
    # a listing of a handful of models that doubles is a provider adding a few
    few = {MODELS: History(AUGUST, 8)}
    grown = health.source_health([answer(MODELS, 30)], [MODELS], few, History(), NOW)
    assert grown.status is SourceStatus.OK
    padded = health.source_health([answer(MODELS, 34)], [MODELS], few, History(), NOW)
    assert padded.reason == f"{MODELS}: swollen listing (34 records against its usual 8)"


@pytest.mark.parametrize(
    ("counts", "usual"),
    [
        ([], None),
        ([258], 258),
        ([2580, 258], 258),  # the day after one swollen answer: the true count is usual
        ([258, 2580, 258], 258),
        ([600, 600, 258], 600),  # a count that lasted two answers is the usual one
        ([100, 258, 258, 5], 258),  # only the newest three count
    ],
)
def test_a_urls_usual_count_is_the_median_of_its_last_answers(
    counts: list[int], usual: int | None
) -> None:
    assert health.usual_records(counts) == usual


@pytest.mark.parametrize(
    ("counts", "usual"),
    [
        # newest first: (count, judged fault-free)
        ([(258, True)] * 3, 258),
        ([(100, False), (258, True), (258, True)], 258),  # collapsed for a day
        ([(100, False), (100, False), (258, True)], 100),  # lasted: usual from its third day
        ([(100, True), (100, False), (100, False), (258, True)], 100),  # read, and stays usual
        # collapsed twice, recovered, collapsed again: the recovered count is usual
        ([(258, True), (100, False), (100, False), (258, True), (258, True)], 258),
        ([(100, False), (258, True), (100, False), (100, False), (258, True)], 258),
        ([(2580, False), (258, True), (258, True)], 258),  # swollen for a day
        ([(258, True), (2580, False), (2580, False), (258, True)], 258),
        ([(180, True), (100, False), (258, True)], 180),  # a fault agreeing with what came after
    ],
)
def test_a_count_the_source_recovered_from_is_not_usual(
    counts: list[tuple[int, bool]], usual: int
) -> None:
    kept = health.Counts()
    for count, fault_free in counts:
        kept.add(count, fault_free)
    assert health.usual_records(kept.kept) == usual


@pytest.mark.parametrize(
    ("bodies", "before", "copies"),
    [
        # this run's body hash by URL; each URL's last two answered bodies and last two bodies
        # that were evidence, newest first
        ({"a": "1", "b": "1"}, {}, {}),  # a first read: not judged
        ({"a": "1", "b": "1"}, {"a": ("11", "11"), "b": ("11", "11")}, {}),  # one file, two URLs
        ({"a": "1", "b": "1"}, {"a": ("11", "11"), "b": ("22", "22")}, {"b": "a"}),
        ({"a": "2", "b": "1"}, {"a": ("11", "11"), "b": ("22", "22")}, {"a": "b", "b": "a"}),
        # swapped a second day, and the day after one swap day or two
        ({"a": "2", "b": "1"}, {"a": ("21", "11"), "b": ("12", "22")}, {"a": "b", "b": "a"}),
        ({"a": "1", "b": "2"}, {"a": ("21", "11"), "b": ("12", "22")}, {}),
        ({"a": "1", "b": "2"}, {"a": ("22", "11"), "b": ("11", "22")}, {}),
        ({"a": "1", "b": "3"}, {"a": ("11", "11"), "b": ("22", "22")}, {}),  # b changed: read
        ({"a": "3", "b": "3"}, {"a": ("11", "11"), "b": ("22", "22")}, {}),  # no donor
        ({"a": "3", "b": "3"}, {"a": ("11", "11"), "b": ("11", "11")}, {}),  # changed together
        # a answers what b gave as b changes: a copy that day and the next, its own the third
        ({"a": "2", "b": "3"}, {"a": ("11", "11"), "b": ("22", "22")}, {"a": "b"}),
        ({"a": "2", "b": "3"}, {"a": ("21", "11"), "b": ("32", "32")}, {"a": "b"}),
        ({"a": "2", "b": "3"}, {"a": ("22", "11"), "b": ("33", "33")}, {}),
        ({"a": "1", "b": "1"}, {"a": ("11", "11"), "b": ("1", "")}, {}),  # b gave no evidence
        # b read for the first time: answering a's own bytes, a copy; answering the bytes a
        # changed to, which gave which's is not known (a was refused as b's copy)
        ({"a": "1", "b": "1"}, {"a": ("11", "11"), "b": ("", "")}, {"b": "a"}),
        ({"a": "2", "b": "2"}, {"a": ("11", "11"), "b": ("", "")}, {}),
        ({"a": "2", "b": "3"}, {"a": ("11", "11"), "b": ("", "")}, {}),
    ],
)
def test_a_url_answering_another_urls_bytes_is_a_copy(
    bodies: dict[str, str], before: dict[str, tuple[str, str]], copies: dict[str, str]
) -> None:
    history = {
        url: History(bodies=tuple(answered), evidence_bodies=tuple(evidence))
        for url, (answered, evidence) in before.items()
    }
    assert health.copies(bodies, history) == copies


@pytest.mark.parametrize(
    ("bodies", "before", "copies"),
    [
        # "1" and "1'" are one body written otherwise (health.canonical), so are "2" and "2'"
        ({"a": "1'", "b": "1"}, {"a": ("22", "22"), "b": ("11", "11")}, {"a": "b"}),
        ({"a": "1'", "b": "3"}, {"a": ("22", "22"), "b": ("11", "11")}, {}),  # b changed too
        # one file at two URLs (Portkey's sagemaker.json and segmind.json), a re-indented:
        # the body b gives is one a gave itself
        ({"a": "1'", "b": "1"}, {"a": ("11", "11"), "b": ("11", "11")}, {}),
        ({"a": "1'", "b": "1"}, {}, {}),  # a first read: not judged
    ],
)
def test_a_url_answering_another_urls_body_written_otherwise_is_a_copy(
    bodies: dict[str, str], before: dict[str, tuple[str, str]], copies: dict[str, str]
) -> None:
    """A fault round: Portkey's openai.json answering azure-openai.json's file re-indented was
    read; a regression round: sagemaker.json re-indented was refused as segmind.json's, the
    one file both URLs serve."""
    history = {
        url: History(bodies=tuple(answered), evidence_bodies=tuple(evidence))
        for url, (answered, evidence) in before.items()
    }

    def alike(url: str, other: str) -> bool:
        return bodies[url].rstrip("'") == bodies[other].rstrip("'")

    assert health.copies(bodies, history, alike) == copies


def test_the_count_before_a_collapse_is_no_swollen_one() -> None:
    """A fault round: Vercel's listing cut to a third two days, then whole: its usual count was
    the collapsed one (the median of 86, 86, 258), and the whole listing read as swollen;
    the next day's cut listing was read. A count at the fault-free ones' usual is evidence."""
    counts = health.Counts()
    for count, fault_free in [(86, False), (86, False), (258, True), (258, True), (258, True)]:
        counts.add(count, fault_free)
    usual = counts.history()
    assert (usual.records, usual.steady) == (86, 258)
    recovered = health.source_health([answer(MODELS, 258)], [MODELS], {MODELS: usual}, usual, NOW)
    assert recovered.status is SourceStatus.OK
    counts = health.Counts()
    for count, fault_free in [(258, True), (86, False), (86, False), (258, True), (258, True)]:
        counts.add(count, fault_free)
    again = counts.history()
    cut = health.source_health([answer(MODELS, 86)], [MODELS], {MODELS: again}, again, NOW)
    assert cut.reason == f"{MODELS}: collapsed listing (86 records against its usual 258)"


def test_every_listing_empty_breaks_the_source() -> None:
    found = judged(answer(MODELS, 0), answer(ALL, 0))
    assert found.status is SourceStatus.BROKEN and not found.evidence_urls
    assert found.reason.startswith("empty listing for 2 of 2 URLs")


def test_an_empty_listing_without_history_is_still_a_fault() -> None:
    found = health.source_health([answer(MODELS, 0)], [MODELS], {}, History(), NOW)
    assert found.status is SourceStatus.BROKEN


def test_an_answer_older_than_the_evidence_is_stale_with_both_dates() -> None:
    found = judged(answer(MODELS, 356, MAY), answer(ALL, 356, MAY))
    assert found.status is SourceStatus.STALE and not found.evidence_urls
    assert "2026-05-20" in found.reason and "2026-08-19" in found.reason
    assert all(v.fault == health.STALE for v in found.verdicts)


def test_one_stale_listing_leaves_the_other_as_evidence() -> None:
    found = judged(answer(MODELS, 414), answer(ALL, 549, MAY))
    assert found.status is SourceStatus.PARTIAL and found.evidence_urls == {MODELS}


def test_the_same_date_again_is_not_stale() -> None:
    assert judged(answer(MODELS, 414), answer(ALL, 549)).status is SourceStatus.OK


def test_an_answer_dated_in_the_future_is_no_evidence() -> None:
    """A wrong clock at the source must not make every later true answer look stale."""
    ahead = datetime(2027, 1, 1, tzinfo=UTC)
    found = judged(answer(MODELS, 414, ahead), answer(ALL, 549))
    assert found.status is SourceStatus.PARTIAL and found.evidence_urls == {ALL}
    # dates as a person reads them: the day alone at midnight UTC, else to the second in UTC
    # (ISO timestamps, "2027-01-01T00:00:00+00:00", before: fault round 36, F6)
    ahead_at_noon = datetime(2027, 1, 1, 12, 30, 5, 250, tzinfo=timezone(timedelta(hours=2)))
    noon = judged(answer(MODELS, 414, ahead_at_noon), answer(ALL, 549))
    assert f"{MODELS}: dated in the future (response dated 2027-01-01, fetched " in found.reason
    assert "(response dated 2027-01-01 10:30:05 UTC, fetched " in noon.reason
    within_a_day = judged(answer(MODELS, 414, datetime(2026, 12, 1, 20, tzinfo=UTC)), last=None)
    assert within_a_day.evidence_urls == {MODELS}


def test_an_answer_dated_before_any_model_api_is_no_evidence() -> None:
    """A fault round: DeepSeek's page dated 1970-01-01 (a clock never set), the URL's first
    answer, was evidence: prices verified in 1970, in force from then for good. Nothing bounds
    a first answer's date but that no model API was sold before FIRST_PRICED."""
    epoch = datetime(1970, 1, 1, tzinfo=UTC)
    first = {MODELS: History(), ALL: History()}
    alone = health.source_health([answer(MODELS, 414, epoch)], [MODELS], first, History(), NOW)
    assert alone.status is SourceStatus.BROKEN and not alone.evidence_urls
    assert alone.reason == (
        f"{MODELS}: dated before any model API was sold (response dated 1970-01-01, fetched "
        f"{NOW:%Y-%m-%d})"
    )
    both = [answer(MODELS, 414, epoch), answer(ALL, 549, datetime(2020, 6, 11, tzinfo=UTC))]
    found = health.source_health(both, [MODELS, ALL], first, History(), NOW)
    assert found.status is SourceStatus.PARTIAL and found.evidence_urls == {ALL}


def test_failed_answers_fail_the_source_with_each_reason_once() -> None:
    found = judged(answer(MODELS, 0, error="HTTP 503"), answer(ALL, 0, error="HTTP 503"))
    assert found.status is SourceStatus.FAILED
    assert found.reason == f"HTTP 503 for 2 of 2 URLs: {MODELS}, {ALL}"


def test_a_reason_names_the_first_urls_that_failed_alike_and_counts_the_others() -> None:
    """Portkey's 46 URLs, 5 answering 404 and 1 500: the 404s' first three are named."""
    urls = sorted(sources()["portkey"].urls)
    answers = [
        *(answer(url, 0, error="HTTP 404") for url in urls[:5]),
        answer(urls[5], 0, error="HTTP 500"),
        *(answer(url, 10) for url in urls[6:]),
    ]
    found = health.source_health(answers, urls, {}, History(), AUGUST)
    assert found.status is SourceStatus.PARTIAL
    assert found.reason == (
        f"HTTP 404 for 5 of 46 URLs: {urls[0]}, {urls[1]}, {urls[2]} and 2 more; "
        f"{urls[5]}: HTTP 500"
    )


def test_far_fewer_records_than_usual_is_a_broken_layout() -> None:
    found = health.source_health([answer(MODELS, 100)], [MODELS], {}, History(records=414), NOW)
    assert found.status is SourceStatus.BROKEN and not found.evidence_urls
    assert found.reason == "100 records against its usual 414"


def test_further_pages_may_be_empty() -> None:
    """A page the parser named (e.g. the last page of a paged API) is not a whole listing."""
    found = health.source_health(
        [answer(MODELS, 414), answer(f"{MODELS}?page=2", 0)], [MODELS], {}, History(), NOW
    )
    assert found.status is SourceStatus.OK


def test_validation_collapse_counts_each_kind_on_its_own() -> None:
    assert health.validation_collapse(Counter(price=10), Counter(price=6)) == ""
    assert health.validation_collapse(Counter(price=10), Counter(price=4)) == (
        "validation collapse: 6 of 10 invalid"
    )
    every_price_rescaled = health.validation_collapse(
        Counter(price=900, limit=1100), Counter(price=100, limit=1100)
    )
    assert every_price_rescaled == "validation collapse: 800 of 900 price statements invalid"
    assert health.validation_collapse(Counter(), Counter(), unreadable=5).endswith("5 of 5 invalid")


def test_run_status_and_report_name_every_source() -> None:
    reports = [
        SourceRun(source="openrouter", status=SourceStatus.STALE, reason="older"),
        SourceRun(source="azure", status=SourceStatus.PARTIAL, reason="HTTP 404"),
    ]
    assert health.run_status(reports) == "degraded"
    assert health.run_status(reports[1:]) == "ok"
    assert health.run_status(reports[:1]) == "failed"  # nothing applied: the flow run fails
    assert [r.source for r in health.unusable(reports)] == ["openrouter"]
    problems = [
        Problem(source="litellm", record=f"m{i}", rule="magnitude", detail="x") for i in range(201)
    ]
    text = health.report_markdown(7, reports, [], problems)
    assert "| openrouter | stale |" in text and "| azure | partial |" in text
    assert "… 1 more in the quarantine table (run 7)" in text
    assert "- none" in text


def openrouter_pages() -> dict[str, list[FetchedPage]]:
    body = snapshot("openrouter/models.2026-08-19.json")
    records = sources()["openrouter"].parser.parse(body, MODELS).records
    return {"openrouter": [FetchedPage(MODELS, MODELS, 200, AUGUST, records)]}


def litellm_pages() -> dict[str, list[FetchedPage]]:
    url = sources()["litellm"].urls[0]
    body = snapshot("litellm/model_prices_and_context_window.json")
    records = sources()["litellm"].parser.parse(body, url).records
    return {"litellm": [FetchedPage(url, url, 200, AUGUST, records)]}


def test_a_normalizer_bug_on_one_record_is_that_records_problem(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real = spiders.openrouter.normalize
    target = json.loads(snapshot("openrouter/models.2026-08-19.json"))["data"][3]["id"]

    def buggy(record: dict[str, object]) -> object:
        if record.get("id") == target:
            raise KeyError("pricing")
        return real(record)

    monkeypatch.setattr(spiders.openrouter, "normalize", buggy)
    drafts, failures = intake.normalize_each(openrouter_pages() | litellm_pages(), sources())
    assert failures == {}
    found = {i.source: i for i in intake.validate_each(drafts, Identity.load())}
    assert found["openrouter"].failure == "" and found["openrouter"].valid
    [problem] = [p for p in found["openrouter"].problems if p.rule == UNREADABLE_RULE]
    assert (problem.record, problem.detail) == (target, "KeyError: 'pricing'")
    assert not [o for o in found["openrouter"].valid if o.record == target]
    assert found["litellm"].failure == "" and found["litellm"].valid


def test_a_normalizer_bug_on_every_record_fails_only_its_own_source(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def buggy(record: dict[str, object]) -> object:
        raise KeyError("pricing")

    monkeypatch.setattr(spiders.openrouter, "normalize", buggy)
    drafts, _ = intake.normalize_each(openrouter_pages() | litellm_pages(), sources())
    found = {i.source: i for i in intake.validate_each(drafts, Identity.load())}
    assert found["openrouter"].failure.startswith("validation collapse")
    assert not found["openrouter"].valid
    assert {p.rule for p in found["openrouter"].problems} == {UNREADABLE_RULE}
    assert found["litellm"].failure == "" and found["litellm"].valid


def test_a_validation_error_fails_only_its_own_source(monkeypatch: pytest.MonkeyPatch) -> None:
    drafts, _ = intake.normalize_each(openrouter_pages() | litellm_pages(), sources())

    def crashing(found: Sequence[Observation]) -> tuple[list[Observation], list[Problem]]:
        if found and found[0].source == "openrouter":
            raise ArithmeticError("decimal.InvalidOperation")
        return validate(found)

    def crashing_together(found: Sequence[Observation]) -> object:
        if any(o.source == "openrouter" for o in found):
            raise ArithmeticError("decimal.InvalidOperation")
        return validate_by_source(found)

    # The one pass over every source's rows breaks on OpenRouter's; each source is then
    # validated apart, and only OpenRouter's own validation breaks.
    monkeypatch.setattr(intake, "validate_by_source", crashing_together)
    monkeypatch.setattr(intake, "validate", crashing)
    found = {i.source: i for i in intake.validate_each(drafts, Identity.load())}
    assert (
        found["openrouter"].failure == "validate error: ArithmeticError: decimal.InvalidOperation"
    )
    assert not found["openrouter"].valid
    assert found["litellm"].failure == "" and found["litellm"].valid


def test_the_runs_markdown_shows_a_sources_text_literally() -> None:
    """Fault round 31: a record name holding a backtick ended its code span in the run's
    Markdown artifact, so a `[link](http://…)` after it became a live link; a line break in a
    detail started a heading, a `|` in a reason broke the table. LiteLLM's recorded map with
    an entry so named and a field so named: each problem is one line, its name one code span,
    its detail's brackets and bars escaped."""
    from tests.test_fault_kinds import bodies, read, urls

    url = urls("litellm")[0]
    document = json.loads(bodies("litellm")[url])
    name = "gpt-4o`[link](http://evil.example)"
    document[name] = {**document["gpt-4o"], "mode": "chat\n# heading | cell"}
    document["gpt-4o"]["odd|[x](http://evil.example)_cost_per_token"] = 1
    found = read("litellm", {url: json.dumps(document).encode()})
    odd = [p for p in found.problems if "evil.example" in f"{p.record}{p.detail}{p.field}"]
    assert len(odd) >= 2
    reports = [SourceRun(source="litellm", status=SourceStatus.OK, reason="a | b\n# c")]
    text = health.report_markdown(7, reports, [], odd)
    assert "\n# " not in text.split("## Quarantined")[1] and "\n# c" not in text
    assert "| a \\| b # c |" in text
    for line in text.split("## Quarantined")[1].splitlines()[2:]:
        assert line.startswith("- litellm `"), line
        assert len(re.findall(r"(?<!\\)`", line)) == 2, line  # one code span, nothing else
        after = line.split("`", 2)[2]
        assert not re.search(r"(?<!\\)\]\(", after), line  # no link outside it


@pytest.mark.parametrize(
    ("usual", "now", "collapsed"),
    [
        (414, 207, True),  # OpenRouter's listing halved, its count adjusted (fault round 51)
        (414, 276, True),  # a third of it gone at once
        (414, 300, False),  # a provider retiring a family is no fault
        (30, 19, False),  # a provider file of a few models losing some: under 25 records
        (30, 14, True),  # below half, however small
    ],
)
def test_a_whole_listing_that_lost_a_third_at_once_is_collapsed(
    usual: int, now: int, collapsed: bool
) -> None:
    assert (History(AUGUST, usual).off(now, listing=True) == health.COLLAPSED) is collapsed
    # a further page a listing names (a last page of Azure's) is judged by half alone
    assert (History(AUGUST, usual).off(now, listing=False) == health.COLLAPSED) is (now < usual / 2)
