"""The run history report."""

from __future__ import annotations

import polars as pl

from footfall.reports._sql import report_sql
from footfall.warehouse import Warehouse

__all__ = ["recent_runs"]


def recent_runs(warehouse: Warehouse, *, limit: int = 20) -> pl.DataFrame:
    """The `limit` most recent runs, newest first."""
    return warehouse.query(report_sql("recent_runs"), {"limit": limit})
