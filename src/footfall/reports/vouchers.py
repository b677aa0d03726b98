"""Reward performance from the voucher data: issued vs redeemed, redemption by reward and campaign,
week-over-week change, segments; one user's history (definitions in the SQL files)."""

from __future__ import annotations

import polars as pl

from footfall.errors import InputError
from footfall.reports._sql import report_sql
from footfall.reports.filters import FilteredReport, Filters, run_report
from footfall.warehouse import Warehouse

__all__ = [
    "SEGMENT_DIMENSIONS",
    "voucher_history",
    "voucher_users",
    "vouchers_by_campaign",
    "vouchers_by_reward",
    "vouchers_by_segment",
    "vouchers_over_time",
    "vouchers_weekly",
]

SEGMENT_DIMENSIONS = ("gender", "age_band", "country", "city")

vouchers_over_time = FilteredReport("vouchers_over_time", "`day, issued, redeemed` per local day.")
vouchers_by_reward = FilteredReport(
    "vouchers_by_reward",
    "`reward_id, reward_name, campaign, issued, redeemed, redemption_rate, median_hours_to_redeem, ...`.",
)
vouchers_by_campaign = FilteredReport(
    "vouchers_by_campaign", "`campaign, rewards, issued, redeemed, redemption_rate, median_hours_to_redeem, ...`."
)
vouchers_weekly = FilteredReport(
    "vouchers_weekly", "`week_start, issued, redeemed, issued_pct_change, redeemed_pct_change` per local ISO week."
)


def vouchers_by_segment(warehouse: Warehouse, filters: Filters, *, dimension: str = "gender") -> pl.DataFrame:
    """`segment, users, issued, redeemed, redemption_rate` by gender, age_band, country or city."""
    if dimension not in SEGMENT_DIMENSIONS:
        raise InputError(f"bad dimension {dimension!r}: use one of {', '.join(SEGMENT_DIMENSIONS)}")
    return run_report(warehouse, "vouchers_by_segment", filters, dimension=dimension)


def voucher_users(warehouse: Warehouse, *, limit: int = 100) -> pl.DataFrame:
    """`user_id, vouchers, redeemed` of the users with the most vouchers."""
    return warehouse.query(report_sql("voucher_users"), {"limit": limit})


def voucher_history(warehouse: Warehouse, user_id: str, *, limit: int = 50) -> pl.DataFrame:
    """A user's vouchers, newest first."""
    return warehouse.query(report_sql("voucher_history"), {"user_id": user_id, "limit": limit})
