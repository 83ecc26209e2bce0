"""Every JSON document and export spells a time by schemas.records `time_text`: ISO 8601, a UTC
time ending in 'Z'. It remembers the UTC times it spelt (an export writes ~350k times, a few
thousand distinct); an equal instant in another zone is still spelt with its own offset."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from hypothesis import given
from hypothesis import strategies as st

from schemas.records import time_text

ZONES = st.sampled_from(
    [UTC, timezone(timedelta(hours=2)), timezone(timedelta(hours=-5, minutes=-30))]
)


@given(st.datetimes(timezones=ZONES), ZONES)
def test_a_time_is_spelt_as_its_own_zone_states_it_however_often_it_is_asked(
    moment: datetime, other_zone: timezone
) -> None:
    expected = moment.isoformat()
    if moment.utcoffset() == timedelta(0):
        expected = f"{expected[:-6]}Z"
    assert time_text(moment) == expected
    assert time_text(moment) == expected  # spelt from memory the second time
    same_instant = moment.astimezone(other_zone)
    assert same_instant == moment
    spelt = same_instant.isoformat()
    if same_instant.utcoffset() == timedelta(0):
        spelt = f"{spelt[:-6]}Z"
    assert time_text(same_instant) == spelt


def test_an_export_spells_a_known_utc_time_with_z() -> None:
    assert time_text(datetime(2026, 8, 14, tzinfo=UTC)) == "2026-08-14T00:00:00Z"
    assert time_text(datetime(2026, 8, 14, 2, tzinfo=timezone(timedelta(hours=2)))) == (
        "2026-08-14T02:00:00+02:00"
    )
