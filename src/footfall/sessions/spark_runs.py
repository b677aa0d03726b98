"""The `--engine spark` runs: parse, sessionize and report on Spark, then the common warehouse load.

Steps (docs/distributed.md → Spark): the inputs are read as numbered lines and parsed once into a
Parquet shard (events and rejects, `spark_parse.py`); the report is computed from the shard's events
(`spark.py`) and written by Spark as a Parquet dataset partitioned by `date` (the session's UTC
start date) under a pending name beside `--out`. This process then reads the shards a part at a time
(never the whole input) for the load every engine shares (`load_http_results`, `load_shop_results`):
the warehouse commits, then the report folder and the rejects file are renamed into place. A run
killed before its commit leaves the warehouse and `--out` as they were; the next run removes its
pending folder.
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
from footfall.outputs import recover_outputs
from footfall.readers.http_log import EVENT_SCHEMA as HTTP_EVENT_SCHEMA
from footfall.readers.lines import REJECT_SCHEMA
from footfall.readers.mapping import read_campaign_reward_mapping
from footfall.readers.shop_events import EVENT_SCHEMA as SHOP_EVENT_SCHEMA
from footfall.runs import RunSummary, committed_in
from footfall.sessions.engines import EngineChoice
from footfall.sessions.http_pipeline import load_http_results
from footfall.sessions.http_sessions import REPORT_SCHEMA
from footfall.sessions.pipeline import refuse_empty
from footfall.sessions.shop_pipeline import load_shop_results
from footfall.sessions.shop_sessions import SHOP_SESSION_SCHEMA, device_class, referrer_domain
from footfall.sessions.spark_outputs import StagedFolders, recover_folders
from footfall.warehouse import Warehouse

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

__all__ = ["spark_http_sessions", "spark_shop_sessions"]

_REPORT_INPUTS = ["user_id", "ts", "seq", "kind", "campaign_id", "reward_id"]


def spark_http_sessions(
    logs: Sequence[Path],
    *,
    mapping: Path,
    out: Path,
    gap: timedelta,
    warehouse: Warehouse | None,
    assume_tz: str | None = None,
    engine: EngineChoice,
    allow_empty: bool = False,
) -> RunSummary:
    """HTTP-log sessions on Spark: `out` becomes a Parquet dataset partitioned by date; the same rejects
    file beside it and the same warehouse load as `run_http_sessions`."""
    from pyspark.sql import functions as F

    from footfall.sessions.spark import http_report
    from footfall.sessions.spark_lines import numbered_lines

    files = _inputs(logs)
    _check_report_path(out)
    committed = committed_in(warehouse)
    recover_folders(out.parent, committed)
    recover_outputs(out.parent, committed)
    links = read_campaign_reward_mapping(mapping)
    summary = RunSummary("logs sessions", inputs=[str(p) for p in logs])
    with _run(engine, summary) as (spark, shards), StagedFolders(tag=summary.run_id) as outputs:
        lines = numbered_lines(spark, files, names=summary.inputs)
        parsed = _parse_http(lines, f"{shards}/parsed", assume_tz=assume_tz, narrow=warehouse is None)
        newest = _count(summary, parsed, gap)
        refuse_empty(summary, logs, allow_empty=allow_empty)
        events = parsed.where(F.col("reason").isNull())
        report = http_report(events, links.rows(), gap=gap).withColumn("open", _open(newest, gap))
        pending = _write_by_date(report, outputs.folder(out))
        rejects = _rejects(shards)
        rejects_out = out.with_name(f"{out.stem if out.suffix else out.name}.rejects.parquet")
        outputs.write(rejects, rejects_out)
        summary.details.output, summary.details.rejects_output = str(out), str(rejects_out)
        sessions = _parts(pending, lambda part: part.select(REPORT_SCHEMA.names()).cast(REPORT_SCHEMA))
        summary.written = sessions.rows()
        if warehouse is None:
            outputs.publish()
        else:
            loaded = _parts(f"{shards}/parsed", _http_events)
            load_http_results(warehouse, summary, events=loaded, rejects=rejects, sessions=sessions, outputs=outputs)
    return summary


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

    paths = _inputs(files)
    layouts = _shop_layouts(paths)
    summary = RunSummary("shop sessions", inputs=[str(p) for p in files])
    with _run(engine, summary) as (spark, shards):
        parsed = _parse_shop(spark, paths, summary.inputs, layouts, f"{shards}/parsed")
        newest = _count(summary, parsed, gap)
        refuse_empty(summary, files, allow_empty=allow_empty)
        events = parsed.where(F.col("reason").isNull())
        summary.details.anonymous_events = events.where(F.col("customer_id").isNull()).count()
        sessioned = shop_session_ids(events, gap=gap)
        shop_report(sessioned).withColumn("open", _open(newest, gap)).write.parquet(f"{shards}/sessions")
        anonymous = events.where(F.col("customer_id").isNull()).withColumn("session_id", F.lit(None).cast("string"))
        columns = [*SHOP_EVENT_SCHEMA.names(), "session_id"]
        sessioned.select(columns).unionByName(anonymous.select(columns)).write.parquet(f"{shards}/events")
        sessions = _parts(f"{shards}/sessions", _shop_sessions)
        summary.written = sessions.rows()
        loaded = _parts(f"{shards}/events", lambda part: part.cast(dict(SHOP_EVENT_SCHEMA)))
        load_shop_results(warehouse, summary, events=loaded, rejects=_rejects(shards), sessions=sessions)
    return summary


@contextmanager
def _run(engine: EngineChoice, summary: RunSummary) -> Iterator[tuple[SparkSession, str]]:
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


def _inputs(paths: Sequence[Path]) -> list[str]:
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


def _check_report_path(out: Path) -> None:
    if out.suffix not in ("", ".parquet"):
        raise InputError(f"{out}: the spark engine writes a Parquet dataset (a folder); name it .parquet or no suffix")
    if not out.parent.is_dir():
        raise InputError(f"{out}: folder {out.parent} does not exist")


def _parse_http(lines: DataFrame, folder: str, *, assume_tz: str | None, narrow: bool) -> DataFrame:
    """Parse in two shards under `folder`: `sql` (every line, by Spark SQL alone: no Python worker) and
    `reader` (the few lines it left, by footfall's reader); `parsed` is their union. `narrow`: only the
    columns the report and the rejects file need."""
    from footfall.sessions.spark_parse import parse_http_lines, read_the_rest, with_the_rest

    keep = [*_REPORT_INPUTS, *REJECT_SCHEMA.names()] if narrow else None
    sql = parse_http_lines(lines, assume_tz=assume_tz, max_line_bytes=_max_line())
    if keep:
        sql = sql.select(*keep, "file_index", "bytes")
    sql = _shard(sql, f"{folder}/sql")
    rest = read_the_rest(sql, assume_tz=assume_tz, max_line_bytes=_max_line())
    rest = _shard(rest.select(*keep) if keep else rest, f"{folder}/reader")
    return with_the_rest(sql, rest)


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
        sql = _shard(parse_shop_lines_on_spark(lines, arrays=arrays, max_line_bytes=_max_line()), f"{folder}/json/sql")
        rest = _shard(read_the_shop_rest(sql, max_line_bytes=_max_line()), f"{folder}/json/reader")
        parts.append(with_the_rest(sql, rest))
    parquet = [(i, paths[i], names[i]) for i, layout in enumerate(layouts) if layout == "parquet"]
    if parquet:
        sql = _shard(parse_parquet_rows(parquet_rows(spark, parquet)), f"{folder}/parquet/sql")
        rest = _shard(read_the_parquet_rest(sql), f"{folder}/parquet/reader")
        parts.append(with_the_rest(sql, rest, marker="_row"))
    return reduce(lambda a, b: a.unionByName(b), parts)


def _write_by_date(report: DataFrame, folder: Path) -> Path:
    """Write the report as Parquet partitioned by `date` (the session's UTC start date), each file sorted."""
    from pyspark.sql import functions as F

    (
        report.withColumn("date", F.to_date("session_start"))
        .sortWithinPartitions("date", "user_id", "session_start")
        .write.partitionBy("date")
        .parquet(str(folder))
    )
    _only_parquet(folder)
    return folder


def _only_parquet(folder: Path) -> None:
    """Leave only the data files in a dataset Spark wrote (no `_SUCCESS` or `.crc` checksums)."""
    for path in folder.rglob("*"):
        if path.is_file() and (path.name.startswith(("_", ".")) or path.suffix == ".crc"):
            path.unlink()


def _max_line() -> int:
    from footfall.config import get_settings

    return get_settings().max_line_bytes


def _shard(frame: DataFrame, path: str) -> DataFrame:
    """Write `frame` once (the parse is the costly pass) and read it back for every later step."""
    frame.write.mode("overwrite").parquet(path)
    return frame.sparkSession.read.parquet(path)


def _count(summary: RunSummary, parsed: DataFrame, gap: timedelta) -> int | None:
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


def _open(newest_us: int | None, gap: timedelta) -> Any:
    """`open`: the session ends within one gap of the newest event (`incremental.open_sessions`)."""
    from pyspark.sql import functions as F

    if newest_us is None:
        return F.lit(False)
    return F.col("session_end") > F.timestamp_micros(F.lit(newest_us - gap // timedelta(microseconds=1)))


def _rejects(shards: str) -> pl.DataFrame:
    """The rejects, as the embedded engine orders them (by file, then line)."""
    parts = sorted(Path(f"{shards}/parsed").rglob("*.parquet"))
    if not parts:
        return pl.DataFrame(schema=REJECT_SCHEMA)
    rejects = pl.concat(
        [pl.scan_parquet(part).filter(pl.col("reason").is_not_null()).select(REJECT_SCHEMA.names()) for part in parts]
    )
    return rejects.sort("source_file", "line_number").collect().cast(REJECT_SCHEMA)


class _Parts:
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


def _parts(folder: str | Path, shape: Any) -> _Parts:
    return _Parts(folder, shape)


def _http_events(part: pl.DataFrame) -> pl.DataFrame:
    left_to_reader = pl.col("bytes").is_not_null() if "bytes" in part.columns else pl.lit(False)  # in `reader`
    events = part.filter(pl.col("reason").is_null() & ~left_to_reader)
    return events.select(HTTP_EVENT_SCHEMA.names()).cast(HTTP_EVENT_SCHEMA)


def _shop_sessions(part: pl.DataFrame) -> pl.DataFrame:
    return (
        part.with_columns(
            referrer_domain=referrer_domain(pl.col("first_referrer")), device=device_class(pl.col("user_agent"))
        )
        .select(*SHOP_SESSION_SCHEMA.names(), "open")
        .cast(dict(SHOP_SESSION_SCHEMA))  # type: ignore[arg-type]
    )
