"""Latency of GET /metrics/orders over 1,000,000 shop events' worth of sessions (embedded warehouse).

Usage: .venv/bin/python -m benchmarks.metrics_api [--events 1000000] [--requests 500]
Target (issue 4): answers in under 50 ms. Prints one table: latency percentiles over a real server
on loopback with the response cache skipped (`Cache-Control: no-cache`), right after a writer
made the server close and reopen the DuckDB file, from the cache, and the SQL alone.
"""

from __future__ import annotations

import argparse
import statistics
import time
import urllib.request
from datetime import timedelta

from benchmarks._common import cache_dir, table
from footfall.api.process import serve_in_background
from footfall.reports.shop import order_metrics
from footfall.sessions.shop_pipeline import run_shop_sessions
from footfall.synth.shop_events import ShopSpec, generate_shop_events
from footfall.warehouse import connect


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=500)
    args = parser.parse_args()
    folder = cache_dir()
    events = folder / f"shop_{args.events}.jsonl"
    if not events.exists():
        generate_shop_events(ShopSpec(events=args.events, seed=42, days=60), events)
    url = f"duckdb:///{folder / f'shop_{args.events}.duckdb'}"
    with connect(url) as wh:
        if not wh.query("SELECT count(*) AS n FROM shop_sessions")["n"][0]:
            run_shop_sessions([events], gap=timedelta(minutes=30), warehouse=wh)
        sessions = int(wh.query("SELECT count(*) AS n FROM shop_sessions")["n"][0])
        sql_ms = []
        for _ in range(50):
            t = time.perf_counter()
            order_metrics(wh)
            sql_ms.append((time.perf_counter() - t) * 1000)
    fresh = {"Cache-Control": "no-cache"}  # skip the server's response cache: the SQL runs every time
    with serve_in_background(url) as base:
        cold, warm, cached = [], [], []
        for i in range(args.requests):
            if i % 100 == 0:
                connect(url).close()  # a writer comes and goes: the server closes the file and reopens it
            t = time.perf_counter()
            request = urllib.request.Request(f"{base}/metrics/orders", headers=fresh)
            urllib.request.urlopen(request, timeout=10).read()
            (cold if i % 100 == 0 else warm).append((time.perf_counter() - t) * 1000)
            t = time.perf_counter()
            urllib.request.urlopen(f"{base}/metrics/orders", timeout=10).read()
            cached.append((time.perf_counter() - t) * 1000)
    rows = [
        ["GET /metrics/orders, warm (cache skipped)", *_stats(warm)],
        ["GET /metrics/orders, after a writer (reopens DuckDB)", *_stats(cold)],
        ["GET /metrics/orders, cached", *_stats(cached)],
        ["order_metrics() SQL alone", *_stats(sql_ms)],
    ]
    print(
        table(
            f"{args.events:,} events -> {sessions:,} sessions; milliseconds (target < 50)",
            ["what", "n", "p50", "p90", "p99", "max"],
            rows,
        )
    )


def _stats(ms: list[float]) -> list[object]:
    q = statistics.quantiles(ms, n=100, method="inclusive")
    return [len(ms), statistics.median(ms), q[89], q[98], max(ms)]


if __name__ == "__main__":
    main()
