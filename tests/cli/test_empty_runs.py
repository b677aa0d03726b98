"""A full run that accepts nothing (an empty file, or the wrong kind of file) fails and changes nothing."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from footfall.cli.main import app
from footfall.warehouse import connect


def _sessions(url: str, table: str) -> int:
    with connect(url) as wh:
        return int(wh.query(f"SELECT count(*) AS n FROM {table}")["n"][0])


def test_an_empty_log_fails_and_keeps_the_sessions_unless_allowed(
    tmp_path: Path, generated_log: tuple[Path, Path], warehouse_url: str
) -> None:
    log, mapping = generated_log
    out = tmp_path / "s.parquet"
    base = ["logs", "sessions", "--mapping", str(mapping), "--out", str(out), "--warehouse", warehouse_url]
    assert CliRunner().invoke(app, [*base[:2], str(log), *base[2:]]).exit_code == 0
    before = _sessions(warehouse_url, "http_sessions")
    empty = tmp_path / "empty.log"
    empty.write_text("")
    refused = CliRunner().invoke(app, [*base[:2], str(empty), *base[2:]])
    assert refused.exit_code == 2
    assert refused.output.strip() == (
        f"error: {empty}: no lines to read (empty); nothing was changed "
        "(set --allow-empty to replace the results with an empty run)"
    )
    assert _sessions(warehouse_url, "http_sessions") == before > 0
    allowed = CliRunner().invoke(app, [*base[:2], str(empty), *base[2:], "--allow-empty"])
    assert allowed.exit_code == 0 and _sessions(warehouse_url, "http_sessions") == 0


def test_an_http_log_given_as_shop_events_is_refused_with_its_reasons(
    generated_log: tuple[Path, Path], warehouse_url: str
) -> None:
    log, _ = generated_log
    result = CliRunner().invoke(app, ["shop", "sessions", str(log), "--warehouse", warehouse_url])
    assert result.exit_code == 2
    line = result.output.strip()
    assert len(line.splitlines()) == 1
    assert f"{log}: all 20,0" in line and "lines were rejected (invalid_json 20,0" in line
    assert "is it the right kind of file?" in line and "--allow-empty" in line
    assert _sessions(warehouse_url, "shop_events_rejects") == 0  # nothing was loaded, not even the rejects
