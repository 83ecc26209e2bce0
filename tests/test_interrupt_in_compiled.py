"""Ctrl-C that lands inside compiled code calling back into Python (pydantic-core's serializer,
as Prefect's settings are dumped when its temporary server starts) reaches the command as that
code's own error, the KeyboardInterrupt its cause: a new user's session saw `refresh` and
`sla-watch`, interrupted about four seconds in, end in a 60-line boxed traceback ending
"PydanticSerializationError: Error calling function `_ser_model`: KeyboardInterrupt", exit 1.
It is the interruption all the same: one line, exit 130."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import BaseModel, model_serializer
from typer.testing import CliRunner

from ratecard.cli import app
from tests.conftest import WORLDS


class _Settings(BaseModel):
    """A model whose serializer is where the signal lands, as Prefect's settings' is."""

    name: str = "x"

    @model_serializer(mode="wrap")
    def _ser_model(self, handler: object) -> dict[str, str]:
        raise KeyboardInterrupt  # the signal's, raised in the Python this code calls back


def ctrl_c_inside_pydantic() -> None:
    _Settings().model_dump()


@pytest.mark.parametrize(
    ("module", "args"),
    [
        ("ratecard.cli_sets", ["sla-watch"]),
        ("ratecard.cli_queue", ["process-submissions"]),
        ("ratecard.cli_catalog", ["refresh", "--replay", str(WORLDS / "epoch-2.json")]),
    ],
    ids=["sla-watch", "process-submissions", "refresh"],
)
def test_ctrl_c_inside_compiled_code_ends_in_one_line(
    module: str, args: list[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(f"{module}.check_catalog", lambda *a, **k: None, raising=False)
    monkeypatch.setattr(f"{module}.prefect_ready", ctrl_c_inside_pydantic)
    result = CliRunner().invoke(
        app, [*args, "--db", f"sqlite:///{tmp_path / 'c.db'}"], prog_name="ratecard"
    )
    assert result.exit_code == 130, (result.output, result.exception)
    assert "Traceback" not in result.output and "PydanticSerializationError" not in result.output
    [line] = result.output.strip().splitlines()
    assert line.startswith(f"ratecard {args[0]}: interrupted"), line
