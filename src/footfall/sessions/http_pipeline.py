"""The HTTP-log pipelines: raw logs → sessions report (+ rejects) → files and warehouse."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import polars as pl

from footfall.outputs import StagedOutputs, check_output_path, recover_outputs, sibling_path, write_table
from footfall.readers.http_log import EVENT_SCHEMA, REJECT_SCHEMA, iter_http_log
from footfall.readers.lines import ParsedBatch
from footfall.readers.mapping import read_campaign_reward_mapping
from footfall.runs import RunSummary, committed_in
from footfall.sessions.defaults import HTTP_GAP, LATENESS
from footfall.sessions.engines import EMBEDDED, EngineChoice
from footfall.sessions.http_sessions import REPORT_SCHEMA, http_sessions
from footfall.sessions.incremental import SessionState, StreamSettings, file_digest, open_sessions
from footfall.sessions.loading import check_inputs, replace_by_source
from footfall.sessions.partitions import EventPartitions
from footfall.sessions.pipeline import Progress, RunResults, SessionsRun, each_partition, load_results
from footfall.sessions.state_folder import StateFolder
from footfall.sessions.summaries import SUMMARY_SCHEMA, merge_into, report_rows, summarize
from footfall.warehouse import Warehouse

__all__ = [
    "archive_http_logs",
    "load_http_log_archive",
    "load_http_results",
    "recover_http_sessions",
    "run_http_sessions",
    "write_http_results",
]

_WAREHOUSE_EVENT_COLUMNS = [c for c in EVENT_SCHEMA.names() if c != "seq"]
_NO_SUMMARIES = pl.DataFrame(schema=SUMMARY_SCHEMA)
_SESSION_COLUMNS = ["user_id", "ts", "seq", "kind", "campaign_id", "reward_id"]  # all sessionizing reads


def run_http_sessions(
    logs: Sequence[Path],
    *,
    mapping: Path,
    out: Path,
    warehouse: Warehouse | None,
    gap: timedelta | None = None,
    assume_tz: str | None = None,
    progress: Progress | None = None,
    partitions: int | None = None,
    state_dir: Path | None = None,
    lateness: timedelta | None = None,
    allow_empty: bool = False,
    engine: EngineChoice = EMBEDDED,
) -> RunSummary:
    """Sessionize `logs` (definitions: docs/sessions.md), write the report and its rejects next to
    `out`, load `http_log`, `http_log_rejects` and `http_sessions` in one transaction, on `engine`.

    `gap` defaults to 5 minutes. Events are partitioned by user (`partitions`, default: by input
    size) so memory is bounded by one partition. `http_log` and `http_log_rejects` have the rows of
    these files replaced, `http_sessions` gets the report. With `warehouse=None` only the files are
    written. A full run that accepts no line changes nothing unless `allow_empty`. With `state_dir`
    the run is incremental (`incremental.py`): only files not seen before are read, and the report
    covers everything seen so far; `out` may then be a folder, a Parquet dataset that each run adds
    a part to (`closed-*.parquet`, final rows) and whose `recent.parquet` it replaces.
    """
    gap = gap or HTTP_GAP
    engine.check(incremental=state_dir is not None)
    if engine.engine != "embedded":
        distributed = _distributed_http_sessions(engine)
        return distributed(
            logs,
            mapping=mapping,
            out=out,
            gap=gap,
            warehouse=warehouse,
            assume_tz=assume_tz,
            engine=engine,
            allow_empty=allow_empty,
        )
    out_format = check_output_path(out, folder_ok=state_dir is not None)
    check_inputs(logs)
    links = read_campaign_reward_mapping(mapping)
    reading = _Reading(logs, assume_tz=assume_tz, partitions=partitions, warehouse=warehouse)
    recover_http_sessions(out, state_dir=state_dir, warehouse=warehouse)
    if state_dir is None:
        summary = RunSummary(COMMAND, inputs=[str(p) for p in logs])
        run = SessionsRun(summary, SessionState.empty(STREAM), gap, progress)
        return _full_run(run, reading, links, out=out, allow_empty=allow_empty)
    settings = StreamSettings.of(
        gap=gap,
        lateness=lateness or LATENESS,
        mapping_sha256=file_digest(mapping),
        warehouse=warehouse.display_url if warehouse else None,
        dataset=str(out.resolve()) if out_format == "dataset" else None,
    )
    state = SessionState.load(state_dir, STREAM, settings)
    new_logs, seen = state.new_inputs(list(logs))
    summary = RunSummary(COMMAND, inputs=[str(p) for p in new_logs])
    run = SessionsRun(summary, state, gap, progress)
    return _incremental_run(run, reading.only(new_logs), links, out=out, dataset=out_format == "dataset", seen=seen)


COMMAND, STREAM = "logs sessions", "http-sessions"


def _distributed_http_sessions(engine: EngineChoice) -> Callable[..., RunSummary]:
    """The entry point of a distributed engine (imported only when chosen: Spark and Beam are heavy)."""
    if engine.engine == "spark":
        from footfall.sessions.spark_http_run import spark_http_sessions

        return spark_http_sessions
    from footfall.sessions.distributed import beam_http_sessions

    return beam_http_sessions


def recover_http_sessions(out: Path, *, state_dir: Path | None, warehouse: Warehouse | None) -> None:
    """Finish what a run killed after its commit left (its state version, its report files) and drop
    what one killed before its commit left (docs/sessions.md); every run does this first."""
    committed = committed_in(warehouse)
    if state_dir is None:
        _recover(out, committed)
        return
    state = StateFolder(state_dir)
    current = state.recover(committed)
    run = SessionState(STREAM, folder=state_dir, version=state.current()).committed_run() or current
    _recover(out, lambda run_id: run_id == run or committed(run_id))


def _recover(out: Path, committed: Callable[[str], bool]) -> None:
    recover_outputs(out.parent, committed)
    if out.is_dir():
        recover_outputs(out, committed)


@dataclass(frozen=True)
class _Reading:
    """What to read and how: the logs, their zone for offset-less times, the partitioning, the columns kept."""

    logs: Sequence[Path]
    assume_tz: str | None
    partitions: int | None
    warehouse: Warehouse | None

    def only(self, logs: Sequence[Path]) -> _Reading:
        return _Reading(logs, self.assume_tz, self.partitions, self.warehouse)

    def partitions_for(self) -> EventPartitions:
        return EventPartitions.for_inputs(self.logs, n=self.partitions)

    def into(self, run: SessionsRun, events: EventPartitions) -> None:
        """Read every log into `events` (the columns sessionizing needs, or all when they are loaded too)."""
        columns = _SESSION_COLUMNS if self.warehouse is None else EVENT_SCHEMA.names()
        batches = iter_http_log(self.logs, assume_tz=self.assume_tz, first_seq=run.state.next_seq)
        run.read(batches, events, prepare=lambda fresh: fresh.select(columns))


def _full_run(run: SessionsRun, reading: _Reading, links: pl.DataFrame, *, out: Path, allow_empty: bool) -> RunSummary:
    """Every log → every session: the report replaces the earlier one."""
    summary, gap = run.summary, run.gap
    with reading.partitions_for() as events, EventPartitions(events.n if events.spills else 1) as report:
        reading.into(run, events)
        rejects, _ = run.rejects(_rebuilt_line())
        run.check_not_empty(reading.logs, allow_empty=allow_empty)
        for sessions in each_partition(events, lambda part: http_sessions(part, links, gap=gap)):
            report.add(sessions.with_columns(open=open_sessions(run.latest, gap)))
            summary.written += sessions.height
        whole = report.lazy() if report.has_rows() else pl.LazyFrame(schema=REPORT_SCHEMA)
        with StagedOutputs(tag=summary.run_id) as outputs:
            _stage_rejects(summary, outputs, rejects, out=out, partitions=events.n, gap=gap)
            outputs.write(whole.sort("user_id", "session_start"), out)
            load_http_results(
                reading.warehouse,
                summary,
                events=events,
                rejects=rejects,
                sessions=report,
                state=run.state,
                outputs=outputs,
            )
    return summary


def _incremental_run(
    run: SessionsRun, reading: _Reading, links: pl.DataFrame, *, out: Path, dataset: bool, seen: list[Path]
) -> RunSummary:
    """New logs only: their sessions merged into the summaries of the sessions earlier runs left open."""
    summary, state, gap = run.summary, run.state, run.gap
    with reading.partitions_for() as events:
        reading.into(run, events)
        rejects, late = run.rejects(_rebuilt_line())
        state.advance(reading.logs, run.latest, summary.read)
        new = pl.concat([summarize(part, gap=gap) for part in events] or [_NO_SUMMARIES])
        merged = new if state.summaries is None else merge_into(state.summaries, new, gap=gap)
        rows = report_rows(merged, links).with_columns(open=state.is_open(gap))
        summary.written += rows.height
        cutoff = state.retain_cutoff(gap)
        may_change = pl.lit(True) if cutoff is None else pl.col("session_end") >= cutoff
        final = state.stage(rows.lazy(), gap=gap, run_id=summary.run_id, summaries=merged.filter(may_change))
        with StagedOutputs(tag=summary.run_id) as outputs:
            _stage_rejects(summary, outputs, rejects, out=out, partitions=events.n, gap=gap)
            summary.details.incremental = state.details(seen, late)
            if dataset:  # replace the rows that may change, then add the ones that became final
                out.mkdir(exist_ok=True)
                outputs.write(rows.filter(may_change).sort("user_id", "session_start"), out / "recent.parquet")
                if final.height:
                    outputs.write(final.sort("user_id", "session_start"), out / f"closed-{state.part_name()}.parquet")
            else:
                kept = state.report_rows_kept()
                whole = pl.concat([kept, rows.lazy()]) if kept is not None else rows.lazy()
                outputs.write(whole.sort("user_id", "session_start"), out)
            load_http_results(
                reading.warehouse,
                summary,
                events=events,
                rejects=rejects,
                sessions=[rows],
                state=state,
                outputs=outputs,
            )
    return summary


def _stage_rejects(
    summary: RunSummary, outputs: StagedOutputs, rejects: pl.DataFrame, *, out: Path, partitions: int, gap: timedelta
) -> None:
    """Stage the rejects file beside the report (`<out>.rejects.<ext>`) and say where both go."""
    rejects_out = sibling_path(out, "rejects")
    outputs.write(rejects, rejects_out)
    details = summary.details
    details.gap_seconds, details.partitions = gap.total_seconds(), partitions
    details.output, details.rejects_output = str(out), str(rejects_out)


def load_http_results(
    warehouse: Warehouse | None,
    summary: RunSummary,
    *,
    events: Iterable[pl.DataFrame],
    rejects: pl.DataFrame,
    sessions: Iterable[pl.DataFrame],
    state: SessionState | None = None,
    outputs: StagedOutputs | None = None,
) -> None:
    """The warehouse step of every engine, in one transaction with the run's record: `http_log` and its
    rejects replaced for the run's input files, the recomputed sessions replaced; then (after the
    commit) an incremental `state` swapped in and the staged `outputs` published."""
    results, stream = RunResults(events, rejects, sessions), state or SessionState.empty(STREAM)
    load_results(warehouse, summary, results, write=write_http_results, state=stream, outputs=outputs)


def write_http_results(warehouse: Warehouse, summary: RunSummary, results: RunResults, state: SessionState) -> None:
    """The table writes of the load (inside the caller's transaction); every event is this run's."""
    replace_by_source(warehouse, "http_log", map(_warehouse_rows, results.events), summary.inputs)
    replace_by_source(warehouse, "http_log_rejects", [results.rejects], summary.inputs)
    state.delete_recomputed(warehouse, "http_sessions")
    for part in results.sessions:
        warehouse.insert("http_sessions", part)


def _warehouse_rows(events: pl.DataFrame) -> pl.DataFrame:
    """Events as table `http_log` holds them (`kind` as text)."""
    return events.select(_WAREHOUSE_EVENT_COLUMNS).with_columns(pl.col("kind").cast(pl.String))


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
    summary.details.codec, summary.details.output, summary.details.rejects_output = codec, str(out), str(rejects_out)
    return summary


def load_http_log_archive(archives: Sequence[Path], *, warehouse: Warehouse) -> RunSummary:
    """Load Avro archives into `http_log`, replacing the rows of the source files they hold."""
    summary = RunSummary("logs load", inputs=[str(p) for p in archives])
    from footfall.readers.avro import read_http_log_avro

    events = read_http_log_avro(archives)
    summary.read = summary.accepted = summary.written = events.height
    sources = events["source_file"].unique().sort().to_list()
    summary.details.source_files = sources
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
