"""Sales reports: top members by spending and top items by times bought (definitions in the SQL files)."""

from __future__ import annotations

import polars as pl

from footfall.errors import InputError
from footfall.reports._sql import report_sql
from footfall.warehouse import Warehouse

__all__ = ["member_ids", "top_items", "top_members"]


def top_members(warehouse: Warehouse, *, n: int = 10) -> pl.DataFrame:
    """`rank, membership_id, first_name, last_name, orders, total_spent`; all ties at rank n included."""
    return warehouse.query(report_sql("top_members"), {"n": _positive(n)})


def top_items(warehouse: Warehouse, *, n: int = 3) -> pl.DataFrame:
    """`rank, item_id, name, manufacturer, times_bought, quantity`; all ties at rank n included."""
    return warehouse.query(report_sql("top_items"), {"n": _positive(n)})


def _positive(n: int) -> int:
    if n < 1:
        raise InputError(f"{{param}} must be at least 1, got {n}", param="n")
    return n


def member_ids(warehouse: Warehouse) -> list[str]:
    """Every member's id, in order."""
    return warehouse.query(report_sql("member_ids"))["membership_id"].to_list()
