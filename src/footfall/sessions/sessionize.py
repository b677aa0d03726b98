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
    """Sort events by (user, instant, file order) and number their sessions in `session_no`.

    `session_no` increases by one at every session start across the whole frame, so a
    session is identified by it alone; `session_index` counts a user's sessions from 0.
    """
    ordered = events.sort([user, ts, seq])
    starts = (pl.col(user) != pl.col(user).shift(1)).fill_null(True) | ((pl.col(ts) - pl.col(ts).shift(1)) >= gap)
    return (
        ordered.with_columns(_start=starts)
        .with_columns(
            session_no=pl.col("_start").cum_sum().cast(pl.Int64) - 1,
        )
        .with_columns(
            session_index=(pl.col("session_no") - pl.col("session_no").first().over(user)),
        )
        .drop("_start")
    )
