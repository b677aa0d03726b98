"""`footfall shop …`: web-shop events → sessions in the warehouse; the order and referrer metrics."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from footfall.cli._common import (
    EngineOption,
    FormatOption,
    IncrementalOption,
    LatenessOption,
    RunnerOption,
    ShardsOption,
    StateOption,
    WarehouseOption,
    WatchOption,
    beam_options,
    byte_progress,
    check_format,
    console,
    open_warehouse,
    print_frame,
    print_summary,
    split_pipeline_options,
    state_folder,
    user_errors,
    watch_runs,
)

if TYPE_CHECKING:
    from footfall.runs import RunSummary

app = typer.Typer(
    help="Web shop: event JSON lines → customer sessions; visits before order; referrers.", no_args_is_help=True
)


@app.command()
def sessions(
    files: Annotated[list[Path], typer.Argument(help="Event files (JSON lines, plain or gzip).", show_default=False)],
    gap: Annotated[str, typer.Option("--gap", help="Session gap, e.g. 30m, 1h.")] = "30m",
    warehouse: WarehouseOption = None,
    incremental: IncrementalOption = False,
    state: StateOption = None,
    lateness: LatenessOption = "1h",
    watch: WatchOption = None,
    engine: EngineOption = "embedded",
    runner: RunnerOption = "DirectRunner",
    shards: ShardsOption = None,
) -> None:
    """Sessionize customers' shop events into shop_sessions, with shop_events and customers.

    A customer's events, ordered by instant (ties: file order), form one session while each gap
    to the previous event is strictly less than --gap (default 30m); events with no customer-id
    are anonymous: kept in shop_events and counted, never sessionized. Per session: start, end,
    duration, counts by event type, has_order, the first page and the referrer of the first page
    view, and a device class from the user agent. Malformed lines go to shop_events_rejects with
    line number, reason and raw text. One transaction: shop_events rows of these files are
    replaced; shop_sessions and customers are replaced by this run's sessions. A session is
    open=true while its last event is within one gap of the newest event seen.

    With --incremental (e.g. hourly), only files not processed before are read; sessions that
    span files are merged, and the tables hold all data seen so far, exactly as one run over
    all the files would give, for events up to --lateness out of order. --watch SECONDS keeps one
    process running that does this for each new file (FILES may be folders) once it stops changing.

    --engine beam runs the same pipeline on Apache Beam (Beam pipeline options go after `--`),
    with the same tables.
    """
    from footfall.durations import parse_duration
    from footfall.sessions.shop_pipeline import run_shop_sessions

    with user_errors():
        gap_delta, lateness_delta = parse_duration(gap), parse_duration(lateness, option="--lateness")
        state_dir = state_folder(incremental, state, "shop-sessions")
        files, extra = split_pipeline_options(files)
        options = beam_options(engine, runner, extra, incremental=incremental)

        def embedded(new: list[Path], progress: Callable[[int], None] | None = None) -> RunSummary:
            with open_warehouse(warehouse) as wh:
                return run_shop_sessions(
                    new, gap=gap_delta, warehouse=wh, progress=progress, state_dir=state_dir, lateness=lateness_delta
                )

        if watch is not None:
            watch_runs(files, watch, embedded, incremental=state_dir is not None, embedded=options is None)
            return
        if options is not None:
            from footfall.sessions.distributed import beam_shop_sessions

            with open_warehouse(warehouse) as wh:
                summary = beam_shop_sessions(files, gap=gap_delta, warehouse=wh, options=options, shards=shards)
        else:
            with byte_progress(files, "sessionizing") as progress:
                summary = embedded(files, progress)
    print_summary(summary)
    console.print(f"anonymous events (no customer id, not sessionized): {summary.details['anonymous_events']:,}")


@app.command()
def metrics(
    fmt: FormatOption = "table",
    warehouse: WarehouseOption = None,
) -> None:
    """Print the order metrics (as GET /metrics/orders) and session length by referrer (GET /metrics/referrers)."""
    from footfall.reports.shop import order_metrics, referrer_metrics

    with user_errors():
        check_format(fmt)
        with open_warehouse(warehouse) as wh:
            orders = order_metrics(wh)
            referrers = referrer_metrics(wh)
    if fmt == "json":
        typer.echo(json.dumps({"orders": orders, "referrers": referrers.to_dicts()}))
        return
    import polars as pl

    print_frame(pl.DataFrame([orders]), fmt, title="visits before the first order")
    print_frame(referrers, fmt, title="sessions by referrer")
