"""Load generated (or exported) sales into the sales tables: items, orders, order_items."""

from __future__ import annotations

import polars as pl

from footfall.runs import RunSummary
from footfall.warehouse import Warehouse

__all__ = ["replace_sales"]


def replace_sales(warehouse: Warehouse, tables: dict[str, pl.DataFrame]) -> RunSummary:
    """Replace all orders, order lines and items with `tables`, in one transaction (members are kept)."""
    summary = RunSummary("sales load", inputs=sorted(tables))
    with warehouse.transaction():
        for table in ("order_items", "orders", "items"):
            warehouse.execute(f"DELETE FROM {table}")
        for table in ("items", "orders", "order_items"):
            summary.written += warehouse.insert(table, tables[table])
        summary.read = summary.accepted = summary.written
        summary.details["warehouse"] = warehouse.url
        summary.record(warehouse)
    return summary
