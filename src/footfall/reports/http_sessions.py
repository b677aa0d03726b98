"""HTTP-log session reports: sessions and attribution per day, by campaign, rewards issued (SQL files)."""

from __future__ import annotations

from footfall.reports.filters import FilteredReport

__all__ = ["campaign_attribution", "sessions_daily", "top_session_rewards"]


sessions_daily = FilteredReport(
    "http_sessions_daily",
    "`day, sessions, sessions_with_reward, reward_driven_sessions, attribution_rate` per local day.",
)
campaign_attribution = FilteredReport(
    "http_campaign_attribution",
    "`campaign_id, campaign` (its name), `viewing_sessions, sessions_with_reward, reward_driven_sessions, "
    "attribution_rate`, busiest first.",
)
top_session_rewards = FilteredReport(
    "http_top_rewards", "`reward_id, reward` (its name), `sessions, reward_driven_sessions`, most issued first."
)
