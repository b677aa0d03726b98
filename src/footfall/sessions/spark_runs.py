"""The steps every `--engine spark` run shares: the session, the inputs, the parsed shards, the counts.

A run (docs/distributed.md → Spark) reads its inputs as numbered lines (or Parquet rows), parses
them once into a Parquet shard of events and rejects, and computes its sessions from that shard;
this process then reads the shards a part at a time (never the whole input) for the load every
engine shares. The HTTP-log run is `spark_http_run`, the web-shop run `spark_shop_run`.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl

from footfall.errors import InputError
from footfall.readers.lines import REJECT_SCHEMA
from footfall.runs import RunSummary
from footfall.sessions.engines import EngineChoice

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

__all__ = [
    "Parts",
    "count_parsed",
    "max_line_bytes",
    "open_column",
    "parquet_parts",
    "parsed_rejects",
    "shard",
    "spark_inputs",
    "spark_run",
]


@contextmanager
def spark_run(engine: EngineChoice, summary: RunSummary) -> Iterator[tuple[SparkSession, str]]:
    """The Spark session and the shards' folder (the one given, kept; or a local temp one, removed)."""
    from footfall.sessions.spark_setup import spark_session

    summary.details.engine, summary.details.runner = "spark", engine.master
    folder = (
        engine.shards.rstrip("/") + f"/{summary.run_id}"
        if engine.shards
        else tempfile.mkdtemp(prefix="footfall-spark-")
    )
    try:
        with spark_session(engine.master, engine.spark_conf()) as spark:
            yield spark, folder
    finally:
        if engine.shards is None:
            shutil.rmtree(folder, ignore_errors=True)


def spark_inputs(paths: Sequence[Path]) -> list[str]:
    """The inputs as Spark paths (`s3a:/b/k` from a Path back to `s3a://b/k`); local ones must be readable files."""
    out = []
    if not paths:
        raise InputError("no input files given")
    for path in paths:
        text = str(path)
        scheme, sep, rest = text.partition(":/")
        if sep and scheme.isalnum() and len(scheme) > 1:
            out.append(f"{scheme}://{rest.lstrip('/')}")
            continue
        if not path.is_file():
            raise InputError(f"{path}: no such file" if not path.exists() else f"{path}: is not a file")
        try:
            with path.open("rb"):
                pass
        except OSError as exc:
            raise InputError(f"{path}: cannot be read ({exc.strerror})") from None
        out.append(str(path.resolve()))
    return out


def max_line_bytes() -> int:
    """The longest line a reader accepts (settings: `max_line_bytes`)."""
    from footfall.config import get_settings

    return get_settings().max_line_bytes


def shard(frame: DataFrame, path: str) -> DataFrame:
    """Write `frame` once (the parse is the costly pass) and read it back for every later step."""
    frame.write.mode("overwrite").parquet(path)
    return frame.sparkSession.read.parquet(path)


def count_parsed(summary: RunSummary, parsed: DataFrame, gap: timedelta) -> int | None:
    """Count read = accepted + rejected and the rejects by reason; the newest event's instant in µs since
    the epoch (one small aggregation; an integer, as Python datetimes from Spark are in local time)."""
    from pyspark.sql import functions as F

    rows = (
        parsed.groupBy("reason").agg(F.count("*").alias("count"), F.max(F.unix_micros("ts")).alias("newest")).collect()
    )
    by_reason = {row["reason"]: row["count"] for row in rows}
    newest = next((row["newest"] for row in rows if row["reason"] is None), None)
    summary.accepted = by_reason.pop(None, 0)
    summary.rejected = sum(by_reason.values())
    summary.read = summary.accepted + summary.rejected
    summary.details.reject_reasons = dict(sorted(by_reason.items()))
    summary.details.gap_seconds = gap.total_seconds()
    return newest


def open_column(newest_us: int | None, gap: timedelta) -> Any:
    """`open`: the session ends within one gap of the newest event (`incremental.open_sessions`)."""
    from pyspark.sql import functions as F

    if newest_us is None:
        return F.lit(False)
    return F.col("session_end") > F.timestamp_micros(F.lit(newest_us - gap // timedelta(microseconds=1)))


def parsed_rejects(shards: str) -> pl.DataFrame:
    """The rejects, as the embedded engine orders them (by file, then line)."""
    parts = sorted(Path(f"{shards}/parsed").rglob("*.parquet"))
    if not parts:
        return pl.DataFrame(schema=REJECT_SCHEMA)
    rejects = pl.concat(
        [pl.scan_parquet(part).filter(pl.col("reason").is_not_null()).select(REJECT_SCHEMA.names()) for part in parts]
    )
    return rejects.sort("source_file", "line_number").collect().cast(REJECT_SCHEMA)


class Parts:
    """The Parquet files under a folder, read one at a time (iterable more than once)."""

    def __init__(self, folder: str | Path, shape: Any) -> None:
        self.files = sorted(Path(folder).rglob("*.parquet"))
        self.shape = shape

    def rows(self) -> int:
        """How many rows the files hold (from their metadata)."""
        return int(pl.scan_parquet(self.files).select(pl.len()).collect().item()) if self.files else 0

    def __iter__(self) -> Iterator[pl.DataFrame]:
        for file in self.files:
            yield self.shape(pl.read_parquet(file, hive_partitioning=False))


def parquet_parts(folder: str | Path, shape: Any) -> Parts:
    """The Parquet files under `folder`, each read and passed through `shape` when iterated."""
    return Parts(folder, shape)
