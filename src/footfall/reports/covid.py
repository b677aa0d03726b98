"""COVID-19 cases over time: daily new cases, their trailing 7-day mean, and the running total."""

from __future__ import annotations

import polars as pl

from footfall.reports._sql import report_sql
from footfall.reports.filters import Filters
from footfall.warehouse import Warehouse

__all__ = ["covid_cases", "seven_day_mean"]


def covid_cases(warehouse: Warehouse, filters: Filters, *, location: str = "Singapore") -> pl.DataFrame:
    """`date, new_cases, new_cases_7day_mean, total_cases` of `location` within the date range.

    The mean is computed over all data before the range is applied, so the first days of a range
    still average their 7 days.
    """
    rows = warehouse.query(report_sql("covid_cases"), {"location": location})
    rows = seven_day_mean(rows.select("date", "new_cases", "total_cases"))
    if filters.date_from:
        rows = rows.filter(pl.col("date") >= filters.date_from)
    if filters.date_to:
        rows = rows.filter(pl.col("date") <= filters.date_to)
    return rows.select("date", "new_cases", "new_cases_7day_mean", "total_cases")


def seven_day_mean(rows: pl.DataFrame) -> pl.DataFrame:
    """Add `new_cases_7day_mean`: the mean of the reported new cases on the 7 calendar days ending each date.

    Days missing from the series or not reported (null) are left out of the mean, not taken as 0;
    the mean is null when none of the 7 days was reported.
    """
    ordered = rows.sort("date")
    mean = pl.col("new_cases").rolling_mean_by("date", window_size="7d", min_samples=0)
    return ordered.with_columns(mean.alias("new_cases_7day_mean"))
