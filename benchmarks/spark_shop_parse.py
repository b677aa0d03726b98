"""The web-shop parse on Spark: Spark SQL for the common lines (the engine) against every line through
footfall's reader in one `mapInArrow` (the first version), on generated events.

Usage: .venv/bin/python -m benchmarks.spark_shop_parse [--events 300000] [--runs 3] [--master local[2]]
Each run numbers the lines, parses them and writes the Parquet shard(s), then counts the events;
runs alternate between the two ways in one JVM (the first run of each pays the JVM's warm-up).
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

from benchmarks._common import cache_dir, table
from footfall.sessions.spark_lines import numbered_lines
from footfall.sessions.spark_parse import with_the_rest
from footfall.sessions.spark_setup import spark_session
from footfall.sessions.spark_shop_parse import parse_shop_lines_on_spark, read_the_shop_rest
from footfall.synth.shop_events import ShopSpec, generate_shop_events

if TYPE_CHECKING:
    from pyspark.sql import SparkSession


def main() -> None:
    """Time both ways `--runs` times each and print a table."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=300_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--master", default="local[2]")
    args = parser.parse_args()
    events = cache_dir() / f"shop-{args.events}.jsonl"
    if not events.exists():
        generate_shop_events(ShopSpec(events=args.events, seed=1, days=30), events)
    rows = []
    with spark_session(args.master, {"spark.sql.shuffle.partitions": "8"}) as spark:
        for run in range(args.runs):
            for way in ("Spark SQL + the rest", "all through the reader"):
                folder = Path(tempfile.mkdtemp(prefix="footfall-bench-"))
                start = time.perf_counter()
                accepted = _parse(spark, str(events), folder, sql=way.startswith("Spark SQL"))
                rows.append([run + 1, way, time.perf_counter() - start, accepted])
                shutil.rmtree(folder)
    print(table(f"web-shop parse, {events.name}, {args.master}", ["run", "way", "seconds", "events"], rows))


def _parse(spark: SparkSession, path: str, folder: Path, *, sql: bool) -> int:
    """Parse into shards under `folder` as the engine does (`sql`), or as the first version did."""
    from pyspark.sql import functions as F

    lines = numbered_lines(spark, [path])
    if not sql:  # the first version: every line through the reader, one shard
        every = lines.select("*", F.col("value").cast("binary").alias("bytes"), F.lit(False).alias("array"))
        read_the_shop_rest(every, max_line_bytes=1 << 20).write.parquet(str(folder / "reader"))
        return int(spark.read.parquet(str(folder / "reader")).where(F.col("reason").isNull()).count())
    parse_shop_lines_on_spark(lines, arrays=[False], max_line_bytes=1 << 20).write.parquet(str(folder / "sql"))
    shard = spark.read.parquet(str(folder / "sql"))
    read_the_shop_rest(shard, max_line_bytes=1 << 20).write.parquet(str(folder / "reader"))
    parsed = with_the_rest(shard, spark.read.parquet(str(folder / "reader")))
    return int(parsed.where(F.col("reason").isNull()).count())


if __name__ == "__main__":
    main()
