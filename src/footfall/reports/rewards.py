"""Rewards reports: peak engagement, the weekday × hour matrix, weekly reward performance.

Definitions are in the SQL files (`reports/sql/*.sql`, docs/rewards-reports.md), which run
unchanged on DuckDB and PostgreSQL; data is stored in UTC and converted to the report zone
(`Filters.tz`, an IANA name) in SQL.
"""

from __future__ import annotations

import polars as pl

from footfall.errors import InputError, NotFoundError
from footfall.reports.filters import Filters, run_report
from footfall.warehouse import Warehouse

__all__ = ["engagement_by_weekday_hour", "peak_engagement", "transaction_statuses", "weekly_reward_performance"]


def peak_engagement(warehouse: Warehouse, filters: Filters, *, top: int = 1) -> pl.DataFrame:
    """`transactions, date, hour`: the campaign's busiest local hours in the range; ties all kept."""
    filters.require("campaign", "date_from", "date_to")
    if top < 1:
        raise InputError(f"{{param}} must be at least 1, got {top}", param="top")
    _check_exists(warehouse, "campaign", filters.campaign, "campaign")
    return run_report(warehouse, "peak_engagement", filters, top=top)


def engagement_by_weekday_hour(warehouse: Warehouse, filters: Filters) -> pl.DataFrame:
    """`weekday, weekday_name, hour, transactions` for all 7 × 24 local cells (0 where none)."""
    filters.require("campaign", "date_from", "date_to")
    _check_exists(warehouse, "campaign", filters.campaign, "campaign")
    return run_report(warehouse, "engagement_by_weekday_hour", filters)


def weekly_reward_performance(
    warehouse: Warehouse, filters: Filters | None = None, *, status: str = "redeemed"
) -> pl.DataFrame:
    """`reward_name, <status>_count, pct_change_vs_previous_week, week_start, reward_id` per reward and local week.

    Transactions of `status` on local dates in the filters' range (all when unset) are counted.
    """
    filters = filters or Filters()
    if filters.reward is not None:
        _check_exists(warehouse, "reward_campaign", filters.reward, "reward")
    wanted = status.strip().lower()
    known = transaction_statuses(warehouse)
    if known and wanted not in known:
        raise InputError(f"unknown {{param}} {status!r}: the transactions hold {', '.join(known)}", param="status")
    frame = run_report(warehouse, "weekly_reward_performance", filters, status=wanted)
    return frame.rename({"status_count": f"{wanted}_count"})


def transaction_statuses(warehouse: Warehouse) -> list[str]:
    """The statuses the reward transactions hold, in order."""
    return run_report(warehouse, "transaction_statuses", Filters())["status"].to_list()


def _check_exists(warehouse: Warehouse, table: str, ident: str | None, what: str) -> None:
    found = warehouse.query(f"SELECT count(*) AS n FROM {table} WHERE id = :id", {"id": ident})["n"][0]
    if not found:
        raise NotFoundError(f"unknown {what} id {ident!r}", param=what)
