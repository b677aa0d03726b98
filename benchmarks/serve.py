"""`footfall serve` under load: 200 connections, cached report endpoints, and a pipeline writing the same DuckDB file.

Usage: .venv/bin/python -m benchmarks.serve [--events 1000000] [--log-events 2000000] [--seconds 20] [--no-postgres]

Load comes from wrk (Debian's `wrk`: apt-get install -y wrk), a C client that costs the server
little CPU; `/health` is timed meanwhile by footfall's own asyncio client (`footfall.api.loadgen`,
a new connection per probe, every 50 ms) in this process, on the main port and on the health port
(FOOTFALL_HEALTH_PORT: answered from a thread of its own), and the pipeline scenario's load is that
client too. Targets (issue 18): 200 connections for 20 s on /metrics/orders with zero hangs, every
request answered (200 or a fast 503) and /health p99 < 50 ms; >= 200 req/s on cached report endpoints
at 16 connections; serving while a 2M-event `footfall logs sessions` writes the same DuckDB file with
zero failed runs and every read answered. Prints one table.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

from benchmarks._common import cache_dir, table
from footfall.api.loadgen import Answer, hammer, probe
from footfall.api.process import free_port, serve_in_background
from footfall.sessions.shop_pipeline import run_shop_sessions
from footfall.synth.http_log import HttpLogSpec, generate_http_log
from footfall.synth.shop_events import ShopSpec, generate_shop_events
from footfall.warehouse import connect

HEADER = ["scenario", "warehouse", "conns", "s", "requests", "req/s", "200", "503", "hangs", "p99 ms", "health p50",
          "health p99", "health max", "health port p50", "health port p99", "health port max", "note"]  # fmt: skip
HANG = 15.0  # seconds without an answer that count as a hang: the server's own bound is 2 s + 10 s (pool, request)
CHARTS = ["shop/orders", "shop/funnel", "shop/referrers", "engagement/active-users", "engagement/weekday-hour",
          "members/top-items", "rewards/by-reward", "sessions/daily"]  # fmt: skip
VARIED = """counter = 0
request = function()
  counter = counter + 1
  local zones = {"UTC", "Asia/Singapore", "Europe/London", "America/New_York"}
  local day = string.format("2022-%02d-%02d", counter % 12 + 1, counter % 28 + 1)
  local path = "/metrics/orders?from=" .. day .. "&tz=" .. zones[counter % 4 + 1] .. "&n=" .. counter
  return wrk.format("GET", path, {["Cache-Control"] = "no-cache"})
