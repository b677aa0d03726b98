"""User engagement from HTTP-log sessions: active users, sessions per user, session length, when
users come (weekday × hour), new vs returning users, weekly retention cohorts (definitions in SQL)."""

from __future__ import annotations

import polars as pl

from footfall.errors import InputError
from footfall.reports.filters import Filters, run_report
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


def sessions_per_user(warehouse: Warehouse, filters: Filters) -> pl.DataFrame:
    """`bucket_order, sessions_per_user, users`: a histogram of sessions per user."""
    return run_report(warehouse, "engagement_sessions_per_user", filters)


def session_length(warehouse: Warehouse, filters: Filters) -> pl.DataFrame:
    """`bucket_order, session_length, sessions`: a histogram of session lengths."""
    return run_report(warehouse, "engagement_session_length", filters)


def sessions_by_weekday_hour(warehouse: Warehouse, filters: Filters) -> pl.DataFrame:
    """`weekday, weekday_name, hour, sessions` for all 7 × 24 local cells."""
    return run_report(warehouse, "engagement_weekday_hour", filters)


def new_vs_returning(warehouse: Warehouse, filters: Filters) -> pl.DataFrame:
    """`day, new_users, returning_users` per local day."""
    return run_report(warehouse, "engagement_new_returning", filters)


def retention_cohorts(warehouse: Warehouse, filters: Filters) -> pl.DataFrame:
    """`cohort_week, cohort_users, week_number, active_users, retention` (weekly cohorts of first sessions)."""
    return run_report(warehouse, "engagement_retention", filters)
