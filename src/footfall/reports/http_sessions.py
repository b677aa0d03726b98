"""HTTP-log session reports: sessions and attribution per day, by campaign, rewards issued (SQL files)."""

from __future__ import annotations

import polars as pl

from footfall.reports.filters import Filters, run_report
from footfall.warehouse import Warehouse

__all__ = ["campaign_attribution", "sessions_daily", "top_session_rewards"]


def sessions_daily(warehouse: Warehouse, filters: Filters) -> pl.DataFrame:
    """`day, sessions, sessions_with_reward, reward_driven_sessions, attribution_rate` per local day."""
    return run_report(warehouse, "http_sessions_daily", filters)


def campaign_attribution(warehouse: Warehouse, filters: Filters) -> pl.DataFrame:
    """`campaign_id, campaign` (its name), `viewing_sessions, sessions_with_reward, reward_driven_sessions,
    attribution_rate`, busiest first."""
    return run_report(warehouse, "http_campaign_attribution", filters)


def top_session_rewards(warehouse: Warehouse, filters: Filters) -> pl.DataFrame:
    """`reward_id, reward` (its name), `sessions, reward_driven_sessions`, most issued first."""
    return run_report(warehouse, "http_top_rewards", filters)
