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

COST = ["cost", "openrouter/gpt-5", "--input-tokens", "1", "--output-tokens", "1"]


@pytest.mark.parametrize(
    ("command", "prefix", "code"),
    [
        (["review", "show", "987654321"], "ratecard review show: no review item 987654321", 1),
        (["quarantine", "--run", "5"], "ratecard quarantine: no run 5 in this catalog", 1),
        (["show", "openrouter/no-such-model"], "ratecard show: nothing known about", 1),
        (["routes", "no-such-model"], "ratecard routes: no route sells no-such-model", 1),
        (
            ["cost", "openrouter/no-such-model", "--input-tokens", "1", "--output-tokens", "1"],
            "ratecard cost: openrouter/no-such-model: refused: model: 'no-such-model'",
            1,
        ),
        (["show", "gpt-5"], "ratecard show: Invalid value for 'TARGET'", 2),
    ],
    ids=lambda part: " ".join(part) if isinstance(part, list) else "",
)
def test_a_refusal_names_its_command_as_a_bad_argument_does(
    refreshed_catalog: Path, command: list[str], prefix: str, code: int
) -> None:
    """A refusal read 'ratecard: no review item 987654321' where a bad argument of the same
    command read 'ratecard review show: Invalid value for …': two conventions side by side."""
    result = CliRunner().invoke(
        app, [*command, "--db", f"sqlite:///{refreshed_catalog}"], prog_name="ratecard"
    )
    assert result.exit_code == code, result.output
    assert result.stdout == ""
    [line] = result.stderr.splitlines()
    assert line.startswith(prefix), line


@pytest.mark.parametrize(
    ("command", "argument", "rule"),
    [
        (
            ["review", "list", "--limit", "abc"],
            "--limit",
            "'abc': use a whole number from 1 to 100000",
        ),
        (["runs", "--limit", "0"], "--limit", "'0': use a whole number from 1 to 100000"),
        (["review", "show", "1.5"], "ID", "'1.5': use a whole number from 1 to 2147483647"),
        (["quarantine", "--run", "x"], "--run", "'x': use a whole number from 1 to 2147483647"),
        (
            ["cost", "openrouter/gpt-5", "--input-tokens", "-1", "--output-tokens", "1"],
            "--input-tokens",
            "'-1': use a whole number of 0 or more",
        ),
        (
            [*COST, "--requests-per-day", "9" * 20],
            "--requests-per-day",
            f"'{'9' * 20}': use a whole number of 1000000000000 or less",
        ),
        (
            [*COST, "--images", "high:1024x1024:0"],
            "--images",
            "the image count '0': use a whole number of 1 or more",
        ),
    ],
)
def test_a_whole_number_argument_is_refused_in_ratecards_words(
    refreshed_catalog: Path, command: list[str], argument: str, rule: str
) -> None:
    """pydantic's words ('Input should be a valid integer, unable to parse string as an
    integer', 'Input should be greater than or equal to 1') named neither the value nor the
    range the argument takes."""
    result = CliRunner().invoke(
        app, [*command, "--db", f"sqlite:///{refreshed_catalog}"], prog_name="ratecard"
    )
    assert result.exit_code == 2, result.output
    [line] = result.stderr.splitlines()
    assert line.endswith(f"Invalid value for '{argument}': {rule}"), line
    assert "Input should" not in line


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


@pytest.mark.parametrize("group", [[], ["review"], ["report"]], ids=lambda g: " ".join(g) or "-")
def test_a_group_given_no_command_says_where_its_commands_are_listed(group: list[str]) -> None:
    """A newcomer typing `ratecard` alone read 'ratecard: Missing command.' and nothing on
    what the commands are; the line now names the --help that lists them (exit 2)."""
    result = CliRunner().invoke(app, group, prog_name="ratecard")
    assert result.exit_code == 2, result.output
    where = " ".join(["ratecard", *group])
    assert result.stderr == f"{where}: Missing command. `{where} --help` lists them.\n"


def test_a_signal_while_the_arguments_are_read_ends_in_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A SIGTERM or Ctrl-C while Typer reads the command's arguments (its main signal handler
    raises KeyboardInterrupt there) ended `ratecard review list` with exit 130 and not a word,
    in a third of the tenths around its start (a new user's sweep): here the interrupt lands in
    the group's reading of its arguments, where that signal lands."""
    from typer.main import get_command

    group = get_command(app)

    def signalled(*_args: object) -> list[str]:
        raise KeyboardInterrupt

    monkeypatch.setattr(type(group), "parse_args", signalled)
    code = group.main(["review", "list"], prog_name="ratecard", standalone_mode=False)
    assert code == 130
    assert capsys.readouterr().err == "ratecard: interrupted; nothing done (it had not started)\n"
