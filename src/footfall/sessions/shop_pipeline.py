"""The web-shop pipeline: event JSON lines → shop sessions → warehouse (events, sessions, customers)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import timedelta
from pathlib import Path

import polars as pl

from footfall.readers.shop_events import EVENT_SCHEMA, iter_shop_events
from footfall.reports._sql import report_sql
from footfall.runs import RunSummary
from footfall.sessions.incremental import DEFAULT_LATENESS, SessionState, late_rejects, newest, retained_events
from footfall.sessions.loading import check_inputs, replace_by_source
from footfall.sessions.partitions import EventPartitions
from footfall.sessions.shop_sessions import SHOP_SESSION_SCHEMA, shop_sessions
from footfall.warehouse import Warehouse

__all__ = ["load_shop_results", "run_shop_sessions"]

_EVENT_COLUMNS = [c for c in EVENT_SCHEMA.names() if c != "seq"]
_EVENT_COLUMNS.insert(_EVENT_COLUMNS.index("customer_id") + 1, "session_id")


def run_shop_sessions(
    files: Sequence[Path],
    *,
    gap: timedelta,
    warehouse: Warehouse,
    progress: Callable[[int], None] | None = None,
    partitions: int | None = None,
    state_dir: Path | None = None,
    lateness: timedelta = DEFAULT_LATENESS,
) -> RunSummary:
    """Sessionize customers' events and load shop_events, shop_sessions and customers in one transaction.

    Events are partitioned by customer (anonymous ones by event id) so memory is bounded by
    one partition. shop_events and its rejects get these files' rows replaced; shop_sessions
    and customers get this run's sessions. With `state_dir` the run is incremental
    (`incremental.py`): only new files are read; the tables cover everything seen so far.
    """
    check_inputs(files)
    state = SessionState.for_run(state_dir, "shop-sessions", gap=gap, lateness=lateness, warehouse=warehouse.url)
    new_files, seen = state.new_inputs(list(files))
    summary = RunSummary("shop sessions", inputs=[str(p) for p in new_files])
    anonymous = 0
    latest, late_parts = None, []
    with (
        EventPartitions.for_inputs(new_files, n=partitions, key="_key") as events,
        EventPartitions(events.n, key="customer_id", spill=events.spills) as sessions,
        EventPartitions(events.n, key="_key", spill=events.spills) as loaded,
    ):
        reject_parts = []
        if state.events is not None:
            events.add(state.events.with_columns(_new=False))
        for batch in iter_shop_events(new_files, first_seq=state.next_seq):
            summary.read += batch.events.height + batch.rejects.height
            summary.accepted += batch.events.height
            summary.rejected += batch.rejects.height
            anonymous += batch.events["customer_id"].null_count()
            # only sessionized (customer) events can be late; anonymous ones are loaded as they come
            fresh, late = state.split_late(batch.events, among=pl.col("customer_id").is_not_null())
            late_parts.append(late)
            latest = newest(latest, fresh)
            key = pl.coalesce("customer_id", pl.lit("~") + pl.col("event_id"))
            events.add(fresh.with_columns(_key=key, _new=True))
            reject_parts.append(batch.rejects)
            if progress is not None:
                progress(batch.bytes_read)
        late = pl.concat(late_parts) if late_parts else pl.DataFrame(schema=EVENT_SCHEMA)
        summary.accepted -= late.height
        summary.rejected += late.height
        raw = pl.struct(pl.exclude("seq", "source_file", "line_number")).struct.json_encode()
        reject_parts.append(late_rejects(late, raw, state.late_cutoff(), lateness))
        rejects = pl.concat(reject_parts).sort("source_file", "line_number")
        state.advance(new_files, latest, summary.read)
        earlier = _sessions_kept_per_customer(state)
        kept_events = []
        for part in events:
            report, assignment = shop_sessions(part, gap=gap)
            report = report.join(earlier, on="customer_id", how="left", maintain_order="left").with_columns(
                session_index=pl.col("session_index") + pl.col("_earlier").fill_null(0), open=state.is_open(gap)
            )
            sessions.add(report.drop("_earlier"))
            loaded.add(part.join(assignment, on="seq", how="left").select(*_EVENT_COLUMNS, "_key"))
            summary.written += report.height
            if state.incremental:
                known = part.drop("_new").filter(pl.col("customer_id").is_not_null())
                kept_events.append(retained_events(known, report, user="customer_id", cutoff=state.retain_cutoff(gap)))
        summary.details.update(
            gap_seconds=gap.total_seconds(),
            partitions=events.n,
            anonymous_events=anonymous,
            reject_reasons=dict(sorted(rejects["reason"].value_counts().iter_rows())),
            warehouse=warehouse.url,
            **state.details(seen, late.height),
        )
        try:
            if state.incremental:
                recomputed = (
                    sessions.lazy()
                    if sessions.has_rows()
                    else pl.LazyFrame(schema={**SHOP_SESSION_SCHEMA, "open": pl.Boolean()})
                )
                state.stage(recomputed, gap=gap, events=pl.concat(kept_events) if kept_events else pl.DataFrame())
            load_shop_results(warehouse, summary, events=loaded, rejects=rejects, sessions=sessions, state=state)
        finally:
            state.discard()
    return summary


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
    state = state or SessionState.empty("shop-sessions")
    with warehouse.transaction(then=state.commit if state.incremental else None):
        if state.retain_from is not None:  # the recomputed sessions' earlier events get their new ids
            warehouse.execute(
                "DELETE FROM shop_events WHERE session_id IN "
                "(SELECT session_id FROM shop_sessions WHERE session_end >= :cutoff)",
                {"cutoff": state.retain_from},
            )
        replace_by_source(warehouse, "shop_events", (e.select(_EVENT_COLUMNS) for e in events), summary.inputs)
        replace_by_source(warehouse, "shop_events_rejects", [rejects], summary.inputs)
        state.delete_recomputed(warehouse, "shop_sessions")
        for part in sessions:
            warehouse.insert("shop_sessions", part)
        warehouse.execute("DELETE FROM customers")
        warehouse.execute(report_sql("refresh_customers"))
        summary.record(warehouse)


def _sessions_kept_per_customer(state: SessionState) -> pl.DataFrame:
    """How many earlier sessions each customer has that this run does not recompute (session_index offset)."""
    kept = state.report_rows_kept()
    if kept is None:
        return pl.DataFrame(schema={"customer_id": pl.String(), "_earlier": pl.Int64()})
    return kept.group_by("customer_id").agg(_earlier=pl.len().cast(pl.Int64)).collect()
