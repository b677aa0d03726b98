"""The `--engine spark` run of HTTP logs: parse, sessionize and report on Spark, then the common load.

Steps (docs/distributed.md → Spark): the logs are read as numbered lines and parsed once into a
Parquet shard (events and rejects, `spark_parse.py`); the report is computed from the shard's events
(`spark.py`) and written by Spark as a Parquet dataset partitioned by `date` (the session's UTC
start date) under a pending name beside `--out`. This process then reads the shards a part at a time
for the load every engine shares (`load_http_results`): the warehouse commits, then the report
folder and the rejects file are renamed into place. A run killed before its commit leaves the
warehouse and `--out` as they were; the next run removes its pending folder.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import polars as pl

from footfall.errors import InputError
from footfall.outputs import recover_outputs
from footfall.readers.http_log import EVENT_SCHEMA
from footfall.readers.lines import REJECT_SCHEMA
from footfall.readers.mapping import read_campaign_reward_mapping
from footfall.runs import RunSummary, committed_in
from footfall.sessions import spark_runs as steps
from footfall.sessions.engines import EngineChoice
from footfall.sessions.http_pipeline import load_http_results
from footfall.sessions.http_sessions import REPORT_SCHEMA
from footfall.sessions.pipeline import refuse_empty
from footfall.sessions.spark_outputs import StagedFolders, recover_folders
from footfall.warehouse import Warehouse

if TYPE_CHECKING:
    from pyspark.sql import DataFrame

__all__ = ["spark_http_sessions"]

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

    files = steps.spark_inputs(logs)
    _check_report_path(out)
    committed = committed_in(warehouse)
    recover_folders(out.parent, committed)
    recover_outputs(out.parent, committed)
    links = read_campaign_reward_mapping(mapping)
    summary = RunSummary("logs sessions", inputs=[str(p) for p in logs])
    with steps.spark_run(engine, summary) as (spark, shards), StagedFolders(tag=summary.run_id) as outputs:
        lines = numbered_lines(spark, files, names=summary.inputs)
        parsed = _parse_http(lines, f"{shards}/parsed", assume_tz=assume_tz, narrow=warehouse is None)
        newest = steps.count_parsed(summary, parsed, gap)
        refuse_empty(summary, logs, allow_empty=allow_empty)
        events = parsed.where(F.col("reason").isNull())
        report = http_report(events, links.rows(), gap=gap).withColumn("open", steps.open_column(newest, gap))
        pending = _write_by_date(report, outputs.folder(out))
        rejects = steps.parsed_rejects(shards)
        rejects_out = out.with_name(f"{out.stem if out.suffix else out.name}.rejects.parquet")
        outputs.write(rejects, rejects_out)
        summary.details.output, summary.details.rejects_output = str(out), str(rejects_out)
        sessions = steps.parquet_parts(pending, lambda part: part.select(REPORT_SCHEMA.names()).cast(REPORT_SCHEMA))
        summary.written = sessions.rows()
        if warehouse is None:
            outputs.publish()
        else:
            loaded = steps.parquet_parts(f"{shards}/parsed", _http_events)
            load_http_results(warehouse, summary, events=loaded, rejects=rejects, sessions=sessions, outputs=outputs)
    return summary


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
    sql = parse_http_lines(lines, assume_tz=assume_tz, max_line_bytes=steps.max_line_bytes())
    if keep:
        sql = sql.select(*keep, "file_index", "bytes")
    sql = steps.shard(sql, f"{folder}/sql")
    rest = read_the_rest(sql, assume_tz=assume_tz, max_line_bytes=steps.max_line_bytes())
    rest = steps.shard(rest.select(*keep) if keep else rest, f"{folder}/reader")
    return with_the_rest(sql, rest)


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


def _http_events(part: pl.DataFrame) -> pl.DataFrame:
    left_to_reader = pl.col("bytes").is_not_null() if "bytes" in part.columns else pl.lit(False)  # in `reader`
    events = part.filter(pl.col("reason").is_null() & ~left_to_reader)
    return events.select(EVENT_SCHEMA.names()).cast(EVENT_SCHEMA)
