"""Hypothesis strategies for event sets with ties, exact gaps and out-of-order lines."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import polars as pl
from hypothesis import strategies as st

BASE = datetime(2019, 8, 27, tzinfo=UTC)
USERS = ["u1", "u2", "2000020076516"]
IDS = ["1", "2", "3"]


@st.composite
def event_sets(draw: st.DrawFn, *, gap_seconds: int) -> list[dict[str, Any]]:
    """Events whose instants sit on a grid of gap/2 and gap/3 steps, so exact gaps and ties are common."""
    grid = st.one_of(
        st.integers(0, 12).map(lambda k: k * gap_seconds // 2),
        st.integers(0, 12).map(lambda k: k * gap_seconds // 3),
        st.integers(0, 6 * gap_seconds),
    )
    raw = draw(
        st.lists(
            st.tuples(
                st.sampled_from(USERS),
                grid,
                st.sampled_from(["campaign_view", "reward_issued", "other"]),
                st.sampled_from(IDS),
            ),
            min_size=1,
            max_size=40,
        )
    )
    return [
        {
            "seq": i,
            "user_id": u,
            "ts": BASE + timedelta(seconds=s),
            "kind": k,
            "campaign_id": ident if k == "campaign_view" else None,
            "reward_id": ident if k == "reward_issued" else None,
        }
        for i, (u, s, k, ident) in enumerate(raw)
    ]


links_sets = st.sets(st.tuples(st.sampled_from(IDS), st.sampled_from(IDS)), max_size=6)


def to_frame(events: list[dict[str, Any]]) -> pl.DataFrame:
    """Events as the engine's input frame."""
    return pl.DataFrame(
        events,
        schema={
            "seq": pl.Int64,
            "user_id": pl.String,
            "ts": pl.Datetime("us", "UTC"),
            "kind": pl.String,
            "campaign_id": pl.String,
            "reward_id": pl.String,
        },
    )


def links_frame(links: set[tuple[str, str]]) -> pl.DataFrame:
    """A mapping frame, with every pair twice (mappings may contain duplicates)."""
    pairs = sorted(links) * 2
    return pl.DataFrame(
        {"campaign_id": [c for c, _ in pairs], "reward_id": [r for _, r in pairs]},
        schema={"campaign_id": pl.String, "reward_id": pl.String},
    )


T0 = datetime(2019, 8, 27, 10, tzinfo=UTC)


def event(user: str, seconds: float, seq: int, kind: str = "other", ident: str | None = None) -> dict[str, Any]:
    """One event `seconds` after T0 (a campaign id for a view, a reward id for an issue)."""
    return {
        "user_id": user,
        "ts": T0 + timedelta(seconds=seconds),
        "seq": seq,
        "kind": kind,
        "campaign_id": ident if kind == "campaign_view" else None,
        "reward_id": ident if kind == "reward_issued" else None,
    }
