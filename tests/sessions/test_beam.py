"""The Beam engine gives the embedded engine's report, row for row.

docs/data-contracts.md → HTTP-log sessions report: "The same report must come out of every engine (embedded
and distributed) …". A gap of exactly the session gap starts a new session; ties break by
file order.
"""

from __future__ import annotations

import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

import apache_beam as beam
import polars as pl
import pytest
from apache_beam.testing import test_pipeline
from apache_beam.testing.util import assert_that, equal_to
from hypothesis import given, settings
from polars.testing import assert_frame_equal
from typer.testing import CliRunner

from footfall.cli.main import app
from footfall.sessions.beam import HttpSessions, http_session_rows
from footfall.sessions.http_sessions import http_sessions
from footfall.synth.http_log import HttpLogSpec, generate_http_log
from footfall.synth.shop_events import ShopSpec, generate_shop_events
from footfall.warehouse import connect
from tests.sessions.same_results import SHOP_TABLES, assert_same_tables
from tests.sessions.strategies import T0, event, event_sets, links_frame, links_sets, to_frame


def test_attribution_transform_on_a_test_pipeline() -> None:
    events = [
        event("u1", 0, 0, "reward_issued", "r1"),  # same instant as the view below, earlier in file order
        event("u1", 0, 1, "campaign_view", "c1"),
        event("u1", 299.999999, 2),  # just under the 5-minute gap: same session
        event("u1", 599.999999, 3, "campaign_view", "c2"),  # exactly 5 minutes later: a new session
        event("u1", 600, 4, "reward_issued", "r1"),  # c2 is not linked to r1
        event("u2", 50, 5, "reward_issued", "r2"),
        event("u2", 10, 6, "campaign_view", "c2"),  # out of order in the input, earlier in time
        event("u3", 0.000999, 7),  # 299.999001 s apart: one session, though Beam's millisecond
        event("u3", 300, 8),  # timestamps (0.000 and 300.000) would put them exactly one gap apart
    ]

    def row(user: str, start: float, end: float, campaigns: list[str], rewards: list[str], driven: bool, n: int) -> Any:
        return {
            "user_id": user,
            "session_start": T0 + timedelta(seconds=start),
            "session_end": T0 + timedelta(seconds=end),
            "campaigns": campaigns,
            "rewards_issued": rewards,
            "reward_driven_by_campaign_view": driven,
            "events": n,
            "campaign_views": len(campaigns),
            "rewards_issued_count": len(rewards),
        }

    expected = [
        row("u1", 0, 299.999999, ["c1"], ["r1"], True, 3),
        row("u1", 599.999999, 600, ["c2"], ["r1"], False, 2),
        row("u2", 10, 50, ["c2"], ["r2"], True, 2),
        row("u3", 0.000999, 300, [], [], False, 2),
    ]
    with test_pipeline.TestPipeline() as p:
        links = p | "links" >> beam.Create([("c1", "r1"), ("c2", "r2"), ("c2", "r2")])
        sessions = p | "events" >> beam.Create(events) | HttpSessions(timedelta(minutes=5), links)
        assert_that(sessions, equal_to(expected))


@settings(max_examples=150, deadline=None)
@given(events=event_sets(gap_seconds=300), links=links_sets)
def test_the_beam_summary_of_a_session_equals_the_embedded_row(events: list[dict[str, Any]], links: Any) -> None:
    """Within one session (as the embedded engine cuts them), the Beam summary gives the same row."""
    mapping = links_frame(links)
    report = http_sessions(to_frame(events), mapping, gap=timedelta(minutes=5))
    linked: dict[str, set[str]] = {}
    for campaign, reward in links:
        linked.setdefault(reward, set()).add(campaign)
    for expected in report.iter_rows(named=True):
        mine = [
            (int(e["ts"].timestamp() * 1_000_000), e["seq"], e["kind"], e["campaign_id"], e["reward_id"])
            for e in events
            if e["user_id"] == expected["user_id"] and expected["session_start"] <= e["ts"] <= expected["session_end"]
        ]
        got = http_session_rows(expected["user_id"], mine, linked)
        start, end = (int(expected[k].timestamp() * 1_000_000) for k in ("session_start", "session_end"))
        assert got == {**expected, "session_start": start, "session_end": end}


