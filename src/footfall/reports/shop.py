"""Web-shop reports: order metrics, session length by referrer, the funnel (definitions in the SQL files).

Every report takes the one report contract, `Filters`: local dates in the report zone.
"""

from __future__ import annotations

from typing import Any

import polars as pl

from footfall.reports.filters import Filters, run_report
from footfall.warehouse import Warehouse

__all__ = ["order_metrics", "referrer_metrics", "shop_funnel"]


def order_metrics(warehouse: Warehouse, filters: Filters | None = None) -> dict[str, Any]:
    """`{"median_visits_before_order", "median_session_duration_minutes_before_order"}` (nulls when no data)."""
    row = run_report(warehouse, "order_metrics", filters or Filters()).row(0, named=True)
    return {k: (None if v is None else float(v)) for k, v in row.items()}


def referrer_metrics(warehouse: Warehouse, filters: Filters | None = None) -> pl.DataFrame:
    """`referrer, sessions, median_duration_minutes, p90_duration_minutes, order_rate`, busiest first."""
    return run_report(warehouse, "referrer_metrics", filters or Filters())


def shop_funnel(warehouse: Warehouse, filters: Filters | None = None) -> pl.DataFrame:
    """`step_order, step, sessions, share`: sessions → with a page view → with a cart add → with an order."""
    return run_report(warehouse, "shop_funnel", filters or Filters())
