"""The web-shop pipeline: event JSON lines → shop sessions → warehouse (events, sessions, customers)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import timedelta
from pathlib import Path

import polars as pl

from footfall.readers.shop_events import EVENT_SCHEMA, REJECT_SCHEMA, iter_shop_events
from footfall.reports._sql import report_sql
from footfall.runs import RunSummary
from footfall.sessions.loading import check_inputs, replace_by_source
from footfall.sessions.partitions import EventPartitions, partitions_for
from footfall.sessions.shop_sessions import shop_sessions
from footfall.warehouse import Warehouse

__all__ = ["run_shop_sessions"]

_EVENT_COLUMNS = [c for c in EVENT_SCHEMA.names() if c != "seq"]
_EVENT_COLUMNS.insert(_EVENT_COLUMNS.index("customer_id") + 1, "session_id")


def run_shop_sessions(
    files: Sequence[Path],
    *,
    gap: timedelta,
    warehouse: Warehouse,
    progress: Callable[[int], None] | None = None,
    partitions: int | None = None,
) -> RunSummary:
    """Sessionize customers' events and load shop_events, shop_sessions and customers in one transaction.

    Events are partitioned by customer (anonymous ones by event id) so memory is bounded by
    one partition. shop_events and its rejects get these files' rows replaced; shop_sessions
    and customers are replaced by this run's sessions.
    """
    check_inputs(files)
    summary = RunSummary("shop sessions", inputs=[str(p) for p in files])
    anonymous = 0
    with (
        EventPartitions(partitions or partitions_for(files), key="_key") as events,
        EventPartitions(events.n, key="customer_id") as sessions,
        EventPartitions(events.n, key="_key") as loaded,
    ):
        reject_parts = []
        for batch in iter_shop_events(files):
            summary.read += batch.events.height + batch.rejects.height
            summary.accepted += batch.events.height
            summary.rejected += batch.rejects.height
            anonymous += batch.events["customer_id"].null_count()
            events.add(batch.events.with_columns(_key=pl.coalesce("customer_id", pl.lit("~") + pl.col("event_id"))))
            reject_parts.append(batch.rejects)
            if progress is not None:
                progress(batch.bytes_read)
        for part in events:
            report, assignment = shop_sessions(part, gap=gap)
            sessions.add(report)
            loaded.add(part.join(assignment, on="seq", how="left").select(*_EVENT_COLUMNS, "_key"))
            summary.written += report.height
        rejects = pl.concat(reject_parts) if reject_parts else pl.DataFrame(schema=REJECT_SCHEMA)
        summary.details.update(
            gap_seconds=gap.total_seconds(),
            partitions=events.n,
            anonymous_events=anonymous,
            reject_reasons=dict(sorted(rejects["reason"].value_counts().iter_rows())),
            warehouse=warehouse.url,
        )
        with warehouse.transaction():
            replace_by_source(warehouse, "shop_events", (p.drop("_key") for p in loaded), summary.inputs)
            replace_by_source(warehouse, "shop_events_rejects", [rejects], summary.inputs)
            warehouse.execute("DELETE FROM shop_sessions")
            for part in sessions:
                warehouse.insert("shop_sessions", part)
            warehouse.execute("DELETE FROM customers")
            warehouse.execute(report_sql("refresh_customers"))
            summary.record(warehouse)
    return summary
