"""The Spark engine on a real standalone cluster: a master and two workers, separate processes on 127.0.0.1.

Embedded == Spark row for row on generated logs with bad lines (report, rejects, every table, on
DuckDB and PostgreSQL) and on web-shop events; and a worker killed (SIGKILL, with its executor)
while the job runs: Spark re-runs the lost tasks and the report is the same.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from polars.testing import assert_frame_equal
from typer.testing import CliRunner

from footfall.cli.main import app
from footfall.sessions.engines import EngineChoice
from footfall.sessions.http_pipeline import run_http_sessions
from footfall.synth.http_log import HttpLogSpec, generate_http_log
from footfall.synth.shop_events import ShopSpec, generate_shop_events
from footfall.warehouse import connect
from tests.sessions.same_results import HTTP_TABLES, SHOP_TABLES, assert_same_tables
from tests.sessions.spark_cluster import EXECUTOR_CONF, Cluster

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    running = Cluster(tmp_path_factory.mktemp("spark-cluster"))
    running.start(workers=2)
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture(scope="module")
def logs(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[Path], Path]:
    """A generated log, and a second file with bad lines and a line tying with the first file's."""
    folder = tmp_path_factory.mktemp("spark-logs")
    log, mapping = folder / "a.log", folder / "m.csv"
    generate_http_log(HttpLogSpec(events=5_000, users=80, seed=4, days=1), log, mapping_out=mapping)
    more = folder / "b.log"
    tie = log.read_text().splitlines()[5]
    bad = ["2019-08-01T00:00:00Z GET /campaigns/ x", "", "garbage", "2019-02-30T00:00:00Z GET /x u"]
    odd = ["2019-08-01T00:00:00+0200 GET /campaigns/5?x=1 u9", "2019-08-01T00:00:00 GET /x u1"]
    more.write_bytes(("\n".join([tie, *bad, *odd]) + "\r\n").encode() + b"bad \xff line\nnul\x00 x\n")
    return [log, more], mapping


def _cli(*args: str) -> None:
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == 0, result.output


def _report(folder: Path) -> pl.DataFrame:
    return pl.read_parquet(folder / "**" / "*.parquet", hive_partitioning=False).sort("user_id", "session_start")


def test_http_sessions_on_the_cluster_equal_the_embedded_engine(
    cluster: Cluster, logs: tuple[list[Path], Path], warehouse_url: str, tmp_path: Path
) -> None:
    files, mapping = logs
    embedded_url = f"duckdb:///{tmp_path / 'embedded.duckdb'}"
    common = [*map(str, files), "--mapping", str(mapping)]
    _cli("logs", "sessions", *common, "--out", str(tmp_path / "e.parquet"), "--warehouse", embedded_url)
    spark = ["--engine", "spark", "--master", cluster.url, "--", *EXECUTOR_CONF]
    _cli("logs", "sessions", *common, "--out", str(tmp_path / "s.parquet"), "--warehouse", warehouse_url, *spark)
    assert sorted(p.name for p in (tmp_path / "s.parquet").iterdir()) == ["date=2019-07-31", "date=2019-08-01"]
    assert_frame_equal(_report(tmp_path / "s.parquet"), pl.read_parquet(tmp_path / "e.parquet"))
    assert_frame_equal(pl.read_parquet(tmp_path / "s.rejects.parquet"), pl.read_parquet(tmp_path / "e.rejects.parquet"))
    with connect(embedded_url) as e, connect(warehouse_url) as s:
        assert_same_tables(e, s, HTTP_TABLES, check_dtypes=False)
        assert '"engine": "spark"' in s.query("SELECT details FROM runs")["details"][0]


def test_shop_sessions_on_the_cluster_equal_the_embedded_engine(cluster: Cluster, tmp_path: Path) -> None:
    events = tmp_path / "shop.jsonl"
    generate_shop_events(ShopSpec(events=3_000, seed=8, days=3), events)
    with events.open("a") as more:
        more.write('{"id": "x1", "type": "page_view"}\nnot json\n[1]\n')
    url_e, url_s = f"duckdb:///{tmp_path / 'e.duckdb'}", f"duckdb:///{tmp_path / 's.duckdb'}"
    _cli("shop", "sessions", str(events), "--warehouse", url_e)
    _cli(
        "shop",
        "sessions",
        str(events),
        "--warehouse",
        url_s,
        "--engine",
        "spark",
        "--master",
        cluster.url,
        "--",
        *EXECUTOR_CONF,
    )
    with connect(url_e) as e, connect(url_s) as s:
        assert_same_tables(e, s, SHOP_TABLES)


def test_a_worker_killed_mid_job_still_gives_the_same_report(
    cluster: Cluster, logs: tuple[list[Path], Path], tmp_path: Path
) -> None:
    """SIGKILL one worker (and its executor) once tasks run on both: lost tasks and shuffle output are
    recomputed on the other worker, and the report equals the embedded engine's. Runs last: one worker is left."""
    from pyspark import SparkContext

    files, mapping = logs
    engine = EngineChoice(engine="spark", master=cluster.url, options=EXECUTOR_CONF)
    failures: list[BaseException] = []

    def run() -> None:
        try:
            run_http_sessions(files, mapping=mapping, out=tmp_path / "s.parquet", warehouse=None, engine=engine)
        except BaseException as exc:
            failures.append(exc)

    job = threading.Thread(target=run)
    job.start()
    deadline = time.monotonic() + 300
    while True:
        if _running_on_both(SparkContext._active_spark_context):
            break
        assert job.is_alive() and time.monotonic() < deadline, f"no job ran on both workers: {failures}"
        time.sleep(0.1)
    cluster.kill_worker(0)
    job.join(timeout=600)
    assert not job.is_alive() and not failures, failures
    assert cluster.alive_workers() <= 1
    run_http_sessions(files, mapping=mapping, out=tmp_path / "e.parquet", warehouse=None)
    assert_frame_equal(_report(tmp_path / "s.parquet"), pl.read_parquet(tmp_path / "e.parquet"))


def _running_on_both(sc: Any) -> bool:
    """Whether the job's context is up, a stage is running, and both workers' executors have registered."""
    if sc is None or getattr(sc, "_jsc", None) is None:
        return False  # still starting (or already stopped)
    try:
        executors = int(sc._jsc.sc().getExecutorMemoryStatus().size()) - 1  # the driver is listed too
        return bool(sc.statusTracker().getActiveStageIds()) and executors >= 2
    except Exception:  # the context stopped between the check and the calls
        return False
