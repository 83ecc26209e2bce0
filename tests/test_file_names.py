"""The published site's file names (webapp/static_site.py `file_name`): every model its own file,
every name a file system takes, whatever the name (fault round 31)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from webapp.static_site import NAME_BYTES, SAFE_NAME, file_name

NAMES = st.text(min_size=1, max_size=300)  # the catalog's names: 1 to 300 characters


def test_the_names_of_a_fault_round_get_files_of_their_own() -> None:
    """ "+1+1" and "_2b_1_2b_1" shared a file (the second page replaced the first); a name of
    280 letters, or 48 Chinese characters, was too long for the file system and failed the
    whole site."""
    assert file_name("+1+1") != file_name("_2b_1_2b_1")
    assert file_name("gpt-4o") == "gpt-4o"
    for name in ("a" * 280, "通义千问" * 12, "a" * 280 + "b"):
        assert len(file_name(name).encode()) <= NAME_BYTES
    assert file_name("a" * 280) != file_name("a" * 280 + "b")


@given(NAMES)
def test_every_name_is_a_short_safe_file_name(name: str) -> None:
    made = file_name(name)
    assert 0 < len(made.encode()) <= NAME_BYTES
    assert not made.startswith(".")  # no hidden file (".." was "...html")
    assert set(made) <= SAFE_NAME | {"~"} | set("0123456789abcdef")


@given(NAMES, NAMES)
def test_two_names_never_share_a_file(first: str, second: str) -> None:
    if first != second:
        assert file_name(first) != file_name(second)
