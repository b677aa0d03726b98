"""`footfall runs`: the history of pipeline runs kept in the warehouse."""

from __future__ import annotations

from typing import Annotated

import polars as pl
import typer

from footfall.cli._common import WarehouseOption, open_warehouse, print_frame


def runs(
    limit: Annotated[int, typer.Option("--limit", "-n", help="How many runs, newest first.", min=1)] = 20,
    warehouse: WarehouseOption = None,
) -> None:
    """List recent runs with rows read, accepted, rejected and written."""
    from footfall.reports.runs import recent_runs

    with open_warehouse(warehouse, read_only=True) as wh:
        frame = recent_runs(wh, limit=limit)
    shown = frame.select(
        pl.col("started_at").dt.strftime("%Y-%m-%d %H:%M:%S").alias("started (UTC)"),
        "command",
        "status",
        *(pl.col(f"rows_{kind}").alias(kind) for kind in ("read", "accepted", "rejected", "written")),
        pl.col("duration_seconds").round(2).alias("seconds"),
    )
    print_frame(shown, "table")
