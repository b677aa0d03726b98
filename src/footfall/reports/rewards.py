"""Rewards reports: peak engagement, the weekday × hour matrix, weekly reward performance.

Definitions are in the SQL files (`reports/sql/*.sql`), which run unchanged on DuckDB and
PostgreSQL; data is stored in UTC and converted to the report zone (an IANA name) in SQL.
"""

from __future__ import annotations

from datetime import date

import polars as pl

from footfall.errors import InputError
from footfall.readers.timestamps import check_time_zone
from footfall.reports._sql import report_sql
from footfall.warehouse import Warehouse

__all__ = ["engagement_by_weekday_hour", "peak_engagement", "weekly_reward_performance"]

DEFAULT_TZ = "Asia/Singapore"


def peak_engagement(
    warehouse: Warehouse, *, campaign: str, date_from: date, date_to: date, tz: str = DEFAULT_TZ, top: int = 1
) -> pl.DataFrame:
    """`transactions, date, hour`: the campaign's busiest local hours in the range; ties all kept."""
    _check_range(date_from, date_to, tz)
    if top < 1:
        raise InputError(f"bad --top {top}: it must be at least 1")
    _check_exists(warehouse, "campaign", campaign, "campaign")
    params = {"campaign": campaign, "date_from": date_from, "date_to": date_to, "tz": tz, "top": top}
    return warehouse.query(report_sql("peak_engagement"), params)


def engagement_by_weekday_hour(
    warehouse: Warehouse, *, campaign: str, date_from: date, date_to: date, tz: str = DEFAULT_TZ
) -> pl.DataFrame:
    """`weekday, weekday_name, hour, transactions` for all 7 × 24 local cells (0 where none)."""
    _check_range(date_from, date_to, tz)
    _check_exists(warehouse, "campaign", campaign, "campaign")
    params = {"campaign": campaign, "date_from": date_from, "date_to": date_to, "tz": tz}
    return warehouse.query(report_sql("engagement_by_weekday_hour"), params)


def weekly_reward_performance(
    warehouse: Warehouse, *, tz: str = DEFAULT_TZ, status: str = "redeemed", reward: str | None = None
) -> pl.DataFrame:
    """`reward_name, redeemed_count, pct_change_vs_previous_week, week_start, reward_id` per reward and local week."""
    check_time_zone(tz)
    if reward is not None:
        _check_exists(warehouse, "reward_campaign", reward, "reward")
    params = {"tz": tz, "status": status.strip().lower(), "reward": reward}
    return warehouse.query(report_sql("weekly_reward_performance"), params)


def _check_range(date_from: date, date_to: date, tz: str) -> None:
    check_time_zone(tz)
    if date_from > date_to:
        raise InputError(f"bad date range: --from {date_from} is after --to {date_to}")


def _check_exists(warehouse: Warehouse, table: str, ident: str, what: str) -> None:
    found = warehouse.query(f"SELECT count(*) AS n FROM {table} WHERE id = :id", {"id": ident})["n"][0]
    if not found:
        raise InputError(f"unknown {what} id {ident!r}")
