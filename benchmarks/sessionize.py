"""Sessionize benchmark: footfall against the usual tools on the same generated access logs.

Usage: .venv/bin/python -m benchmarks.sessionize [--sizes 1M,10M[,100M]] [--limit-minutes 15]
Prints one table: wall time, events/s and peak RSS per tool and size, with the floor (reading
the file's bytes). Every tool runs in its own process; outputs on the 1M file are checked to
be the same sessions. Inputs are generated once into benchmarks/.cache.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import polars as pl

from benchmarks._common import cache_dir, table
from footfall.sessions.http_sessions import SESSION_SCHEMA
from footfall.synth.http_log import HttpLogSpec, generate_http_log

PY = sys.executable
SIZES = {"1M": 1_000_000, "10M": 10_000_000, "100M": 100_000_000}
# per-event cost anchors measured once, used only to skip runs that would exceed the limit
SECONDS_PER_EVENT = {
    "footfall on Beam DirectRunner": 200e-6,
    "pandas take-home": 185e-6 * 2.5,
    "PySpark local[2] (LAG)": 30e-6,
    "DuckDB SQL (LAG)": 6e-6,
    "footfall on Spark local[2]": 100e-6,  # measured on a shared machine (docs/distributed.md)
    "footfall on Spark 2-worker cluster": 180e-6,
}
SPARK_LOCAL_CONF = ["spark.driver.memory=2g", "spark.sql.shuffle.partitions=8"]  # the peer's settings, but 2g
SPARK_CLUSTER_CONF = ["spark.executor.memory=1g", "spark.sql.shuffle.partitions=8"]


def tools(log: Path, mapping: Path, out: Path, cluster: str | None = None) -> dict[str, list[str]]:
    """The command of each tool, writing the report to `out` (a file, or a folder for Spark)."""
    footfall = [PY, "-m", "footfall", "logs", "sessions", str(log), "--mapping", str(mapping), "--out", str(out)]
    spark = [*footfall, "--no-warehouse", "--engine", "spark"]
    on_cluster = {"footfall on Spark 2-worker cluster": [*spark, "--master", cluster, "--", *SPARK_CLUSTER_CONF]}
    return {
        "footfall on Spark local[2]": [*spark, "--master", "local[2]", "--", *SPARK_LOCAL_CONF],
        **(on_cluster if cluster else {}),
        "floor: read the bytes": [PY, "-c", f"f=open({str(log)!r},'rb')\nwhile f.read(1<<24): pass"],
        "footfall (report only)": [*footfall, "--no-warehouse"],
        "footfall + DuckDB warehouse": [*footfall, "--warehouse", f"duckdb:///{out.with_suffix('.duckdb')}"],
        "footfall on Beam DirectRunner": [*footfall, "--no-warehouse", "--engine", "beam"],
        "DuckDB SQL (LAG)": [PY, "-m", "benchmarks.peers.duckdb_sql", str(log), str(mapping), str(out)],
        "PySpark local[2] (LAG)": [PY, "-m", "benchmarks.peers.pyspark_lag", str(log), str(mapping), str(out)],
        "pandas take-home": [PY, "-m", "benchmarks.peers.pandas_takehome", str(log), str(mapping), str(out)],
    }


def inputs(events: int) -> tuple[Path, Path]:
    """The cached log of `events` lines and its campaign-reward mapping."""
    return cache_dir() / f"http_{events}.log", cache_dir() / f"http_{events}.mapping.csv"


def run(command: list[str], limit: float) -> tuple[float, float, float, str]:
    """(seconds, peak RSS MiB of the process and its waited children, peak RSS MiB of its whole process
    tree sampled every 50 ms — for Spark the driver: Python and its JVM —, status)."""
    start = time.perf_counter()
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    deadline = start + limit
    tree_peak = 0.0
    while True:
        tree_peak = max(tree_peak, tree_rss_mib(proc.pid))
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            seconds = time.perf_counter() - start
            ok = os.waitstatus_to_exitcode(status) == 0
            err = "" if ok else (proc.stderr.read().decode(errors="replace").strip().splitlines() or ["failed"])[-1]
            return seconds, usage.ru_maxrss / 1024, tree_peak, "ok" if ok else f"failed: {err[:60]}"
        if time.perf_counter() > deadline:
            os.killpg(proc.pid, 9)
            proc.wait()
            return time.perf_counter() - start, 0.0, tree_peak, "stopped at the limit"
        time.sleep(0.05)


def tree_rss_mib(root: int) -> float:
    """Resident memory of `root` and all its descendants now, in MiB (from /proc)."""
    parents: dict[int, int] = {}
    rss: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid = int(stat.parent.name)
        parents[pid], rss[pid] = int(fields[1]), int(fields[21])
    tree, grew = {root}, True
    while grew:
        more = {pid for pid, parent in parents.items() if parent in tree} - tree
        tree |= more
        grew = bool(more)
    return sum(rss.get(pid, 0) for pid in tree) * os.sysconf("SC_PAGE_SIZE") / 2**20


def load_report(out: Path) -> pl.DataFrame:
    """A report written by any tool, in footfall's types and order, with the contract's columns."""
    frame = pl.read_parquet(out / "**" / "*.parquet" if out.is_dir() else out, hive_partitioning=False)
    frame = frame.select(SESSION_SCHEMA.names())
    return frame.with_columns(
        pl.col("session_start", "session_end").cast(pl.Datetime("us", "UTC")),
        pl.col("events", "campaign_views", "rewards_issued_count").cast(pl.Int64),
    ).sort("user_id", "session_start")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--sizes", default="1M,10M")
    parser.add_argument("--limit-minutes", type=float, default=15.0)
    parser.add_argument("--only", default="", help="comma-separated tool names to run (default all)")
    parser.add_argument("--cluster", action="store_true", help="also run footfall on a 2-worker Spark cluster")
    parser.add_argument("--generate", action="store_true", help=argparse.SUPPRESS)  # the child that writes an input
    args = parser.parse_args()
    limit = args.limit_minutes * 60
    rows: list[list[object]] = []
    notes: list[str] = []
    if args.generate:  # the child that writes one input
        measure(args, limit, rows, notes, None)
        return
    with spark_cluster(args.cluster) as cluster:
        measure(args, limit, rows, notes, cluster)
    print(
        table(
            "sessionize: raw log -> sessions report (2 cores)",
            ["size", "tool", "seconds", "events/s", "peak RSS MiB", "process tree MiB", "status"],
            rows,
        )
    )
    print("\n".join(notes))


@contextmanager
def spark_cluster(wanted: bool) -> Iterator[str | None]:
    """A standalone master and two 1-core, 1 GiB workers on 127.0.0.1 (the tests' launcher), or None."""
    if not wanted:
        yield None
        return
    from tests.sessions.spark_cluster import Cluster

    folder = cache_dir() / "spark-cluster"
    folder.mkdir(exist_ok=True)
    running = Cluster(folder, worker_memory="1g")
    running.start(workers=2)
    try:
        yield running.url
    finally:
        running.stop()


def measure(
    args: argparse.Namespace, limit: float, rows: list[list[object]], notes: list[str], cluster: str | None
) -> None:
    """Run every tool on every size, adding table rows and equality notes."""
    for size in args.sizes.split(","):
        events = SIZES[size]
        log, mapping = inputs(events)
        if args.generate:
            generate_http_log(
                HttpLogSpec(events=events, users=max(1000, events // 50), seed=10, days=14), log, mapping_out=mapping
            )
            return
        if not log.exists():  # in a child: this process's peak RSS would count in every tool's (ru_maxrss)
            subprocess.run([PY, "-m", "benchmarks.sessionize", "--sizes", size, "--generate"], check=True)
        outputs: dict[str, Path] = {}
        for name, command in tools(log, mapping, cache_dir() / "out.parquet", cluster).items():
            if args.only and name not in args.only.split(","):
                continue
            estimate = SECONDS_PER_EVENT.get(name, 0) * events
            if estimate > limit:
                rows.append([size, name, "-", "-", "-", "-", f"skipped: ~{estimate / 60:.0f} min expected"])
                continue
            out = cache_dir() / f"out_{size}_{len(outputs)}.parquet"
            command = [out.as_posix() if c.endswith("out.parquet") else c for c in command]
            command = [f"duckdb:///{out.with_suffix('.duckdb')}" if c.endswith("out.duckdb") else c for c in command]
            for stale in (out, out.with_suffix(".duckdb")):
                shutil.rmtree(stale, ignore_errors=True) if stale.is_dir() else stale.unlink(missing_ok=True)
            seconds, rss, tree, status = run(command, limit)
            rows.append([size, name, round(seconds, 2), int(events / seconds), round(rss), round(tree), status])
            if status == "ok" and not name.startswith("floor"):
                outputs[name] = out
        if size == "1M" and outputs:
            reference = load_report(outputs[next(iter(outputs))])
            for name, out in outputs.items():
                same = load_report(out).equals(reference)
                notes.append(f"1M: {name} {'gives the same sessions' if same else 'DIFFERS from footfall'}")


if __name__ == "__main__":
    main()
