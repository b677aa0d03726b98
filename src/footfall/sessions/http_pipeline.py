"""The HTTP-log pipelines: raw logs → sessions report (+ rejects) → files and warehouse."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

import polars as pl

from footfall.interrupts import committing
from footfall.outputs import check_output_path, sibling_path, write_table
from footfall.readers.http_log import EVENT_SCHEMA, REJECT_SCHEMA, iter_http_log
from footfall.readers.lines import ParsedBatch
from footfall.readers.mapping import read_campaign_reward_mapping
from footfall.runs import RunSummary
from footfall.sessions.http_sessions import REPORT_SCHEMA, http_sessions
from footfall.sessions.incremental import (
    DEFAULT_LATENESS,
    SessionState,
    file_digest,
    late_rejects,
    newest,
)
from footfall.sessions.loading import check_inputs, replace_by_source
from footfall.sessions.partitions import EventPartitions
from footfall.sessions.summaries import SUMMARY_SCHEMA, merge_into, report_rows, summarize
from footfall.warehouse import Warehouse

__all__ = ["archive_http_logs", "load_http_log_archive", "load_http_results", "run_http_sessions"]

Progress = Callable[[int], None]
_WAREHOUSE_EVENT_COLUMNS = [c for c in EVENT_SCHEMA.names() if c != "seq"]
_NO_SUMMARIES = pl.DataFrame(schema=SUMMARY_SCHEMA)
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
    state_dir: Path | None = None,
    lateness: timedelta = DEFAULT_LATENESS,
) -> RunSummary:
    """Sessionize `logs`, write the report and its rejects next to `out`, load all three tables.

    Events are partitioned by user (`partitions`, default: by input size) so memory is bounded
    by one partition (an incremental run summarizes each partition and merges the summaries).
    `http_log` and `http_log_rejects` have the rows of these source files
    replaced; `http_sessions` gets the report; all in one transaction. With `warehouse=None`
    only the files are written. With `state_dir` the run is incremental (`incremental.py`):
    only files not seen before are read, and the report covers everything seen so far; `out`
    may then be a folder, a Parquet dataset that each run adds a part to (`closed-*.parquet`,
    final rows) and whose `recent.parquet` it replaces (rows a later run may still change).
    """
    out_format = check_output_path(out, folder_ok=state_dir is not None)
    check_inputs(logs)
    links = read_campaign_reward_mapping(mapping)
    state = SessionState.for_run(
        state_dir,
        "http-sessions",
        gap=gap,
        lateness=lateness,
        mapping_sha256=file_digest(mapping) if state_dir else None,
        warehouse=warehouse.url if warehouse else None,
        **({"dataset": str(out.resolve())} if out_format == "dataset" else {}),
    )
    new_logs, seen = state.new_inputs(list(logs))
    summary = RunSummary("logs sessions", inputs=[str(p) for p in new_logs])
    columns = _SESSION_COLUMNS if warehouse is None else EVENT_SCHEMA.names()
    latest, late_parts = None, []
    with (
        EventPartitions.for_inputs(new_logs, n=partitions) as events,
        EventPartitions(events.n if events.spills else 1) as report,
    ):
        reject_parts = []
        for batch in iter_http_log(new_logs, assume_tz=assume_tz, first_seq=state.next_seq):
            _count(batch, summary, progress)
            fresh, late = state.split_late(batch.events)
            late_parts.append(late)
            latest = newest(latest, fresh)
            events.add(fresh.select(columns))
            reject_parts.append(batch.rejects)
        late = pl.concat(late_parts) if late_parts else pl.DataFrame(schema=EVENT_SCHEMA)
        summary.accepted -= late.height
        summary.rejected += late.height
        reject_parts.append(late_rejects(late, _rebuilt_line(), state.late_cutoff(), lateness))
        rejects = pl.concat(reject_parts).sort("source_file", "line_number")
        state.advance(new_logs, latest, summary.read)
        if state.incremental:  # this run's sessions merged into the ones earlier runs left open
            # partitions hold disjoint users, so their summaries only need putting together
            new = pl.concat([summarize(part, gap=gap) for part in events] or [_NO_SUMMARIES])
            merged = new if state.summaries is None else merge_into(state.summaries, new, gap=gap)
            rows = report_rows(merged, links).with_columns(open=state.is_open(gap))
            summary.written += rows.height
            report.add(rows)
            cutoff = state.retain_cutoff(gap)
            may_change = pl.lit(True) if cutoff is None else pl.col("session_end") >= cutoff
            open_now = merged.filter(may_change)
        else:
            for sessions in _each_partition(events, lambda part: http_sessions(part, links, gap=gap)):
                sessions = sessions.with_columns(open=state.is_open(gap))
                summary.written += sessions.height
                report.add(sessions)
        full = _whole_report(state, report).sort("user_id", "session_start")
        try:
            if state.incremental:
                final = state.stage(rows.lazy(), gap=gap, summaries=open_now)
            rejects_out = sibling_path(out, "rejects")
            if out_format == "dataset":  # replace the rows that may change, then add the ones that became final
                out.mkdir(exist_ok=True)
                recent = rows.filter(may_change)
                write_table(recent.sort("user_id", "session_start"), out / "recent.parquet")
                if final.height:
                    write_table(final.sort("user_id", "session_start"), out / f"closed-{state.part_name()}.parquet")
            else:
                write_table(full, out)
            write_table(rejects, rejects_out)
            summary.details.update(
                gap_seconds=gap.total_seconds(),
                partitions=events.n,
                output=str(out),
                rejects_output=str(rejects_out),
                warehouse=warehouse.url if warehouse else "(not loaded: --no-warehouse)",
                reject_reasons=dict(sorted(rejects["reason"].value_counts().iter_rows())),
                **state.details(seen, late.height),
            )
            if warehouse is not None:
                # every event in the partitions is this run's (the state keeps summaries, not events)
                load_http_results(warehouse, summary, events=events, rejects=rejects, sessions=report, state=state)
            elif state.incremental:
                with committing():
                    state.commit()
        finally:
            state.discard()
    return summary


def load_http_results(
    warehouse: Warehouse,
    summary: RunSummary,
    *,
    events: Iterable[pl.DataFrame],
    rejects: pl.DataFrame,
    sessions: Iterable[pl.DataFrame],
    state: SessionState | None = None,
) -> None:
    """The warehouse step of every engine, in one transaction: `http_log` and its rejects replaced
    for the run's input files, the recomputed sessions replaced, the run recorded; an incremental
    `state` is swapped in with the commit."""
    state = state or SessionState.empty("http-sessions")
    with warehouse.transaction(then=state.commit if state.incremental else None):
        replace_by_source(warehouse, "http_log", map(_warehouse_rows, events), summary.inputs)
        replace_by_source(warehouse, "http_log_rejects", [rejects], summary.inputs)
        state.delete_recomputed(warehouse, "http_sessions")
        for part in sessions:
            warehouse.insert("http_sessions", part)
        summary.record(warehouse)


def _warehouse_rows(events: pl.DataFrame) -> pl.DataFrame:
    """Events as table `http_log` holds them (`kind` as text)."""
    return events.select(_WAREHOUSE_EVENT_COLUMNS).with_columns(pl.col("kind").cast(pl.String))


def _each_partition(events: EventPartitions, work: Callable[[pl.DataFrame], pl.DataFrame]) -> Iterator[pl.DataFrame]:
    """`work` on each partition, in order: two at a time while they are in memory anyway (the
    cores are not both busy inside one partition's sort and aggregations), one by one when
    spilled (memory is bounded by one partition)."""
    if events.spills:
        yield from map(work, events)
        return
    with ThreadPoolExecutor(max_workers=2, thread_name_prefix="footfall-sessions") as pool:
        yield from pool.map(work, events)


def _whole_report(state: SessionState, report: EventPartitions) -> pl.LazyFrame:
    """The report over all data seen: this run's sessions and the earlier ones it cannot change."""
    parts = [report.lazy()] if report.has_rows() else [pl.LazyFrame(schema=REPORT_SCHEMA)]
    kept = state.report_rows_kept()
    return pl.concat([kept, *parts]) if kept is not None else parts[0]


def _rebuilt_line() -> pl.Expr:
    """A log line rebuilt from its parsed fields (local time, original offset, nanoseconds)."""
    offset = pl.col("utc_offset_minutes").cast(pl.Int64)
    local = (pl.col("ts") + pl.duration(minutes=offset)).dt.replace_time_zone(None)
    nanos = pl.col("ts").dt.microsecond().cast(pl.Int64) * 1000 + pl.col("sub_micro_nanos").cast(pl.Int64)
    fraction = pl.when(nanos > 0).then(pl.lit(".") + nanos.cast(pl.String).str.zfill(9).str.strip_chars_end("0"))
    sign = pl.when(offset < 0).then(pl.lit("-")).otherwise(pl.lit("+"))
    hhmm = (
        (offset.abs() // 60).cast(pl.String).str.zfill(2)
        + pl.lit(":")
        + (offset.abs() % 60).cast(pl.String).str.zfill(2)
    )
    return pl.concat_str(
        local.dt.strftime("%Y-%m-%dT%H:%M:%S"),
        fraction.otherwise(pl.lit("")),
        sign + hhmm,
        pl.lit(" "),
        pl.col("method"),
        pl.lit(" "),
        pl.col("path"),
        pl.lit(" "),
        pl.col("user_id"),
    )


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

    from footfall.readers.avro import write_http_log_avro  # fastavro: only archives need it

    summary.written = write_http_log_avro(accepted(), out, codec=codec)
    rejects_out = out.with_name(f"{out.stem}.rejects.csv")
    write_table(pl.concat(reject_parts) if reject_parts else pl.DataFrame(schema=REJECT_SCHEMA), rejects_out)
    summary.details.update(codec=codec, output=str(out), rejects_output=str(rejects_out))
    return summary


def load_http_log_archive(archives: Sequence[Path], *, warehouse: Warehouse) -> RunSummary:
    """Load Avro archives into `http_log`, replacing the rows of the source files they hold."""
    summary = RunSummary("logs load", inputs=[str(p) for p in archives])
    from footfall.readers.avro import read_http_log_avro

    events = read_http_log_avro(archives)
    summary.read = summary.accepted = summary.written = events.height
    sources = events["source_file"].unique().sort().to_list()
    summary.details.update(source_files=sources, warehouse=warehouse.url)
    with warehouse.transaction():
        replace_by_source(warehouse, "http_log", [_warehouse_rows(events)], sources)
        summary.record(warehouse)
    return summary


def _count(batch: ParsedBatch, summary: RunSummary, progress: Progress | None) -> None:
    summary.accepted += batch.events.height
    summary.rejected += batch.rejects.height
    summary.read += batch.events.height + batch.rejects.height
    if progress is not None:
        progress(batch.bytes_read)
