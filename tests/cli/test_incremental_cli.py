"""A day replayed as hourly files (late and out-of-order lines) gives the report of one run over the day.

Issue: "A test replays a day as 24 hourly files (with late and out-of-order lines) and gets
exactly the report of one run over the whole day", on DuckDB and PostgreSQL.
"""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import polars as pl
from polars.testing import assert_frame_equal
from typer.testing import CliRunner

from footfall.cli.main import app
from footfall.sessions.state_folder import StateFolder
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


def _shop_day(tmp_path: Path) -> tuple[list[Path], str]:
    """A day of shop events as hourly files, and a warehouse holding one run over all of them."""
    events = tmp_path / "shop.jsonl"
    generate_shop_events(ShopSpec(events=6_000, seed=2, days=1), events)
    hours = _hours(tmp_path, events, "shop-events")[:30]
    full_url = f"duckdb:///{tmp_path / 'full.duckdb'}"
    _invoke("shop", "sessions", *map(str, hours), "--warehouse", full_url)
    return hours, full_url


def test_shop_events_replayed_hourly_equal_one_run(tmp_path: Path, warehouse_url: str) -> None:
    hours, full_url = _shop_day(tmp_path)
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


def test_a_watching_process_takes_hourly_files_as_they_land_and_equals_one_run(
    tmp_path: Path, warehouse_url: str
) -> None:
    """--watch: one process, hourly files landing over time (a few at once, one written as .part
    and renamed), the report and the warehouse equal one run over the day; a file changed after
    it was read is reported; Ctrl-C ends it with 130."""
    day, mapping = tmp_path / "day.log", tmp_path / "mapping.csv"
    generate_http_log(HttpLogSpec(events=20_000, users=800, seed=5, days=1), day, mapping_out=mapping)
    hours = _hours(tmp_path, day, "http-log")
    full = tmp_path / "full.parquet"
    _invoke("logs", "sessions", *map(str, hours), "--mapping", str(mapping), "--out", str(full), "--no-warehouse")

    inbox, state, out = tmp_path / "inbox", tmp_path / "state", tmp_path / "report"
    inbox.mkdir()
    command = [sys.executable, "-m", "footfall", "logs", "sessions", str(inbox), "--mapping", str(mapping)]
    command += ["--out", str(out), "--warehouse", warehouse_url, "--incremental", "--state", str(state)]
    proc = subprocess.Popen(
        [*command, "--watch", "0.2"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True
    )
    try:
        for start in range(0, len(hours), 5):
            batch = hours[start : start + 5]
            for hour in batch[:-1]:
                shutil.copy(hour, inbox / hour.name)
            partial = inbox / f"{batch[-1].name}.part"
            with partial.open("w") as growing:  # written in two steps, 0.5 s apart, then renamed
                text = batch[-1].read_text()
                growing.write(text[: len(text) // 2])
                growing.flush()
                time.sleep(0.5)
                growing.write(text[len(text) // 2 :])
            partial.rename(inbox / batch[-1].name)
            _wait_until_processed(proc, state, {str((inbox / h.name).resolve()) for h in hours[: start + 5]})
        with (inbox / hours[0].name).open("a") as late:
            late.write(hours[0].read_text().splitlines()[0] + "\n")
        time.sleep(1)
    finally:
        proc.send_signal(signal.SIGINT)
        stdout, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130, stderr
    assert "Traceback" not in stderr
    assert stderr.count("error:") == 1 and f"{inbox / hours[0].name}: changed after it was processed" in stderr
    assert stdout.count(" file(s) ") >= 2  # one line per run (the last may be cut by the signal)

    expected = pl.read_parquet(full)
    assert_frame_equal(pl.read_parquet(out / "*.parquet").sort("user_id", "session_start"), expected)
    with connect(warehouse_url) as wh:
        table = wh.query("SELECT * FROM http_sessions ORDER BY user_id, session_start")
    assert_frame_equal(table.with_columns(pl.col("campaigns", "rewards_issued").cast(pl.List(pl.String))), expected)


def _wait_until_processed(proc: subprocess.Popen[str], state: Path, files: set[str]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert proc.poll() is None, proc.communicate()[1]
        version = StateFolder(state).current()  # the committed version of the state
        meta = version / "state.json" if version is not None else state / "missing"
        if meta.exists() and files <= set(json.loads(meta.read_text())["files"]):
            return
        time.sleep(0.1)
    raise AssertionError(f"not processed within 60 s: {sorted(files)[-1]}")


def test_a_watching_shop_process_equals_one_run(tmp_path: Path, warehouse_url: str) -> None:
    hours, full_url = _shop_day(tmp_path)

    inbox, state = tmp_path / "inbox", tmp_path / "state"
    inbox.mkdir()
    command = [sys.executable, "-m", "footfall", "shop", "sessions", str(inbox), "--warehouse", warehouse_url]
    command += ["--incremental", "--state", str(state), "--watch", "0.2"]
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        for start in range(0, len(hours), 10):
            for hour in hours[start : start + 10]:
                shutil.copy(hour, inbox / f"{hour.name}.part")
                (inbox / f"{hour.name}.part").rename(inbox / hour.name)
            _wait_until_processed(proc, state, {str((inbox / h.name).resolve()) for h in hours[: start + 10]})
    finally:
        proc.send_signal(signal.SIGINT)
        _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130 and "Traceback" not in stderr, stderr
    sql = "SELECT * FROM shop_sessions ORDER BY session_id"
    with connect(full_url) as expected_wh, connect(warehouse_url) as wh:
        expected, got = expected_wh.query(sql), wh.query(sql)
    assert expected.height > 0
    assert_frame_equal(got, expected, check_dtypes=False, check_exact=True)


def test_watch_needs_incremental_and_a_positive_interval(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for args, message in (
        (
            ["logs", "sessions", str(inbox), "--mapping", "m.csv", "--out", "o.parquet", "--watch", "1"],
            "needs --incremental",
        ),
        (["shop", "sessions", str(inbox), "--watch", "1"], "needs --incremental"),
        (["shop", "sessions", str(inbox), "--incremental", "--state", str(tmp_path / "s"), "--watch", "0"], "positive"),
    ):
        result = CliRunner().invoke(app, args)
        assert result.exit_code == 2 and message in result.output, result.output
