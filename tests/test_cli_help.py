"""Every command's --help says what each of its options and arguments does: an option listed
with no words leaves a user to guess (`cost --requests-per-day` said only `[x>=0]`, though
without it the command prints no cost per day or per month)."""

from __future__ import annotations

from typing import Any

import typer
from typer.testing import CliRunner

from ratecard.cli import app


def commands(command: Any, path: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], Any]]:
    """Every leaf command under `command`, with the words that call it."""
    if hasattr(command, "commands"):  # a group (Typer's own Click, not the click package)
        return [
            found
            for name, sub in command.commands.items()
            for found in commands(sub, (*path, name))
        ]
    return [(path, command)]


def test_every_option_and_argument_says_what_it_does() -> None:
    every = commands(typer.main.get_command(app))
    assert len(every) > 20
    silent = [
        f"ratecard {' '.join(path)} {param.name}"
        for path, command in every
        for param in command.params
        if not (getattr(param, "help", None) or "").strip()
    ]
    assert silent == []
    undocumented = [" ".join(path) for path, command in every if not (command.help or "").strip()]
    assert undocumented == []


def test_cost_help_says_requests_per_day_adds_the_day_and_month() -> None:
    shown = CliRunner().invoke(app, ["cost", "--help"], terminal_width=200)
    assert shown.exit_code == 0, shown.output
    line = next(line for line in shown.output.splitlines() if "--requests-per-day" in line)
    assert "per day and per month" in line


def test_decision_help_says_which_options_narrow_or_confirm_a_set() -> None:
    """--model narrows a --set decision and --yes skips its question, as they do a bulk one
    (the help said 'Bulk:' only)."""
    for verb in ("approve", "reject"):
        shown = CliRunner().invoke(app, ["review", verb, "--help"], terminal_width=200)
        lines = shown.output.splitlines()
        for option in ("--model", "--yes"):
            line = next(line for line in lines if option in line)
            assert "--set" in line, line


def test_a_repeatable_option_names_what_one_value_is() -> None:
    """A repeatable option's value read '<list[str]>' in --help (`refresh -s, --source
    <list[str]>`, `submit --claim`, `publish --model`, `cost --images`): Python's type, which
    says nothing of the value and suggests one list ('azure,openrouter' is refused) where the
    option is given once per value. Each names one value, as FILE and DIR do."""
    runner = CliRunner()
    shown = {
        " ".join(path): runner.invoke(app, [*path, "--help"], terminal_width=100).output
        for path, _ in commands(typer.main.get_command(app))
    }
    assert [name for name, text in shown.items() if "list[" in text] == []
    assert "-s, --source SOURCE " in shown["refresh"]
    assert "-c, --claim CLAIM " in shown["submit"]
