"""The Spark engine's sessions equal the embedded engine's (local[2]); its mistakes are one line.

docs/data-contracts.md → HTTP-log sessions report: the same report from every engine. A gap of
exactly the session gap starts a new session (Spark's `session_window` would keep it); ties break
by file order. The cluster tests (a master and two workers) are in test_spark_cluster.py.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal
from pyspark.sql import SparkSession

from footfall.readers.http_log import EVENT_SCHEMA, REJECT_SCHEMA, iter_http_log
from footfall.sessions.http_sessions import SESSION_SCHEMA, http_sessions
from footfall.sessions.spark import http_report
from footfall.sessions.spark_lines import numbered_lines
from footfall.sessions.spark_outputs import recover_folders
from footfall.sessions.spark_parse import parse_http_lines, read_the_rest, with_the_rest
from footfall.sessions.spark_setup import spark_session
from footfall.synth.http_log import HttpLogSpec, generate_http_log
from footfall.warehouse import connect
from tests.readers.test_http_log import _EDGES, log_lines
from tests.sessions.same_results import assert_parsed_like_reader
from tests.sessions.spark_cluster import SRC, free_port
from tests.sessions.strategies import event, event_sets, links_frame, links_sets, to_frame

GAP = timedelta(minutes=5)
EVENTS_DDL = "user_id string, ts timestamp, seq long, kind string, campaign_id string, reward_id string"


@pytest.fixture(scope="module")
def spark() -> Iterator[SparkSession]:
    ctrl_c = signal.getsignal(signal.SIGINT)
    with spark_session("local[2]", {"spark.sql.shuffle.partitions": "2"}) as session:
        yield session
    assert signal.getsignal(signal.SIGINT) is ctrl_c, "Spark's Ctrl-C handler outlived its session"


def _on_spark(spark: SparkSession, events: list[dict[str, Any]], links: pl.DataFrame) -> pl.DataFrame:
    frame = spark.createDataFrame([tuple(e[c] for c in EVENTS_DDL_COLUMNS) for e in events], EVENTS_DDL)
    rows = http_report(frame, links.rows(), gap=GAP).toArrow()
    return pl.from_arrow(rows).select(SESSION_SCHEMA.names()).cast(SESSION_SCHEMA).sort("user_id", "session_start")  # type: ignore[union-attr]


EVENTS_DDL_COLUMNS = [field.split(" ")[0] for field in EVENTS_DDL.split(", ")]


def test_exact_gaps_ties_and_order_on_spark(spark: SparkSession) -> None:
    """Exactly one gap apart: two sessions (session_window would give one); a reward issued at the same
    instant as a linked view but earlier in the file still counts (same instant); out-of-order input."""
    events = [
        event("u1", 0, 0, "reward_issued", "r1"),
        event("u1", 0, 1, "campaign_view", "c1"),
        event("u1", 299.999999, 2),
        event("u1", 599.999999, 3, "campaign_view", "c2"),  # exactly 5 minutes after the previous event
        event("u1", 600, 4, "reward_issued", "r1"),
        event("u2", 50, 5, "reward_issued", "r2"),
        event("u2", 10, 6, "campaign_view", "c2"),
        event("u3", 30, 7, "reward_issued", "r2"),  # the view comes after the issue: not driven
        event("u3", 40, 8, "campaign_view", "c2"),
    ]
    links = pl.DataFrame({"campaign_id": ["c1", "c2"], "reward_id": ["r1", "r2"]})
    got = _on_spark(spark, events, links)
    assert_frame_equal(got, http_sessions(to_frame(events), links, gap=GAP))
    assert got["events"].to_list() == [3, 2, 2, 2]
    assert got["reward_driven_by_campaign_view"].to_list() == [True, False, True, False]


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(events=event_sets(gap_seconds=300), links=links_sets)
def test_spark_sessions_equal_the_embedded_engine(
    spark: SparkSession, events: list[dict[str, Any]], links: Any
) -> None:
    """Event sets with ties, exact gaps and out-of-order lines: Spark == embedded, row for row."""
    mapping = links_frame(links)
    assert_frame_equal(_on_spark(spark, events, mapping), http_sessions(to_frame(events), mapping, gap=GAP))


def _parsed_alike(spark: SparkSession, lines: list[str], assume_tz: str | None) -> None:
    """Spark's parse of a file of `lines` gives the reader's events and rejects (line numbers, reasons, details)."""
    with tempfile.TemporaryDirectory() as folder:
        log = Path(folder) / "x.log"
        log.write_bytes(("\n".join(lines) + "\n").encode("utf-8", errors="surrogateescape"))
        batches = list(iter_http_log([log], assume_tz=assume_tz))
        rows = parse_http_lines(numbered_lines(spark, [str(log)]), assume_tz=assume_tz, max_line_bytes=1 << 20)
        parsed = with_the_rest(rows, read_the_rest(rows, assume_tz=assume_tz, max_line_bytes=1 << 20))
        got = pl.from_arrow(parsed.toArrow())
    assert isinstance(got, pl.DataFrame)
    assert_parsed_like_reader(got, batches, EVENT_SCHEMA, REJECT_SCHEMA)


@pytest.mark.parametrize("assume_tz", [None, "Asia/Singapore"])
def test_spark_parses_lines_one_detail_off_the_common_shape_as_the_reader(
    spark: SparkSession, assume_tz: str | None
) -> None:
    _parsed_alike(spark, [*_EDGES, "bad \udcff line", "nul\x00 x", "2019-08-27T00:00:00Z GET /home u\r"], assume_tz)


@settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(lines=st.lists(log_lines(), min_size=1, max_size=40))
def test_spark_parses_generated_lines_as_the_reader(spark: SparkSession, lines: list[str]) -> None:
    """Lines of every shape, good and bad: the same events and the same rejects (reason, detail, raw)."""
    _parsed_alike(spark, lines, None)


def test_only_lines_off_the_common_shape_cross_into_python(spark: SparkSession, tmp_path: Path) -> None:
    """The SQL pass keeps the bytes (for footfall's reader, in Python) of the lines it does not parse, and
    only those: common lines in every offset and fraction style stay in the JVM."""
    log = tmp_path / "x.log"
    common = [
        "2019-08-01T00:00:04.361+08:00 GET /campaigns/1 u1",
        "2019-07-31T12:00:47.872174-04:00 POST /rewards/7 u2",
        "2019-07-31T16:00:53Z GET /home u3",
    ]
    log.write_text("\n".join([*common, "2019-07-31T16:00:53Z GET /campaigns/ u4", "garbage", *common]) + "\n")
    rows = parse_http_lines(numbered_lines(spark, [str(log)]), assume_tz=None, max_line_bytes=1 << 20)
    to_reader = rows.where(rows["bytes"].isNotNull()).select("line_number").toArrow()
    assert to_reader.column("line_number").to_pylist() == [4, 5]


def _footfall(*args: str, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    command = [sys.executable, "-m", "footfall", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=timeout, env=env)


def _tiny(tmp_path: Path) -> list[str]:
    log, mapping = tmp_path / "a.log", tmp_path / "m.csv"
    log.write_text("2019-08-01T00:00:00Z GET /home u1\n")
    mapping.write_text("campaign_id,reward_id\n")
    return ["logs", "sessions", str(log), "--mapping", str(mapping), "--out", str(tmp_path / "r.parquet")]


def test_an_unreachable_master_is_one_line_naming_it_within_30_seconds(tmp_path: Path) -> None:
    master = f"spark://127.0.0.1:{free_port()}"
    start = time.monotonic()
    done = _footfall(*_tiny(tmp_path), "--no-warehouse", "--engine", "spark", "--master", master, timeout=60)
    assert time.monotonic() - start < 30
    assert done.returncode == 2, done.stderr[-2000:]
    assert done.stderr.strip().splitlines() == [
        f"error: the Spark master {master} cannot be reached (127.0.0.1:{master.rsplit(':', 1)[1]}: Connection refused)"
    ]


def test_a_setting_spark_rejects_is_its_message_on_one_line(tmp_path: Path) -> None:
    done = _footfall(*_tiny(tmp_path), "--no-warehouse", "--engine", "spark", "--", "spark.executor.memory=1k")
    assert done.returncode == 2, done.stderr[-3000:]
    (last,) = done.stderr.strip().splitlines()  # Spark's own lines went to its log, not to the terminal
    assert last.startswith("error: Spark did not start on local[*]: ") and "executor memory" in last.lower(), last


def test_a_setting_the_jvm_rejects_is_the_jvms_reason_on_one_line(tmp_path: Path) -> None:
    done = _footfall(*_tiny(tmp_path), "--no-warehouse", "--engine", "spark", "--", "spark.driver.memory=abc")
    assert done.returncode == 2, done.stderr[-3000:]
    assert done.stderr.strip().splitlines() == [
        "error: Spark did not start on local[*]: Invalid maximum heap size: -Xmxabc"
    ], done.stderr


def test_spark_choices_that_cannot_run_are_one_line_errors(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from footfall.cli.main import app

    for extra, message in [
        (["--master", "spark://h:7077"], "a Spark --master (spark://h:7077) is only used with the spark engine"),
        (["--engine", "spark", "--incremental"], "incremental runs use the embedded --engine; the spark engine"),
        (["--engine", "spark", "--", "--conf=x"], "bad Spark setting '--conf=x': write spark.key=value"),
    ]:
        result = CliRunner().invoke(app, [*_tiny(tmp_path), "--no-warehouse", *extra])
        assert result.exit_code == 2 and message in result.output, result.output
        assert len(result.output.strip().splitlines()) == 1, result.output


def test_an_input_that_cannot_be_read_is_one_line_naming_it(tmp_path: Path) -> None:
    args = _tiny(tmp_path)
    args[2] = str(tmp_path / "missing.log")
    done = _footfall(*args, "--no-warehouse", "--engine", "spark")
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [f"error: {tmp_path / 'missing.log'}: no such file"]


def test_a_spark_run_killed_as_a_whole_changes_nothing(tmp_path: Path) -> None:
    """SIGKILL to the CLI and its Spark JVM mid-run: the warehouse and the report folder stay as they
    were, and the next run removes what the killed one left."""
    log, mapping = tmp_path / "a.log", tmp_path / "m.csv"
    generate_http_log(HttpLogSpec(events=20_000, users=300, seed=5, days=1), log, mapping_out=mapping)
    url = f"duckdb:///{tmp_path / 'w.duckdb'}"
    out, shards = tmp_path / "report.parquet", tmp_path / "shards"
    base = ["logs", "sessions", str(log), "--mapping", str(mapping), "--out", str(out), "--warehouse", url]
    assert _footfall(*base, "--engine", "embedded").returncode == 0
    tables = ["http_sessions ORDER BY user_id, session_start", "http_log ORDER BY line_number", "runs"]
    with connect(url) as wh:
        before = [wh.query(f"SELECT * FROM {t}") for t in tables]
    report_before = out.read_bytes()
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    command = [sys.executable, "-m", "footfall", *base, "--gap", "1m", "--engine", "spark", "--shards", str(shards)]
    proc = subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    try:
        deadline = time.monotonic() + 300
        while not list(shards.glob("*/parsed/reader/_SUCCESS")):  # mid-run: the parse is written, nothing loaded
            assert proc.poll() is None and time.monotonic() < deadline, "the run ended before it could be killed"
            time.sleep(0.2)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    with connect(url) as wh:
        for table, earlier in zip(tables, before, strict=True):
            assert_frame_equal(wh.query(f"SELECT * FROM {table}"), earlier)
    assert out.read_bytes() == report_before
    recover_folders(tmp_path, lambda run_id: False)
    assert not list(tmp_path.glob(".*spark-pending"))
