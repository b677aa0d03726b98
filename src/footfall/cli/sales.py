"""`footfall sales …`: the analysts' standard queries on the sales database."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated

import typer

from footfall.cli._common import Format, FormatOption, WarehouseOption, command_group, open_warehouse, print_frame

if TYPE_CHECKING:
    import polars as pl

app = command_group("Sales to members: top members by spending, top items by times bought.")


@app.command("top-members")
def top_members(
    n: Annotated[int, typer.Option("--n", help="How many members (ties at the last place are all shown).")] = 10,
    fmt: FormatOption = "table",
    warehouse: WarehouseOption = None,
) -> None:
    """Members by total spending (cancelled orders excluded); members tied with the n-th are all listed."""
    from footfall.reports.sales import top_members as query

    _print(query, n=n, fmt=fmt, warehouse=warehouse, title=f"top {n} members by spending")


@app.command("top-items")
def top_items(
    n: Annotated[int, typer.Option("--n", help="How many items (ties at the last place are all shown).")] = 3,
    fmt: FormatOption = "table",
    warehouse: WarehouseOption = None,
) -> None:
    """Items by the number of orders they were bought in (cancelled excluded); ties with the n-th all listed."""
    from footfall.reports.sales import top_items as query

    _print(query, n=n, fmt=fmt, warehouse=warehouse, title=f"top {n} items by times bought")


def _print(query: Callable[..., pl.DataFrame], *, n: int, fmt: Format, warehouse: str | None, title: str) -> None:
    with open_warehouse(warehouse, read_only=True) as wh:
        frame = query(wh, n=n)
    print_frame(frame, fmt, title=title)
