"""User engagement from HTTP-log sessions: active users, sessions per user, session length, when
users come (weekday × hour), new vs returning users, weekly retention cohorts (definitions in SQL)."""

from __future__ import annotations

import polars as pl

from footfall.errors import InputError
from footfall.reports.filters import FilteredReport, Filters, run_report
from footfall.warehouse import Warehouse

__all__ = [
    "active_users",
    "new_vs_returning",
    "retention_cohorts",
    "session_length",
    "sessions_by_weekday_hour",
    "sessions_per_user",
]


def active_users(warehouse: Warehouse, filters: Filters, *, period: str = "day") -> pl.DataFrame:
    """`period_start, active_users, sessions` per local day or ISO week."""
    if period not in ("day", "week"):
        raise InputError(f"bad period {period!r}: use day or week")
    return run_report(warehouse, "engagement_active_users", filters, period=period)


sessions_per_user = FilteredReport(
    "engagement_sessions_per_user", "`bucket_order, sessions_per_user, users`: a histogram of sessions per user."
)
session_length = FilteredReport(
    "engagement_session_length", "`bucket_order, session_length, sessions`: a histogram of session lengths."
)
sessions_by_weekday_hour = FilteredReport(
    "engagement_weekday_hour", "`weekday, weekday_name, hour, sessions` for all 7 × 24 local cells."
)
new_vs_returning = FilteredReport("engagement_new_returning", "`day, new_users, returning_users` per local day.")
retention_cohorts = FilteredReport(
    "engagement_retention",
    "`cohort_week, cohort_users, week_number, active_users, retention` (weekly cohorts of first sessions).",
)
