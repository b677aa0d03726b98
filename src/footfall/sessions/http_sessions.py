"""The HTTP-log sessions report (docs/data-contracts.md → HTTP-log sessions report) from parsed log events."""

from __future__ import annotations

from datetime import timedelta

import polars as pl

from footfall.sessions.sessionize import assign_sessions

__all__ = ["REPORT_SCHEMA", "SESSION_SCHEMA", "http_sessions", "linked_view_before_issue", "reward_driven_sessions"]

SESSION_SCHEMA = pl.Schema(
    {
        "user_id": pl.String(),
        "session_start": pl.Datetime("us", "UTC"),
        "session_end": pl.Datetime("us", "UTC"),
        "campaigns": pl.List(pl.String()),
        "rewards_issued": pl.List(pl.String()),
        "reward_driven_by_campaign_view": pl.Boolean(),
        "events": pl.Int64(),
        "campaign_views": pl.Int64(),
        "rewards_issued_count": pl.Int64(),
    }
)

# what the pipelines write: the contract's columns plus `open` (new data could still extend it)
REPORT_SCHEMA = pl.Schema({**SESSION_SCHEMA, "open": pl.Boolean()})


def http_sessions(events: pl.DataFrame | pl.LazyFrame, mapping: pl.DataFrame, *, gap: timedelta) -> pl.DataFrame:
    """One row per session, sorted by user and start; `events` needs user_id, ts, seq, kind, ids."""
    sessioned = (
        assign_sessions(events.lazy().select("user_id", "ts", "seq", "kind", "campaign_id", "reward_id"), gap=gap)
        .collect()
        .lazy()
    )  # read by the report and by the attribution
    report = sessioned.group_by("session_no", maintain_order=True).agg(
        pl.col("user_id").first(),
        session_start=pl.col("ts").first(),
        session_end=pl.col("ts").last(),
        campaigns=pl.col("campaign_id").drop_nulls().unique(maintain_order=True),
        rewards_issued=pl.col("reward_id").drop_nulls().unique(maintain_order=True),
        events=pl.len().cast(pl.Int64),
        campaign_views=(pl.col("kind") == "campaign_view").sum().cast(pl.Int64),
        rewards_issued_count=(pl.col("kind") == "reward_issued").sum().cast(pl.Int64),
    )
    driven = reward_driven_sessions(sessioned, mapping)
    out = report.with_columns(reward_driven_by_campaign_view=pl.col("session_no").is_in(driven.implode()))
    return out.select(SESSION_SCHEMA.names()).sort("user_id", "session_start").collect().cast(SESSION_SCHEMA)


def reward_driven_sessions(sessioned: pl.LazyFrame, mapping: pl.DataFrame) -> pl.Series:
    """`session_no` of sessions where a reward was issued at or after a view of a linked campaign.

    Equivalent to the definition because some issue of reward r follows some view of a
    linked campaign c iff c's first view in the session is at or before r's last issue.
    Events are aggregated to one row per (session, reward) and (session, campaign) before the
    mapping is joined, so a many-to-many mapping cannot multiply the event rows.
    """
    issues = (
        sessioned.filter(pl.col("kind") == "reward_issued")
        .group_by("session_no", "reward_id")
        .agg(last_issue=pl.col("ts").max())
    )
    views = (
        sessioned.filter(pl.col("kind") == "campaign_view")
        .group_by("session_no", "campaign_id")
        .agg(first_view=pl.col("ts").min())
    )
    issues_now, views_now = pl.collect_all([issues, views])
    return linked_view_before_issue(issues_now, views_now, mapping, key="session_no")["session_no"]


def linked_view_before_issue(
    issues: pl.DataFrame, views: pl.DataFrame, mapping: pl.DataFrame, *, key: str
) -> pl.DataFrame:
    """The distinct `key`s with a reward's last issue at or after the first view of a campaign linked to it.

    `issues`: key, reward_id, last_issue; `views`: key, campaign_id, first_view. The mapping
    joins the side it multiplies least (a reward may have dozens of campaigns, or the reverse).
    """
    links = mapping.select("campaign_id", "reward_id").unique()
    by_reward = issues.join(links.group_by("reward_id").len(), on="reward_id")["len"].sum()
    by_campaign = views.join(links.group_by("campaign_id").len(), on="campaign_id")["len"].sum()
    if by_reward <= by_campaign:
        pairs = issues.join(links, on="reward_id").join(views, on=[key, "campaign_id"])
    else:
        pairs = views.join(links, on="campaign_id").join(issues, on=[key, "reward_id"])
    return pairs.filter(pl.col("first_view") <= pl.col("last_issue")).select(key).unique()
