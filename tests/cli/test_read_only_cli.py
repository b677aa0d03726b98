"""Commands that only read never create a warehouse: a typo in a DuckDB path is an error, not "(no rows)"."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from footfall.cli.main import app


@pytest.mark.parametrize(
    "command",
    [
        ["runs"],
        ["shop", "metrics"],
        ["rewards", "weekly"],
        ["rewards", "peak-engagement", "--campaign", "1", "--from", "2019-08-01", "--to", "2019-08-02"],
        ["sales", "top-members"],
        ["sales", "top-items"],
    ],
)
def test_a_missing_duckdb_file_is_refused_and_not_created(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: list[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, [*command, "--warehouse", "duckdb:///typo.duckdb"])
    assert result.exit_code == 2
    line = result.output.strip()
    assert len(line.splitlines()) == 1
    assert f"no DuckDB warehouse at {tmp_path / 'typo.duckdb'}" in line and "duckdb:///name is relative" in line
    assert not (tmp_path / "typo.duckdb").exists() and os.listdir(tmp_path) == []
