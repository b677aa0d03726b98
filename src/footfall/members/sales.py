"""Load generated (or exported) sales into the sales tables: items, orders, order_items."""

from __future__ import annotations

import polars as pl

from footfall.errors import InputError
from footfall.reports.sales import member_ids
from footfall.runs import RunSummary
from footfall.warehouse import Warehouse

__all__ = ["replace_sales"]


def replace_sales(warehouse: Warehouse, tables: dict[str, pl.DataFrame]) -> RunSummary:
    """Replace all orders, order lines and items with `tables`, in one transaction (members are kept)."""
    summary = RunSummary("sales load", inputs=sorted(tables))
    with warehouse.transaction():
        members = pl.DataFrame({"membership_id": member_ids(warehouse)}, schema={"membership_id": pl.String})
        _check_keys(tables["orders"], "membership_id", members, "members")
        _check_keys(tables["order_items"], "order_id", tables["orders"], "orders")
        _check_keys(tables["order_items"], "item_id", tables["items"], "items")
        for table in ("order_items", "orders", "items"):
            warehouse.execute(f"DELETE FROM {table}")
        for table in ("items", "orders", "order_items"):
            summary.written += warehouse.insert(table, tables[table])
        summary.read = summary.accepted = summary.written
        summary.record(warehouse)
    return summary


def _check_keys(rows: pl.DataFrame, key: str, parents: pl.DataFrame, parent: str) -> None:
    """Every `key` of `rows` names a row of `parents` (the foreign keys, checked the same on every warehouse)."""
    missing = rows.select(key).unique().join(parents.select(key), on=key, how="anti")
    if missing.height:
        example = missing[key].sort()[0]
        raise InputError(
            f"sales: {missing.height} {key} value(s) not in {parent}, e.g. {example!r}; nothing was loaded"
        )
