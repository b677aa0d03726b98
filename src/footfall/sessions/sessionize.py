"""Gap-based sessionization: the one definition of a session that every engine follows.

A user's events, ordered by instant (ties: file order, the `seq` column), form one session
while each gap to the previous event is strictly less than `gap`; a gap of exactly `gap`
starts a new session (`CONTRACTS.md` → HTTP-log sessions).
"""

from __future__ import annotations

from datetime import timedelta

import polars as pl

__all__ = ["assign_sessions"]


def assign_sessions(
    events: pl.LazyFrame, *, gap: timedelta, user: str = "user_id", ts: str = "ts", seq: str = "seq"
) -> pl.LazyFrame:
    """Group each user's events (by instant, then file order) and number sessions in `session_no`.

    `session_no` increases by one at every session start across the whole frame, so a session
    is identified by it alone; `session_index` counts a user's sessions from 0. Users are
    grouped by categorical codes (sorting integers is twice as fast as sorting text), so
    rows come out grouped by user but not in alphabetical order of user.
    """
    code = pl.col(user).cast(pl.Categorical).to_physical().alias("_user")
    ordered = events.with_columns(code).sort(["_user", ts, seq])
    new_user = (pl.col("_user") != pl.col("_user").shift(1)).fill_null(True)
    starts = new_user | ((pl.col(ts) - pl.col(ts).shift(1)) >= gap)
    return (
        ordered.with_columns(_new_user=new_user, session_no=starts.cum_sum().cast(pl.Int64) - 1)
        .with_columns(
            session_index=pl.col("session_no") - pl.when("_new_user").then(pl.col("session_no")).forward_fill()
        )
        .drop("_user", "_new_user")
    )