def _cli(*args: str) -> None:
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("archive", [False, True], ids=["text", "avro"])
def test_beam_http_sessions_equal_the_embedded_engine(tmp_path: Path, archive: bool) -> None:
    log, mapping = tmp_path / "a.log", tmp_path / "m.csv"
    generate_http_log(HttpLogSpec(events=3_000, users=60, seed=4, days=1), log, mapping_out=mapping)
    more = tmp_path / "b.log"  # a second file: ties across files break by file order
    more.write_text(log.read_text().splitlines()[5] + "\n" + "2019-08-01T00:00:00Z GET /campaigns/ x\n")
    inputs = [log, more]
    if archive:
        avro = tmp_path / "a.avro"
        _cli("logs", "to-avro", str(log), "--out", str(avro))
        inputs = [avro, more]
    common = ["--mapping", str(mapping), "--warehouse"]
    embedded, beam_out = tmp_path / "embedded.parquet", tmp_path / "beam.parquet"
    url_e, url_b = f"duckdb:///{tmp_path / 'e.duckdb'}", f"duckdb:///{tmp_path / 'b.duckdb'}"
    _cli("logs", "sessions", *map(str, inputs), "--out", str(embedded), *common, url_e)
    _cli("logs", "sessions", *map(str, inputs), "--out", str(beam_out), *common, url_b, "--engine", "beam")
    assert_frame_equal(pl.read_parquet(beam_out), pl.read_parquet(embedded))
    assert_frame_equal(
        pl.read_parquet(tmp_path / "beam.rejects.parquet"), pl.read_parquet(tmp_path / "embedded.rejects.parquet")
    )
    tables = {
        "http_sessions": "SELECT * FROM http_sessions ORDER BY user_id, session_start",
        "http_log": "SELECT * FROM http_log ORDER BY source_file, line_number",
        "http_log_rejects": "SELECT * FROM http_log_rejects ORDER BY source_file, line_number",
    }
    with connect(url_e) as e, connect(url_b) as b:
        for sql in tables.values():
            assert_frame_equal(b.query(sql), e.query(sql))
        assert b.query("SELECT details FROM runs")["details"][0].count('"engine": "beam"') == 1


def test_beam_shop_sessions_equal_the_embedded_engine(tmp_path: Path) -> None:
    events = tmp_path / "shop.jsonl"
    generate_shop_events(ShopSpec(events=3_000, seed=8, days=3), events)
    url_e, url_b = f"duckdb:///{tmp_path / 'e.duckdb'}", f"duckdb:///{tmp_path / 'b.duckdb'}"
    _cli("shop", "sessions", str(events), "--warehouse", url_e)
    _cli("shop", "sessions", str(events), "--warehouse", url_b, "--engine", "beam", "--runner", "DirectRunner")
    with connect(url_e) as e, connect(url_b) as b:
        assert_same_tables(e, b, SHOP_TABLES)


def test_beam_engine_mistakes_are_one_line_errors(tmp_path: Path) -> None:
    log, mapping = tmp_path / "a.log", tmp_path / "m.csv"
    log.write_text("2019-08-01T00:00:00Z GET /home u1\n")
    mapping.write_text("campaign_id,reward_id\n")
    base = ["logs", "sessions", str(log), "--mapping", str(mapping), "--out", str(tmp_path / "r.csv"), "--no-warehouse"]
    for extra, message in [
        (["--engine", "flink"], "Invalid value for '--engine': 'flink' is not one of 'embedded', 'beam'"),
        (["--engine", "beam", "--runner", "LocalRunner"], "Invalid value for '--runner': 'LocalRunner' is not one of"),
        (["--engine", "beam", "--incremental"], "incremental runs use the embedded --engine"),
        (["--", "--project=x"], "pipeline options --project=x are only used with the beam or spark --engine"),
    ]:
        result = CliRunner().invoke(app, [*base, *extra])
        assert result.exit_code == 2 and message in result.output, result.output
        assert len(result.output.strip().splitlines()) == 1, result.output


