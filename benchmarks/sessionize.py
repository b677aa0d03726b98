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
}


def tools(log: Path, mapping: Path, out: Path) -> dict[str, list[str]]:
    """The command of each tool, writing the report to `out` (a file, or a folder for Spark)."""
    footfall = [PY, "-m", "footfall", "logs", "sessions", str(log), "--mapping", str(mapping), "--out", str(out)]
    return {
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


def run(command: list[str], limit: float) -> tuple[float, float, str]:
    """(seconds, peak RSS MiB of the process and its waited children, status)."""
    start = time.perf_counter()
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    deadline = start + limit
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            seconds = time.perf_counter() - start
            ok = os.waitstatus_to_exitcode(status) == 0
            err = "" if ok else (proc.stderr.read().decode(errors="replace").strip().splitlines() or ["failed"])[-1]
            return seconds, usage.ru_maxrss / 1024, "ok" if ok else f"failed: {err[:60]}"
        if time.perf_counter() > deadline:
            os.killpg(proc.pid, 9)
            proc.wait()
            return time.perf_counter() - start, 0.0, "stopped at the limit"
        time.sleep(0.05)


def load_report(out: Path) -> pl.DataFrame:
    """A report written by any tool, in footfall's types and order, with the contract's columns."""
    frame = pl.read_parquet(out / "*.parquet" if out.is_dir() else out).select(SESSION_SCHEMA.names())
    return frame.with_columns(
        pl.col("session_start", "session_end").cast(pl.Datetime("us", "UTC")),
        pl.col("events", "campaign_views", "rewards_issued_count").cast(pl.Int64),
    ).sort("user_id", "session_start")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--sizes", default="1M,10M")
    parser.add_argument("--limit-minutes", type=float, default=15.0)
    parser.add_argument("--only", default="", help="comma-separated tool names to run (default all)")
    parser.add_argument("--generate", action="store_true", help=argparse.SUPPRESS)  # the child that writes an input
    args = parser.parse_args()
    limit = args.limit_minutes * 60
    rows: list[list[object]] = []
    notes: list[str] = []
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
        for name, command in tools(log, mapping, cache_dir() / "out.parquet").items():
            if args.only and name not in args.only.split(","):
                continue
            estimate = SECONDS_PER_EVENT.get(name, 0) * events
            if estimate > limit:
                rows.append([size, name, "-", "-", "-", f"skipped: ~{estimate / 60:.0f} min expected"])
                continue
            out = cache_dir() / f"out_{size}_{len(outputs)}.parquet"
            command = [out.as_posix() if c.endswith("out.parquet") else c for c in command]
            command = [f"duckdb:///{out.with_suffix('.duckdb')}" if c.endswith("out.duckdb") else c for c in command]
            for stale in (out, out.with_suffix(".duckdb")):
                shutil.rmtree(stale, ignore_errors=True) if stale.is_dir() else stale.unlink(missing_ok=True)
            seconds, rss, status = run(command, limit)
            rows.append([size, name, round(seconds, 2), int(events / seconds), round(rss), status])
            if status == "ok" and not name.startswith("floor"):
                outputs[name] = out
        if size == "1M" and outputs:
            reference = load_report(outputs[next(iter(outputs))])
            for name, out in outputs.items():
                same = load_report(out).equals(reference)
                notes.append(f"1M: {name} {'gives the same sessions' if same else 'DIFFERS from footfall'}")
    print(
        table(
            "sessionize: raw log -> sessions report (2 cores)",
            ["size", "tool", "seconds", "events/s", "peak RSS MiB", "status"],
            rows,
        )
    )
    print("\n".join(notes))


if __name__ == "__main__":
    main()