end
"""
CHARTS_LUA = """paths = {%s}
counter = 0
request = function()
  counter = counter + 1
  return wrk.format("GET", "/api/charts/" .. paths[counter %% #paths + 1])
end
"""


def main() -> None:
    args = _arguments()
    if shutil.which("wrk") is None:
        sys.exit("benchmarks.serve needs wrk: apt-get install -y wrk")
    folder = cache_dir()
    duck = _shop_warehouse(folder, args.events)
    rows = _scenarios(duck, "duckdb", args.seconds)
    rows.append(_with_pipeline(duck, folder, args.log_events))
    if not args.no_postgres:
        rows += _postgres_rows(folder, args)
    print(
        table(f"footfall serve, {args.events:,} shop events; milliseconds; wrk for load, asyncio probes", HEADER, rows)
    )


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--events", type=int, default=1_000_000, help="shop events in the served warehouse")
    parser.add_argument("--log-events", type=int, default=2_000_000, help="events of the pipeline that writes")
    parser.add_argument("--seconds", type=float, default=20.0, help="length of each 200-connection run")
    parser.add_argument("--no-postgres", action="store_true", help="DuckDB only")
    parser.add_argument("--postgres-url", default="postgresql://postgres@127.0.0.1:5432/test")
    return parser.parse_args()


def _scenarios(url: str, kind: str, seconds: float) -> list[list[object]]:
    port = free_port()
    checks = f"http://127.0.0.1:{port}"
    env = {"FOOTFALL_HEALTH_PORT": str(port)}
    with tempfile.TemporaryDirectory() as tmp, serve_in_background(url, log=Path(tmp) / "serve.log", env=env) as base:
        varied = _wrk(base, checks, 200, seconds, VARIED, Path(tmp) / "varied.lua")
        same = _wrk(base, checks, 200, seconds, 'wrk.path = "/metrics/orders"\n', Path(tmp) / "same.lua")
        paths = ", ".join(f'"{p}"' for p in CHARTS)
        charts = _wrk(base, checks, 16, 10, CHARTS_LUA % paths, Path(tmp) / "charts.lua")
    return [
        ["/metrics/orders, every request a new question", kind, 200, seconds, *varied, ""],
        ["/metrics/orders, one question (cached)", kind, 200, seconds, *same, ""],
        [f"{len(CHARTS)} chart endpoints (cached)", kind, 16, 10, *charts, ""],
    ]


def _wrk(base: str, checks: str, connections: int, seconds: float, script: str, path: Path) -> list[object]:
    """wrk's counts and p99 beside /health timed meanwhile on the main port and on the health port `checks`."""
    path.write_text(script)

    async def run() -> tuple[str, list[Answer], list[Answer]]:
        command = [
            "wrk",
            "-t2",
            f"-c{connections}",
            f"-d{seconds:g}s",
            "--timeout",
            f"{HANG:g}s",
            "--latency",
            "-s",
            str(path),
            base,
        ]
        load = await asyncio.create_subprocess_exec(*command, stdout=asyncio.subprocess.PIPE)
        health, checked = await asyncio.gather(
            probe(base, "/health", every=0.05, seconds=seconds - 0.5, timeout=HANG),
            probe(checks, "/health", every=0.05, seconds=seconds - 0.5, timeout=HANG),
        )
        out, _ = await load.communicate()
        return out.decode(), health, checked

    out, health, checked = asyncio.run(run())
    total = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    refused = int(m.group(1)) if (m := re.search(r"Non-2xx or 3xx responses: (\d+)", out)) else 0
    hangs = int(m.group(1)) if (m := re.search(r"timeout (\d+)", out)) else 0
    p99 = _ms(re.search(r"99%\s+([\d.]+\w+)", out).group(1))  # type: ignore[union-attr]
    return [total, total / seconds, total - refused, refused, hangs, p99, *_health(health), *_health(checked)]


def _with_pipeline(url: str, folder: Path, events: int) -> list[object]:
    """16 connections of varied questions while two `footfall logs sessions` runs write the same DuckDB file."""
    log, mapping = folder / f"http_{events}.log", folder / f"http_{events}_mapping.csv"
    if not log.exists():
        generate_http_log(HttpLogSpec(events=events, users=20_000, seed=5), log, mapping_out=mapping)
    with tempfile.TemporaryDirectory() as tmp, serve_in_background(url, log=Path(tmp) / "serve.log") as base:
        command = [sys.executable, "-m", "footfall", "logs", "sessions", str(log), "--mapping", str(mapping),
                   "--out", f"{tmp}/sessions.parquet", "--warehouse", url]  # fmt: skip

        async def run() -> tuple[list[Answer], list[Answer], list[int], float]:
            stop, loop = asyncio.Event(), asyncio.get_running_loop()
            started = loop.time()
            load = asyncio.create_task(hammer(base, _question, connections=16, seconds=600, timeout=HANG, stop=stop))
            health = asyncio.create_task(probe(base, "/health", every=0.05, seconds=600, timeout=HANG, stop=stop))
            codes = [
                (await asyncio.to_thread(subprocess.run, command, capture_output=True)).returncode for _ in range(2)
            ]
            await asyncio.sleep(1)
            stop.set()
            return await load, await health, codes, loop.time() - started

        answers, health, codes, seconds = asyncio.run(run())
    statuses = Counter(a.status for a in answers)
    p99 = sorted(a.seconds for a in answers)[int(len(answers) * 0.99)] * 1000
    runs = f"{codes.count(0)}/2 {events / 1e6:g}M-event runs ok"
    row = ["/metrics/orders while logs sessions writes", "duckdb", 16, round(seconds, 1), len(answers)]
    no_port = ["", "", ""]
    return [
        *row,
        len(answers) / seconds,
        statuses[200],
        statuses[503],
        statuses[None],
        p99,
        *_health(health),
        *no_port,
        runs,
    ]


def _question(i: int) -> str:
    zone = ("UTC", "Asia/Singapore", "Europe/London", "America/New_York")[i % 4]
    return f"/metrics/orders?from={date(2022, 1, 1) + timedelta(days=i % 365)}&tz={zone}"


def _health(answers: list[Answer]) -> list[object]:
    ms = sorted(a.seconds * 1000 if a.status == 200 else float("inf") for a in answers)
    return [ms[len(ms) // 2], ms[min(len(ms) - 1, int(len(ms) * 0.99))], ms[-1]]


def _ms(text: str) -> float:
    value, unit = float(re.match(r"[\d.]+", text).group(0)), text.lstrip("0123456789.")  # type: ignore[union-attr]
    return value * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def _shop_warehouse(folder: Path, events: int) -> str:
    """A DuckDB warehouse with `events` shop events' sessions (generated once)."""
    source = folder / f"shop_{events}.jsonl"
    if not source.exists():
        generate_shop_events(ShopSpec(events=events, seed=42, days=60), source)
    url = f"duckdb:///{folder / f'serve_shop_{events}.duckdb'}"
    with connect(url) as wh:
        if not wh.query("SELECT count(*) AS n FROM shop_sessions")["n"][0]:
            run_shop_sessions([source], gap=timedelta(minutes=30), warehouse=wh)
    return url


def _postgres_rows(folder: Path, args: argparse.Namespace) -> list[list[object]]:
    """The same scenarios over PostgreSQL (a schema of its own, loaded once and dropped)."""
    import psycopg

    schema = "bench_serve"
    try:
        with psycopg.connect(args.postgres_url, autocommit=True, connect_timeout=3) as con:
            con.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
            con.execute(f"CREATE SCHEMA {schema}")
    except psycopg.Error as exc:
        return [["(PostgreSQL skipped)", "postgres", *[""] * (len(HEADER) - 3), str(exc)[:40]]]
    url = f"{args.postgres_url}?options=-csearch_path%3D{schema}"
    try:
        with connect(url) as wh:
            run_shop_sessions([folder / f"shop_{args.events}.jsonl"], gap=timedelta(minutes=30), warehouse=wh)
        return _scenarios(url, "postgres", args.seconds)
    finally:
        with psycopg.connect(args.postgres_url, autocommit=True) as con:
            con.execute(f"DROP SCHEMA {schema} CASCADE")


if __name__ == "__main__":
    main()
