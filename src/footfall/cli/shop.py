"""`footfall shop …`: web-shop events → sessions in the warehouse; the order and referrer metrics."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from footfall.cli._common import (
    FormatOption,
    TzOption,
    WarehouseOption,
    command_group,
    console,
    open_warehouse,
    print_frame,
    print_summary,
    report_filters,
)
from footfall.cli.sessions_options import (
    AllowEmptyOption,
    EngineOption,
    IncrementalOption,
    LatenessOption,
    MasterOption,
    RunnerOption,
    ShardsOption,
    StateOption,
    WatchOption,
    run_or_watch,
    sessions_args,
)

if TYPE_CHECKING:
    from footfall.runs import RunSummary

app = command_group("Web shop: events (JSON lines or Parquet) → customer sessions; visits before order; referrers.")


@app.command()
def sessions(
    files: Annotated[
        list[Path],
        typer.Argument(
            help="Event files: JSON lines or a JSON array (plain or gzip), or Parquet with the JSON fields as columns.",
            show_default=False,
        ),
    ],
    gap: Annotated[
        str | None,
        typer.Option(
            "--gap",
            help="Session gap, e.g. 30m, 1h (default 30m); a gap of exactly this long starts a new session. "
            "10m1us is the web-shop brief's reference rule (a gap over 10 minutes splits).",
            show_default=False,
        ),
    ] = None,
    warehouse: WarehouseOption = None,
    incremental: IncrementalOption = False,
    state_dir: StateOption = None,
    lateness: LatenessOption = None,
    watch: WatchOption = None,
    allow_empty: AllowEmptyOption = False,
    engine: EngineOption = "embedded",
    runner: RunnerOption = "DirectRunner",
    shards: ShardsOption = None,
    master: MasterOption = "local[*]",
) -> None:
    """Sessionize customers' shop events into shop_sessions, with shop_events and customers.

    A customer's events, ordered by instant (ties: file order), form one session while each gap
    to the previous event is strictly less than --gap (default 30m); events with no customer-id
    are anonymous: kept in shop_events and counted, never sessionized. Per session: start, end,
    duration, counts by event type, has_order, the first page and the referrer of the first page
    view, and a device class from the user agent. Malformed lines (Parquet: rows, numbered from 1)
    go to shop_events_rejects with line number, reason and raw text. One transaction: shop_events
    rows of these files are replaced; shop_sessions and customers are replaced by this run's
    sessions. A session is open=true while its last event is within one gap of the newest event seen.

    With --incremental (e.g. hourly), only files not processed before (known by their content)
    are read; sessions that span files are merged, and the tables hold all data seen so far,
    exactly as one run over all the files would give, for events up to --lateness out of order.
    --watch SECONDS keeps one process running that does this for each new file (FILES may be
    folders) once it stops changing.

    --engine beam runs the same pipeline on Apache Beam (Beam pipeline options go after `--`),
    with the same tables; --engine spark on Apache Spark (--master spark://host:7077, default
    local[*]; Spark settings after `--` as spark.key=value).
    """
    from footfall.sessions.shop_pipeline import run_shop_sessions

    given = sessions_args(
        files,
        pipeline="shop-sessions",
        incremental=incremental,
        state_dir=state_dir,
        gap=gap,
        lateness=lateness,
        engine=engine,
        runner=runner,
        shards=shards,
        master=master,
    )

    def run(new: list[Path], progress: Callable[[int], None] | None) -> RunSummary:
        with open_warehouse(warehouse) as wh:
            return run_shop_sessions(
                new,
                warehouse=wh,
                gap=given.gap,
                state_dir=given.state_dir,
                lateness=given.lateness,
                allow_empty=allow_empty,
                progress=progress,
                engine=given.engine,
            )

    summary = run_or_watch(given, watch, run)
    if summary is not None:
        print_summary(summary)
        console.print(f"anonymous events (no customer id, not sessionized): {summary.details.anonymous_events or 0:,}")


@app.command()
def metrics(
    date_from: Annotated[
        str | None,
        typer.Option("--from", help="First local date of a first order (default: all).", show_default=False),
    ] = None,
    date_to: Annotated[
        str | None, typer.Option("--to", help="Last local date (included; default: all).", show_default=False)
    ] = None,
    tz: TzOption = None,
    gap_sensitivity: Annotated[
        bool,
        typer.Option(
            "--gap-sensitivity",
            help="Instead, print the order metrics with a session gap of 10, 30 and 60 minutes, sessionized "
            "again in SQL from the events in the warehouse (the figures `shop sessions --gap` would give).",
        ),
    ] = False,
    fmt: FormatOption = "table",
    warehouse: WarehouseOption = None,
) -> None:
    """Print the order metrics (as GET /metrics/orders) and session length by referrer (GET /metrics/referrers).

    --from/--to keep the customers whose first order session started on those local dates (in
    --tz) for the order metrics, and the sessions that started on them for the referrers.
    The metrics describe the sessions in the warehouse (the gap of the last `shop sessions` run);
    --gap-sensitivity shows how they change with the gap (docs/shop-schema.md).
    """
    from footfall.reports.shop import order_metrics, order_metrics_by_gap, referrer_metrics

    filters = report_filters(tz, date_from=date_from, date_to=date_to)
    if gap_sensitivity:
        with open_warehouse(warehouse, read_only=True) as wh:
            by_gap = order_metrics_by_gap(wh, filters)
        if fmt == "json":
            typer.echo(json.dumps({"gap_sensitivity": by_gap.to_dicts()}))
            return
        print_frame(by_gap, fmt, title="order metrics by session gap")
        return
    with open_warehouse(warehouse, read_only=True) as wh:
        orders = order_metrics(wh, filters)
        referrers = referrer_metrics(wh, filters)
    if fmt == "json":
        typer.echo(json.dumps({"orders": orders, "referrers": referrers.to_dicts()}))
        return
    import polars as pl

    print_frame(pl.DataFrame([orders]), fmt, title="visits before the first order")
    print_frame(referrers, fmt, title="sessions by referrer")
