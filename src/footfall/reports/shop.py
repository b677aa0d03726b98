"""Web-shop reports: order metrics and session length by referrer (definitions in the SQL files)."""

from __future__ import annotations

from datetime import date
from typing import Any

import polars as pl

from footfall.errors import InputError
from footfall.reports._sql import report_sql
from footfall.warehouse import Warehouse

__all__ = ["order_metrics", "referrer_metrics", "shop_funnel"]


def order_metrics(
    warehouse: Warehouse, *, date_from: date | None = None, date_to: date | None = None
) -> dict[str, Any]:
    """`{"median_visits_before_order", "median_session_duration_minutes_before_order"}` (nulls when no data)."""
    row = warehouse.query(report_sql("order_metrics"), _range(date_from, date_to)).row(0, named=True)
    return {k: (None if v is None else float(v)) for k, v in row.items()}


def referrer_metrics(
    warehouse: Warehouse, *, date_from: date | None = None, date_to: date | None = None
) -> pl.DataFrame:
    """`referrer, sessions, median_duration_minutes, p90_duration_minutes, order_rate`, busiest first."""
    return warehouse.query(report_sql("referrer_metrics"), _range(date_from, date_to))


def shop_funnel(
    warehouse: Warehouse, *, date_from: date | None = None, date_to: date | None = None, tz: str = "UTC"
) -> pl.DataFrame:
    """`step_order, step, sessions, share`: sessions → with a page view → with a cart add → with an order."""
    return warehouse.query(report_sql("shop_funnel"), {**_range(date_from, date_to), "tz": tz})


def _range(date_from: date | None, date_to: date | None) -> dict[str, date | None]:
    if date_from and date_to and date_from > date_to:
        raise InputError(f"bad date range: from {date_from} is after to {date_to}")
    return {"date_from": date_from, "date_to": date_to}
