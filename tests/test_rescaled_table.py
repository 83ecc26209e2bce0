"""One table of a page in another unit fails its source, as one response of several does.

A page states its unit once per table or section. OpenAI's recorded page says "Prices per 1M
tokens." above its text-token tables; read as "per 1K tokens" (a fault probe), those four
tables' prices stood at a thousand times: the dearer ones fell to the magnitude check, and the
96 left were a third of the page's 294 prices beside the audio, image, fine-tuning and legacy
tables, too few for the whole page to read as rescaled. The catalog's values set them aside as
anomalies, but the new models' prices were proposed at a thousand times (gpt-5.2-chat-latest's
cache read 175, LiteLLM's 0.175 beside it in the same item). Each table is now judged as a
response is (catalog/intake.py `rescaled_response`).

Made from the recorded OpenAI page, read as a refresh reads it (parse, normalize, validate).
"""

from __future__ import annotations

from catalog.health import prices_by_field
from catalog.intake import rescaled_response
from schemas.batch import validate
from schemas.fetch import record_table, table_record
from schemas.records import Observation
from tests.conftest import snapshot
from tests.observed import observe_body
from tests.test_pricing_pages import OPENAI_URL

RECORDED = "pricing-pages/openai-pricing.2025-12-17.llmdocs.md"
STATED = b"Prices per 1M tokens."


def _valid(body: bytes) -> list[Observation]:
    """The page's observations that pass validation, as a refresh reads them."""
    valid, _ = validate(observe_body("openai-page", body, "2025-12-17T00:00:00+00:00", OPENAI_URL))
    return valid


def test_a_table_read_in_another_unit_fails_the_page() -> None:
    recorded = snapshot(RECORDED)
    assert recorded.count(STATED) > 1  # the first states the text-token tables' unit
    before = prices_by_field(_valid(recorded))  # the page as last applied
    assert rescaled_response(_valid(recorded), before) == ""
    read_per_1k = _valid(recorded.replace(STATED, b"Prices per 1K tokens.", 1))
    why = rescaled_response(read_per_1k, before)
    assert why.startswith("rescaled listing: ") and "1000 times" in why, why
    assert why.endswith(f"of the response of {OPENAI_URL})") and "(table " in why, why
    # a minority of the page's prices: the page as a whole would not have said so
    tables = {record_table(o.record) for o in read_per_1k}
    assert len(tables) > 4 and "" not in tables


def test_a_table_record_names_its_table_and_no_other_id_does() -> None:
    assert record_table(table_record(3, 12, "gpt-5.2")) == "table 3"
    for other in ("gpt-5.2", "openai/gpt-4o", "table x row 1: a", "my table 3 row 1: a", ""):
        assert record_table(other) == ""
