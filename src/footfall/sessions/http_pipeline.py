"""The HTTP-log pipelines: raw logs → sessions report (+ rejects) → files and warehouse."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import timedelta
from pathlib import Path

import polars as pl

from footfall.outputs import check_output_path, sibling_path, write_table
from footfall.readers.avro import read_http_log_avro, write_http_log_avro
from footfall.readers.http_log import EVENT_SCHEMA, REJECT_SCHEMA, iter_http_log
from footfall.readers.lines import ParsedBatch
from footfall.readers.mapping import read_campaign_reward_mapping
from footfall.runs import RunSummary
from footfall.sessions.http_sessions import http_sessions
from footfall.sessions.loading import check_inputs, replace_by_source
from footfall.sessions.partitions import EventPartitions, partitions_for
from footfall.warehouse import Warehouse

__all__ = ["archive_http_logs", "load_http_log_archive", "run_http_sessions"]

Progress = Callable[[int], None]
_WAREHOUSE_EVENT_COLUMNS = [c for c in EVENT_SCHEMA.names() if c != "seq"]
_SESSION_COLUMNS = ["user_id", "ts", "seq", "kind", "campaign_id", "reward_id"]  # all sessionizing reads


def run_http_sessions(
    logs: Sequence[Path],
    *,
    mapping: Path,
    out: Path,
    gap: timedelta,
    warehouse: Warehouse | None,
    assume_tz: str | None = None,
    progress: Progress | None = None,
    partitions: int | None = None,
) -> RunSummary:
    """Sessionize `logs`, write the report and its rejects next to `out`, load all three tables.

    Events are partitioned by user (`partitions`, default: by input size) so memory is bounded
    by one partition. `http_log` and `http_log_rejects` have the rows of these source files
    replaced; `http_sessions` is replaced by this run's report; all in one transaction.
    With `warehouse=None` only the files are written.
    """
    check_output_path(out)
    check_inputs(logs)
    links = read_campaign_reward_mapping(mapping)
    summary = RunSummary("logs sessions", inputs=[str(p) for p in logs])
    with (
        EventPartitions(partitions or partitions_for(logs)) as events,
        EventPartitions(events.n) as report,
    ):
        reject_parts = []
        for batch in iter_http_log(logs, assume_tz=assume_tz):
            _count(batch, summary, progress)
            events.add(batch.events if warehouse is not None else batch.events.select(_SESSION_COLUMNS))
            reject_parts.append(batch.rejects)
        rejects = pl.concat(reject_parts) if reject_parts else pl.DataFrame(schema=REJECT_SCHEMA)
        for part in events:
            sessions = http_sessions(part, links, gap=gap)
            summary.written += sessions.height
            report.add(sessions)
        rejects_out = sibling_path(out, "rejects")
        write_table(report.lazy().sort("user_id", "session_start"), out)
        write_table(rejects, rejects_out)
        summary.details.update(
            gap_seconds=gap.total_seconds(),
            partitions=events.n,
            output=str(out),
            rejects_output=str(rejects_out),
            warehouse=warehouse.url if warehouse else "(not loaded: --no-warehouse)",
            reject_reasons=dict(sorted(rejects["reason"].value_counts().iter_rows())),
        )
        if warehouse is None:
            return summary
        with warehouse.transaction():
            loaded = (part.select(_WAREHOUSE_EVENT_COLUMNS) for part in events)
            replace_by_source(warehouse, "http_log", loaded, summary.inputs)
            replace_by_source(warehouse, "http_log_rejects", [rejects], summary.inputs)
            warehouse.execute("DELETE FROM http_sessions")
            for part in report:
                warehouse.insert("http_sessions", part)
            summary.record(warehouse)
    return summary


def archive_http_logs(
    logs: Sequence[Path],
    *,
    out: Path,
    codec: str = "deflate",
    assume_tz: str | None = None,
    progress: Progress | None = None,
) -> RunSummary:
    """Write the accepted lines of `logs` to an Avro archive, rejects to `<out>.rejects.csv`."""
    check_inputs(logs)
    summary = RunSummary("logs to-avro", inputs=[str(p) for p in logs])
    reject_parts: list[pl.DataFrame] = []

    def accepted() -> Iterable[pl.DataFrame]:
        for batch in iter_http_log(logs, assume_tz=assume_tz):
            _count(batch, summary, progress)
            reject_parts.append(batch.rejects)
            yield batch.events

    summary.written = write_http_log_avro(accepted(), out, codec=codec)
    rejects_out = out.with_name(f"{out.stem}.rejects.csv")
    write_table(pl.concat(reject_parts) if reject_parts else pl.DataFrame(schema=REJECT_SCHEMA), rejects_out)
    summary.details.update(codec=codec, output=str(out), rejects_output=str(rejects_out))
    return summary


def load_http_log_archive(archives: Sequence[Path], *, warehouse: Warehouse) -> RunSummary:
    """Load Avro archives into `http_log`, replacing the rows of the source files they hold."""
    summary = RunSummary("logs load", inputs=[str(p) for p in archives])
    events = read_http_log_avro(archives)
    summary.read = summary.accepted = summary.written = events.height
    sources = events["source_file"].unique().sort().to_list()
    summary.details.update(source_files=sources, warehouse=warehouse.url)
    with warehouse.transaction():
        replace_by_source(warehouse, "http_log", [events.select(_WAREHOUSE_EVENT_COLUMNS)], sources)
        summary.record(warehouse)
    return summary


def _count(batch: ParsedBatch, summary: RunSummary, progress: Progress | None) -> None:
    summary.accepted += batch.events.height
    summary.rejected += batch.rejects.height
    summary.read += batch.events.height + batch.rejects.height
    if progress is not None:
        progress(batch.bytes_read)
