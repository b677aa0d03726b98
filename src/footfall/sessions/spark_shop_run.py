"""The `--engine spark` run of web-shop events: parse and sessionize on Spark, then the common load.

JSON-lines inputs are read as numbered lines, Parquet inputs as numbered rows; both are parsed
once into Parquet shards (`spark_shop_parse.py`, `spark_shop_parquet.py`); sessions and events
with their session ids are written by Spark, and this process loads them a part at a time with
the load every engine shares (`load_shop_results`). docs/distributed.md → Spark.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import polars as pl

from footfall.errors import InputError
from footfall.readers.shop_events import EVENT_SCHEMA
from footfall.runs import RunSummary
from footfall.sessions import spark_runs as steps
from footfall.sessions.engines import EngineChoice
from footfall.sessions.pipeline import refuse_empty
from footfall.sessions.shop_pipeline import load_shop_results
from footfall.sessions.shop_sessions import SHOP_SESSION_SCHEMA, device_class, referrer_domain
from footfall.warehouse import Warehouse

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

__all__ = ["spark_shop_sessions"]


def spark_shop_sessions(
    files: Sequence[Path],
    *,
    gap: timedelta,
    warehouse: Warehouse,
    engine: EngineChoice,
    allow_empty: bool = False,
) -> RunSummary:
    """Web-shop sessions on Spark: the same tables as `run_shop_sessions`."""
    from pyspark.sql import functions as F

    from footfall.sessions.spark import shop_report, shop_session_ids

    paths = steps.spark_inputs(files)
    layouts = _shop_layouts(paths)
    summary = RunSummary("shop sessions", inputs=[str(p) for p in files])
    with steps.spark_run(engine, summary) as (spark, shards):
        parsed = _parse_shop(spark, paths, summary.inputs, layouts, f"{shards}/parsed")
        newest = steps.count_parsed(summary, parsed, gap)
        refuse_empty(summary, files, allow_empty=allow_empty)
        events = parsed.where(F.col("reason").isNull())
        summary.details.anonymous_events = events.where(F.col("customer_id").isNull()).count()
        sessioned = shop_session_ids(events, gap=gap)
        shop_report(sessioned).withColumn("open", steps.open_column(newest, gap)).write.parquet(f"{shards}/sessions")
        anonymous = events.where(F.col("customer_id").isNull()).withColumn("session_id", F.lit(None).cast("string"))
        columns = [*EVENT_SCHEMA.names(), "session_id"]
        sessioned.select(columns).unionByName(anonymous.select(columns)).write.parquet(f"{shards}/events")
        sessions = steps.parquet_parts(f"{shards}/sessions", _shop_sessions)
        summary.written = sessions.rows()
        loaded = steps.parquet_parts(f"{shards}/events", lambda part: part.cast(dict(EVENT_SCHEMA)))
        load_shop_results(warehouse, summary, events=loaded, rejects=steps.parsed_rejects(shards), sessions=sessions)
    return summary


def _shop_layouts(paths: Sequence[str]) -> list[str]:
    """Each input's layout (`json_arrays.Layout`, or `parquet`: by its first bytes, or a remote path's suffix)."""
    from footfall.readers.json_arrays import array_layout
    from footfall.readers.shop_parquet import is_parquet

    layouts = []
    for path in paths:
        remote = "://" in path
        if path.endswith(".parquet") if remote else is_parquet(Path(path)):
            layouts.append("parquet")
            continue
        layout = "jsonl" if remote else array_layout(Path(path))
        if layout == "pretty":
            raise InputError(f"{path}: a pretty-printed JSON array; the spark engine reads one event per line")
        layouts.append(layout)
    return layouts


def _parse_shop(spark: SparkSession, paths: list[str], names: list[str], layouts: list[str], folder: str) -> DataFrame:
    """Parse the JSON-lines inputs in two shards (`json/sql`: the common lines, `json/reader`: the rest, as
    `_parse_http`) and the Parquet ones likewise (`parquet/sql`, `parquet/reader`); `parsed` is the union."""
    from functools import reduce

    from footfall.sessions.spark_lines import numbered_lines
    from footfall.sessions.spark_parse import with_the_rest
    from footfall.sessions.spark_shop_parquet import parquet_rows, parse_parquet_rows, read_the_parquet_rest
    from footfall.sessions.spark_shop_parse import parse_shop_lines_on_spark, read_the_shop_rest

    parts = []
    json = [i for i, layout in enumerate(layouts) if layout != "parquet"]
    if json:
        lines = numbered_lines(spark, [paths[i] for i in json], names=[names[i] for i in json], indices=json)
        arrays = [layout == "lines" for layout in layouts]
        sql = steps.shard(
            parse_shop_lines_on_spark(lines, arrays=arrays, max_line_bytes=steps.max_line_bytes()), f"{folder}/json/sql"
        )
        rest = steps.shard(read_the_shop_rest(sql, max_line_bytes=steps.max_line_bytes()), f"{folder}/json/reader")
        parts.append(with_the_rest(sql, rest))
    parquet = [(i, paths[i], names[i]) for i, layout in enumerate(layouts) if layout == "parquet"]
    if parquet:
        sql = steps.shard(parse_parquet_rows(parquet_rows(spark, parquet)), f"{folder}/parquet/sql")
        rest = steps.shard(read_the_parquet_rest(sql), f"{folder}/parquet/reader")
        parts.append(with_the_rest(sql, rest, marker="_row"))
    return reduce(lambda a, b: a.unionByName(b), parts)


def _shop_sessions(part: pl.DataFrame) -> pl.DataFrame:
    return (
        part.with_columns(
            referrer_domain=referrer_domain(pl.col("first_referrer")), device=device_class(pl.col("user_agent"))
        )
        .select(*SHOP_SESSION_SCHEMA.names(), "open")
        .cast(dict(SHOP_SESSION_SCHEMA))  # type: ignore[arg-type]
    )
