"""A deliberately naive, loop-per-event implementation of the sessions definition, for checking.

docs/data-contracts.md → HTTP-log sessions report: "A user's events, ordered by instant (ties: file order),
form one session while each gap to the previous event is strictly less than the session
gap ... reward_driven_by_campaign_view: true iff some reward issued in the session was
preceded, at the same instant or earlier in the session, by a view of a campaign that the
mapping links to that reward".
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

Event = dict[str, Any]


def reference_sessions(events: list[Event], links: set[tuple[str, str]], gap: timedelta) -> list[dict[str, Any]]:
    """The report rows, sorted by user and start, computed one event at a time."""
    by_user: dict[str, list[Event]] = defaultdict(list)
    for e in events:
        by_user[e["user_id"]].append(e)
    rows = []
    for user in sorted(by_user):
        ordered = sorted(by_user[user], key=lambda e: (e["ts"], e["seq"]))
        sessions: list[list[Event]] = []
        for e in ordered:
            if sessions and e["ts"] - sessions[-1][-1]["ts"] < gap:
                sessions[-1].append(e)
            else:
                sessions.append([e])
        rows.extend(_row(user, s, links) for s in sessions)
    return rows


def _row(user: str, session: list[Event], links: set[tuple[str, str]]) -> dict[str, Any]:
    campaigns: list[str] = []
    rewards: list[str] = []
    for e in session:
        if e["kind"] == "campaign_view" and e["campaign_id"] not in campaigns:
            campaigns.append(e["campaign_id"])
        if e["kind"] == "reward_issued" and e["reward_id"] not in rewards:
            rewards.append(e["reward_id"])
    driven = any(
        v["kind"] == "campaign_view" and v["ts"] <= r["ts"] and (v["campaign_id"], r["reward_id"]) in links
        for r in session
        if r["kind"] == "reward_issued"
        for v in session
    )
    start: datetime = session[0]["ts"]
    return {
        "user_id": user,
        "session_start": start,
        "session_end": session[-1]["ts"],
        "campaigns": campaigns,
        "rewards_issued": rewards,
        "reward_driven_by_campaign_view": driven,
        "events": len(session),
        "campaign_views": sum(e["kind"] == "campaign_view" for e in session),
        "rewards_issued_count": sum(e["kind"] == "reward_issued" for e in session),
    }
