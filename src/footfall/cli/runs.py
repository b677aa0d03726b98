"""`footfall runs`: the history of pipeline runs kept in the warehouse."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from footfall.cli._common import WarehouseOption, console, open_warehouse


def runs(
    limit: Annotated[int, typer.Option("--limit", "-n", help="How many runs, newest first.", min=1)] = 20,
    warehouse: WarehouseOption = None,
) -> None:
    """List recent runs with rows read, accepted, rejected and written."""
    from footfall.reports.runs import recent_runs

    with open_warehouse(warehouse, read_only=True) as wh:
        frame = recent_runs(wh, limit=limit)
    table = Table("started (UTC)", "command", "status", "read", "accepted", "rejected", "written", "seconds")
    for row in frame.iter_rows(named=True):
        table.add_row(
            f"{row['started_at']:%Y-%m-%d %H:%M:%S}",
            row["command"],
            row["status"],
            f"{row['rows_read']:,}",
            f"{row['rows_accepted']:,}",
            f"{row['rows_rejected']:,}",
            f"{row['rows_written']:,}",
            f"{row['duration_seconds']:.2f}",
        )
    console.print(table)
