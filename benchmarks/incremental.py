"""Incremental benchmark: one new hour of a 10M-events/day stream against a full-day recompute.

Usage: .venv/bin/python -m benchmarks.incremental [--events 10000000]
Generates one day of access log (cached), splits it into hourly files as servers deliver them
(1 % of lines up to 50 minutes late), builds the incremental state over the first 23 hours,
then times the last hour's incremental run against one run over all the day's files, both as
the CLI (`footfall logs sessions`), with and without the DuckDB warehouse; then the same hour
taken by a watching process (`--watch`: no start-up per hour), and inside one process.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import polars as pl

from benchmarks._common import cache_dir, table
from footfall.sessions.http_pipeline import run_http_sessions
from footfall.synth.hourly import split_hourly
from footfall.synth.http_log import HttpLogSpec, generate_http_log

FOOTFALL = [sys.executable, "-m", "footfall", "logs", "sessions"]


def timed(command: list[str]) -> float:
    """Seconds the command took (it must succeed)."""
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--events", type=int, default=10_000_000)
    args = parser.parse_args()
    root = cache_dir() / f"day_{args.events}"
    day, mapping, hours_dir = root / "day.log", root / "mapping.csv", root / "hours"
    if not hours_dir.exists():
        root.mkdir(exist_ok=True)
        generate_http_log(
            HttpLogSpec(events=args.events, users=args.events // 50, seed=11, days=1), day, mapping_out=mapping
        )
        split_hourly(day, hours_dir, seed=11)
        day.unlink()
    hours = sorted(hours_dir.glob("*.log"))[:24]  # the day's hours (a last file holds lines delivered after midnight)
    work = root / "work"
    rows: list[list[object]] = []
    sinks = (  # (label, report target of the incremental runs, warehouse arguments)
        ("report file", "inc.parquet", ["--no-warehouse"]),
        ("report folder", "inc", ["--no-warehouse"]),
        ("folder + DuckDB", "inc", ["--warehouse"]),
    )
    for label, target, sink in sinks:
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir()

        def args_for(name: str, out: str, sink: list[str] = sink) -> list[str]:
            where = [*sink, f"duckdb:///{work / name}.duckdb"] if sink == ["--warehouse"] else sink
            return ["--mapping", str(mapping), "--out", str(work / out), *where]

        full = timed([*FOOTFALL, *map(str, hours), *args_for("full", "full.parquet")])
        incremental = [*args_for("inc", target), "--incremental", "--state", str(work / "state")]
        for hour in hours[:-1]:
            timed([*FOOTFALL, str(hour), *incremental])
        last = timed([*FOOTFALL, str(hours[-1]), *incremental])
        report = pl.read_parquet(work / target / "*.parquet" if target == "inc" else work / target)
        reference = pl.read_parquet(work / "full.parquet")
        same = report.sort("user_id", "session_start").equals(reference)
        if label == "report folder":
            folder_full = full
        last_lines = sum(1 for _ in hours[-1].open("rb"))
        rows.append(
            [
                label,
                round(full, 2),
                f"{last_lines:,}",
                round(last, 2),
                f"{100 * last / full:.1f} %",
                "yes" if same else "NO",
            ]
        )
    startup = min(timed([sys.executable, "-m", "footfall", "--version"]) for _ in range(3))
    print(
        table(
            f"incremental: the last hour of a {args.events:,}-event day vs a full-day recompute (CLI, 2 cores)",
            ["sink", "full day s", "last hour lines", "incremental s", "share", "same report"],
            rows,
        )
    )
    print(f"of each incremental time, {startup:.2f} s is the CLI starting (python -m footfall --version)")
    print()
    print(watching(hours, mapping, work, full=folder_full, reference=reference))
    print()
    print(in_process(hours, mapping, work))


def watching(hours: list[Path], mapping: Path, work: Path, *, full: float, reference: pl.DataFrame) -> str:
    """The last hour taken by a `--watch` process that already took the first 23 (that run's own time)."""
    shutil.rmtree(work, ignore_errors=True)
    inbox = work / "inbox"
    inbox.mkdir(parents=True)
    for hour in hours[:-1]:
        shutil.copy(hour, inbox / hour.name)
    command = [*FOOTFALL, str(inbox), "--mapping", str(mapping), "--out", str(work / "inc"), "--no-warehouse"]
    command += ["--incremental", "--state", str(work / "state"), "--watch", "0.5"]
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env, start_new_session=True
    )
    assert proc.stdout is not None
    try:
        proc.stdout.readline()  # the first look's run: the 23 hours already there
        shutil.copy(hours[-1], inbox / f"{hours[-1].name}.part")
        (inbox / f"{hours[-1].name}.part").rename(inbox / hours[-1].name)
        last = proc.stdout.readline()  # "<when>  1 file(s)  read …  <seconds> s"
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=60)
    seconds = float(re.findall(r"([0-9.]+) s$", last.strip())[0])
    report = pl.read_parquet(work / "inc" / "*.parquet").sort("user_id", "session_start")
    row = ["report folder", round(full, 2), seconds, f"{100 * seconds / full:.1f} %"]
    header = ["sink", "full day s (CLI, above)", "last hour s (the run)", "share", "same report"]
    return table(
        "the same hour taken by a watching process (--watch 0.5: started once, no start-up per hour)",
        header,
        [[*row, "yes" if report.equals(reference) else "NO"]],
    )


def in_process(hours: list[Path], mapping: Path, work: Path) -> str:
    """The same comparison inside one process (as an orchestrator's run calls it): no interpreter start-up."""
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir()
    options = {"mapping": mapping, "gap": timedelta(minutes=5), "warehouse": None}
    run_http_sessions(hours[:1], out=work / "warm-up.parquet", **options)  # libraries loaded, thread pools up
    start = time.perf_counter()
    run_http_sessions(hours, out=work / "full.parquet", **options)
    full = time.perf_counter() - start
    for hour in hours[:-1]:
        run_http_sessions([hour], out=work / "inc", state_dir=work / "state", **options)
    start = time.perf_counter()
    run_http_sessions(hours[-1:], out=work / "inc", state_dir=work / "state", **options)
    last = time.perf_counter() - start
    same = (
        pl.read_parquet(work / "inc" / "*.parquet")
        .sort("user_id", "session_start")
        .equals(pl.read_parquet(work / "full.parquet"))
    )
    row = ["report folder", round(full, 2), round(last, 2), f"{100 * last / full:.1f} %", "yes" if same else "NO"]
    header = ["sink", "full day s", "incremental s", "share", "same report"]
    return table("the same, in one process (run_http_sessions)", header, [row])


if __name__ == "__main__":
    main()
