"""The web-shop pipeline: events (JSON lines, Parquet) → shop sessions → warehouse (events, sessions, customers)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import timedelta
from pathlib import Path

import polars as pl

from footfall.readers.shop_events import EVENT_SCHEMA, iter_shop_events
from footfall.reports._sql import report_sql
from footfall.runs import RunSummary, committed_in
from footfall.sessions.defaults import LATENESS, SHOP_GAP
from footfall.sessions.engines import EMBEDDED, EngineChoice
from footfall.sessions.incremental import SessionState, StreamSettings, retained_events
from footfall.sessions.loading import check_inputs, replace_by_source
from footfall.sessions.partitions import EventPartitions
from footfall.sessions.pipeline import Progress, RunResults, SessionsRun, load_results
from footfall.sessions.shop_sessions import SHOP_SESSION_SCHEMA, shop_sessions
from footfall.warehouse import Warehouse

__all__ = ["load_shop_results", "run_shop_sessions", "write_shop_results"]

_EVENT_COLUMNS = [c for c in EVENT_SCHEMA.names() if c != "seq"]
_EVENT_COLUMNS.insert(_EVENT_COLUMNS.index("customer_id") + 1, "session_id")


def run_shop_sessions(
    files: Sequence[Path],
    *,
    warehouse: Warehouse,
    gap: timedelta | None = None,
    progress: Progress | None = None,
    partitions: int | None = None,
    state_dir: Path | None = None,
    lateness: timedelta | None = None,
    allow_empty: bool = False,
    engine: EngineChoice = EMBEDDED,
) -> RunSummary:
    """Sessionize customers' events and load shop_events, shop_sessions and customers in one transaction.

    `gap` defaults to 30 minutes (docs/shop-schema.md). Events are partitioned by customer
    (anonymous ones by event id) so memory is bounded by one partition. shop_events and its
    rejects get these files' rows replaced; shop_sessions and customers get this run's sessions.
    A full run that accepts no line changes nothing unless `allow_empty`. With `state_dir` the run
    is incremental (`incremental.py`): only new files are read; the tables cover everything seen so far.
    """
    gap = gap or SHOP_GAP
    engine.check(incremental=state_dir is not None)
    if engine.engine == "spark":
        from footfall.sessions.spark_shop_run import spark_shop_sessions

        return spark_shop_sessions(files, gap=gap, warehouse=warehouse, engine=engine, allow_empty=allow_empty)
    if engine.engine == "beam":
        from footfall.sessions.distributed import beam_shop_sessions

        return beam_shop_sessions(files, gap=gap, warehouse=warehouse, engine=engine, allow_empty=allow_empty)
    check_inputs(files)
    if state_dir is None:
        state, new_files, seen = SessionState.empty(STREAM), list(files), list[Path]()
    else:
        settings = StreamSettings.of(gap=gap, lateness=lateness or LATENESS, warehouse=warehouse.display_url)
        state = SessionState.load(state_dir, STREAM, settings, committed=committed_in(warehouse))
        new_files, seen = state.new_inputs(list(files))
    summary = RunSummary("shop sessions", inputs=[str(p) for p in new_files])
    run = SessionsRun(summary, state, gap, progress)
    with (
        EventPartitions.for_inputs(new_files, n=partitions, key="_key") as events,
        EventPartitions(events.n, key="customer_id", spill=events.spills) as sessions,
        EventPartitions(events.n, key="_key", spill=events.spills) as loaded,
    ):
        if state.events is not None:  # the retained events of sessions new data can still change
            events.add(state.events)
        _read(run, new_files, events)
        rejects, late = run.rejects(_rebuilt_event())
        run.check_not_empty(new_files, allow_empty=allow_empty)
        state.advance(new_files, run.latest, summary.read)
        kept = _sessionize(run, events, sessions=sessions, loaded=loaded)
        summary.details.gap_seconds, summary.details.partitions = gap.total_seconds(), events.n
        summary.details.incremental = state.details(seen, late)
        if state.incremental:
            recomputed = sessions.lazy() if sessions.has_rows() else pl.LazyFrame(schema=_REPORT_SCHEMA)
            events_kept = pl.concat(kept) if kept else pl.DataFrame()
            state.stage(recomputed, gap=gap, run_id=summary.run_id, events=events_kept)
        load_shop_results(warehouse, summary, events=loaded, rejects=rejects, sessions=sessions, state=state)
    return summary


STREAM = "shop-sessions"
_REPORT_SCHEMA = pl.Schema({**SHOP_SESSION_SCHEMA, "open": pl.Boolean()})


def _read(run: SessionsRun, files: Sequence[Path], events: EventPartitions) -> None:
    """Read the files into `events`, keyed by customer (an anonymous event by its own id, never late)."""
    key = pl.coalesce("customer_id", pl.lit("~") + pl.col("event_id"))
    anonymous = 0

    def keyed(fresh: pl.DataFrame) -> pl.DataFrame:
        nonlocal anonymous
        anonymous += fresh["customer_id"].null_count()
        return fresh.with_columns(_key=key)

    batches = iter_shop_events(files, first_seq=run.state.next_seq)
    run.read(batches, events, prepare=keyed, late_among=pl.col("customer_id").is_not_null())
    run.summary.details.anonymous_events = anonymous


def _sessionize(
    run: SessionsRun, events: EventPartitions, *, sessions: EventPartitions, loaded: EventPartitions
) -> list[pl.DataFrame]:
    """Each partition's sessions (numbered after the customer's kept ones) and its events with their
    session ids; returns the events an incremental state keeps (of sessions that may still change)."""
    state, gap = run.state, run.gap
    earlier = _sessions_kept_per_customer(state)
    kept = []
    for part in events:
        report, assignment = shop_sessions(part, gap=gap)
        report = report.join(earlier, on="customer_id", how="left", maintain_order="left").with_columns(
            session_index=pl.col("session_index") + pl.col("_earlier").fill_null(0), open=state.is_open(gap)
        )
        sessions.add(report.drop("_earlier"))
        loaded.add(part.join(assignment, on="seq", how="left").select(*_EVENT_COLUMNS, "_key"))
        run.summary.written += report.height
        if state.incremental:
            known = part.filter(pl.col("customer_id").is_not_null())
            kept.append(retained_events(known, report, user="customer_id", cutoff=state.retain_cutoff(gap)))
    return kept


def _rebuilt_event() -> pl.Expr:
    """A late event as JSON, rebuilt from its parsed fields (the reject's raw text)."""
    return pl.struct(pl.exclude("seq", "source_file", "line_number", "_key")).struct.json_encode()


def load_shop_results(
    warehouse: Warehouse,
    summary: RunSummary,
    *,
    events: Iterable[pl.DataFrame],
    rejects: pl.DataFrame,
    sessions: Iterable[pl.DataFrame],
    state: SessionState | None = None,
) -> None:
    """The warehouse step of every engine, in one transaction: shop_events (with session ids) and
    rejects replaced for the run's files, the recomputed sessions replaced, customers refreshed; an
    incremental `state` is swapped in with the commit."""
    results, stream = RunResults(events, rejects, sessions), state or SessionState.empty(STREAM)
    load_results(warehouse, summary, results, write=write_shop_results, state=stream)


def write_shop_results(warehouse: Warehouse, summary: RunSummary, results: RunResults, state: SessionState) -> None:
    """The table writes of the load (inside the caller's transaction)."""
    if state.retain_from is not None:  # the recomputed sessions' earlier events get their new ids
        warehouse.execute(
            "DELETE FROM shop_events WHERE session_id IN "
            "(SELECT session_id FROM shop_sessions WHERE session_end >= :cutoff)",
            {"cutoff": state.retain_from},
        )
    replace_by_source(warehouse, "shop_events", (e.select(_EVENT_COLUMNS) for e in results.events), summary.inputs)
    replace_by_source(warehouse, "shop_events_rejects", [results.rejects], summary.inputs)
    state.delete_recomputed(warehouse, "shop_sessions")
    for part in results.sessions:
        warehouse.insert("shop_sessions", part)
    warehouse.execute("DELETE FROM customers")
    warehouse.execute(report_sql("refresh_customers"))


def _sessions_kept_per_customer(state: SessionState) -> pl.DataFrame:
    """How many earlier sessions each customer has that this run does not recompute (session_index offset)."""
    kept = state.report_rows_kept()
    if kept is None:
        return pl.DataFrame(schema={"customer_id": pl.String(), "_earlier": pl.Int64()})
    return kept.group_by("customer_id").agg(_earlier=pl.len().cast(pl.Int64)).collect()
