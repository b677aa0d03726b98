"""A day replayed as hourly files (late and out-of-order lines) gives the report of one run over the day.

Issue: "A test replays a day as 24 hourly files (with late and out-of-order lines) and gets
exactly the report of one run over the whole day", on DuckDB and PostgreSQL.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
from polars.testing import assert_frame_equal
from typer.testing import CliRunner

from footfall.cli.main import app
from footfall.synth.hourly import split_hourly
from footfall.synth.http_log import HttpLogSpec, generate_http_log
from footfall.synth.shop_events import ShopSpec, generate_shop_events
from footfall.warehouse import connect


def _invoke(*args: str) -> str:
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def _hours(tmp_path: Path, file: Path, kind: str) -> list[Path]:
    hours = split_hourly(file, tmp_path / "hours", kind=kind, late_fraction=0.02, max_delay_minutes=55, seed=3)
    assert len(hours) >= 24
    return hours


def test_http_log_day_replayed_hourly_equals_one_run(tmp_path: Path, warehouse_url: str) -> None:
    day, mapping = tmp_path / "day.log", tmp_path / "mapping.csv"
    generate_http_log(HttpLogSpec(events=20_000, users=800, seed=5, days=1), day, mapping_out=mapping)
    hours = _hours(tmp_path, day, "http-log")
    full = tmp_path / "full.parquet"
    _invoke("logs", "sessions", *map(str, hours), "--mapping", str(mapping), "--out", str(full), "--no-warehouse")

    common = ["--mapping", str(mapping), "--warehouse", warehouse_url, "--incremental", "--state", str(tmp_path / "s")]
    out = tmp_path / "inc.parquet"
    for hour in hours:
        _invoke("logs", "sessions", str(hour), "--out", str(out), *common)

    expected = pl.read_parquet(full)
    assert expected["open"].any() and not expected["open"].all()
    assert_frame_equal(pl.read_parquet(out), expected)
    with connect(warehouse_url) as wh:
        table = wh.query("SELECT * FROM http_sessions ORDER BY user_id, session_start")
        accepted = wh.query("SELECT count(*) AS n FROM http_log")["n"][0]
        late = wh.query("SELECT count(*) AS n FROM http_log_rejects WHERE reason = 'late'")["n"][0]
    assert_frame_equal(table.with_columns(pl.col("campaigns", "rewards_issued").cast(pl.List(pl.String))), expected)
    assert (accepted, late) == (expected["events"].sum(), 0)


def test_shop_events_replayed_hourly_equal_one_run(tmp_path: Path, warehouse_url: str) -> None:
    events = tmp_path / "shop.jsonl"
    generate_shop_events(ShopSpec(events=6_000, seed=2, days=1), events)
    hours = _hours(tmp_path, events, "shop-events")[:30]
    full_url = f"duckdb:///{tmp_path / 'full.duckdb'}"
    _invoke("shop", "sessions", *map(str, hours), "--warehouse", full_url)
    for hour in hours:
        _invoke(
            "shop", "sessions", str(hour), "--warehouse", warehouse_url, "--incremental", "--state", str(tmp_path / "s")
        )

    queries = {
        "shop_sessions": "SELECT * FROM shop_sessions ORDER BY session_id",
        "shop_events": "SELECT * FROM shop_events ORDER BY source_file, line_number",
        "customers": "SELECT * FROM customers ORDER BY customer_id",
    }
    with connect(full_url) as expected_wh, connect(warehouse_url) as wh:
        for name, sql in queries.items():
            expected, got = expected_wh.query(sql), wh.query(sql)
            assert expected.height > 0, name
            assert_frame_equal(got, expected, check_dtypes=False, check_exact=True)
        assert wh.query("SELECT count(*) AS n FROM shop_sessions WHERE open")["n"][0] >= 1


def test_cli_reports_late_lines_and_skipped_files(tmp_path: Path) -> None:
    mapping = tmp_path / "m.csv"
    mapping.write_text("campaign_id,reward_id\n1,1\n")
    first, second = tmp_path / "a.log", tmp_path / "b.log"
    first.write_text("2019-08-27T10:00:00Z GET /campaigns/1 u1\n")
    second.write_text("2019-08-27T08:59:59Z POST /rewards/1 u1\n2019-08-27T09:30:00Z GET /home u2\n")
    common = ["--mapping", str(mapping), "--out", str(tmp_path / "r.csv"), "--no-warehouse", "--incremental"]
    common += ["--state", str(tmp_path / "state")]
    _invoke("logs", "sessions", str(first), *common)
    output = _invoke("logs", "sessions", str(first), str(second), *common)
    assert "late" in output and "skipped (already processed)" in output
    rejects = pl.read_csv(tmp_path / "r.rejects.csv")
    assert rejects.select("line_number", "reason").rows() == [(1, "late")]
    full_run_with_state = [a for a in common if a != "--incremental"]
    bad = CliRunner().invoke(app, ["logs", "sessions", str(first), *full_run_with_state])
    assert bad.exit_code == 2 and "--state is only used with --incremental" in bad.output