def test_a_beam_runner_that_cannot_be_reached_is_one_line(tmp_path: Path) -> None:
    """FlinkRunner with no job server (and no network to fetch one): one line naming the runner, exit 2."""
    log, mapping = tmp_path / "a.log", tmp_path / "m.csv"
    log.write_text("2019-08-01T00:00:00Z GET /home u1\n")
    mapping.write_text("campaign_id,reward_id\n")
    args = ["logs", "sessions", str(log), "--mapping", str(mapping), "--out", str(tmp_path / "r.csv"), "--no-warehouse"]
    args += ["--engine", "beam", "--runner", "FlinkRunner", "--", "--flink_master=127.0.0.1:1"]
    done = subprocess.run([sys.executable, "-m", "footfall", *args], capture_output=True, text=True, timeout=300)
    assert done.returncode == 2, done.stderr[-2000:]
    lines = done.stderr.strip().splitlines()
    assert lines[-1].startswith("error: the Beam FlinkRunner could not run the pipeline:"), done.stderr[-2000:]
    assert "Traceback" not in done.stderr


def test_beam_on_two_worker_processes_equals_the_embedded_engine(tmp_path: Path) -> None:
    """The DirectRunner in multi-processing mode: two SDK worker processes share the bundles, the
    GroupByKey shuffles between processes; the report and rejects equal the embedded engine's."""
    log, mapping = tmp_path / "a.log", tmp_path / "m.csv"
    generate_http_log(HttpLogSpec(events=2_000, users=40, seed=6, days=1), log, mapping_out=mapping)
    more = tmp_path / "b.log"
    more.write_text(log.read_text().splitlines()[3] + "\n" + "garbage\n")
    common = [str(log), str(more), "--mapping", str(mapping), "--no-warehouse"]
    _cli("logs", "sessions", *common, "--out", str(tmp_path / "e.parquet"))
    workers = ["--", "--direct_num_workers=2", "--direct_running_mode=multi_processing"]
    _cli("logs", "sessions", *common, "--out", str(tmp_path / "b.parquet"), "--engine", "beam", *workers)
    assert_frame_equal(pl.read_parquet(tmp_path / "b.parquet"), pl.read_parquet(tmp_path / "e.parquet"))
    assert_frame_equal(pl.read_parquet(tmp_path / "b.rejects.parquet"), pl.read_parquet(tmp_path / "e.rejects.parquet"))


def test_beam_reads_web_shop_parquet_as_the_embedded_engine(tmp_path: Path) -> None:
    """Parquet inputs (readers/shop_parquet.py): each file read by footfall's reader on a worker."""
    from tests.readers.test_shop_parquet import bad_rows, parquet_of

    events = tmp_path / "shop.jsonl"
    generate_shop_events(ShopSpec(events=1_000, seed=8, days=3, bad_fraction=0), events)
    files = [str(parquet_of(events, tmp_path / "shop.parquet", typed_time=True)), str(bad_rows(tmp_path))]
    url_e, url_b = f"duckdb:///{tmp_path / 'e.duckdb'}", f"duckdb:///{tmp_path / 'b.duckdb'}"
    _cli("shop", "sessions", *files, "--warehouse", url_e)
    _cli("shop", "sessions", *files, "--warehouse", url_b, "--engine", "beam", "--runner", "DirectRunner")
    with connect(url_e) as e, connect(url_b) as b:
        assert_same_tables(e, b, SHOP_TABLES)
