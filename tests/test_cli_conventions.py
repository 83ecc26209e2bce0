"""One convention across commands: every refusal and bad argument is one line that opens with
the command's name, a whole-number argument's rule is said in ratecard's words, and a catalog
no refresh has run on is an empty answer (exit 0) for every listing, not a refusal for some.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from catalog import store
from ratecard.cli import app


@pytest.mark.parametrize(
    ("command", "said"),
    [
        (["runs"], "no refresh has run on this catalog yet\n"),
        (["quarantine"], "no refresh has run on this catalog yet\n"),
        (["quarantine", "--source", "litellm", "--rule", "anomaly"], "no refresh has run on "),
        (["runs", "--json"], "[]\n"),
        (["quarantine", "--json"], "[]\n"),
        (["review", "list", "--json"], "[]\n"),
    ],
    ids=lambda part: " ".join(part) if isinstance(part, list) else "",
)
def test_a_catalog_no_refresh_has_run_on_is_an_empty_answer(
    tmp_path: Path, command: list[str], said: str
) -> None:
    """`quarantine` refused a catalog no refresh had run on (exit 1) where `runs` and `review
    list` answered it (exit 0): nothing to list is an answer, the same from every listing."""
    path = tmp_path / "catalog.db"
    store.open_catalog(f"sqlite:///{path}", create=True).dispose()
    before = path.read_bytes()
    result = CliRunner().invoke(app, [*command, "--db", f"sqlite:///{path}"])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(said) and result.stderr == ""
    assert path.read_bytes() == before
