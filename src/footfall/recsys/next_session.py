"""The next-session protocol: predict everything a user does on their next visit from the visits before.

A user's interactions, ordered by instant then `seq`, form one session while each gap to the
previous interaction is strictly less than `SESSION_GAP` (1 hour; a gap of exactly 1 hour starts
a new session, as in docs/sessions.md). For every user with two sessions or more, the whole last
session is held out and the model is trained on everything before it (and on every other user).
Because a session ends only at a gap of an hour or more, interactions that share a second are
always in the same session: a tie never decides what is held out.

Relevant items are the distinct items of the held-out session that the user had not had before
(the ranking is over unseen items, so items seen earlier can never be hit). Recall@20 = hits in
the top 20 / min(20, relevant); NDCG@10 has binary gains and the ideal ordering of min(10,
relevant) hits. A relevant item no one interacted with in training is a miss. Intervals are 95 %
percentile bootstraps over users; `gap_seconds` is the time from the end of the previous session
to the start of the held-out one. The model is asked at that start (`at`: a server knows the time
of a request; models that use how long a user has been away read it), never told the items.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import numpy as np
import polars as pl

from footfall.recsys.evaluate import bootstrap, by_gap, ranked
from footfall.recsys.models import Model

__all__ = ["SESSION_GAP", "evaluate_next_session", "next_session_by_user", "next_session_split"]

SESSION_GAP = timedelta(hours=1)


def next_session_split(events: pl.DataFrame, *, gap: timedelta = SESSION_GAP) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(train, test): each user's last session (all of its interactions) held out if they have two or more."""
    ordered = events.sort("user_id", "ts", "seq")
    starts = (pl.col("ts").diff().over("user_id") >= gap).fill_null(False)
    session = ordered.with_columns(_session=starts.cast(pl.Int64).cum_sum().over("user_id"))
    last = pl.col("_session") == pl.col("_session").max().over("user_id")
    held = last & (pl.col("_session") > 0)
    return session.filter(~held).drop("_session"), session.filter(held).drop("_session")


def evaluate_next_session(model: Model, events: pl.DataFrame, *, batch: int = 1024) -> dict[str, Any]:
    """Fit `model` on the earlier sessions and score each user's last one: Recall@20, NDCG@10, by gap."""
    users = next_session_by_user(model, events, batch=batch)
    recall, ndcg = users["recall@20"].to_numpy(), users["ndcg@10"].to_numpy()
    return {
        "model": model.name,
        "protocol": "next-session",
        "hr@10": None,
        "ndcg@10": float(ndcg.mean()) if ndcg.size else None,
        "ndcg@10_interval": bootstrap(ndcg),
        "recall@20": float(recall.mean()) if recall.size else None,
        "recall@20_interval": bootstrap(recall),
        "ndcg@20": None,
        "coverage@10": None,
        "users": int(recall.size),
        "by_gap": by_gap(users, ["recall@20", "ndcg@10"]),
        "train_seconds": round(model.train_seconds, 3),
        "params": model.params,
    }


def next_session_by_user(model: Model, events: pl.DataFrame, *, batch: int = 1024) -> pl.DataFrame:
    """Per tested user (a new item in the last session): `user_id, gap_seconds, relevant, recall@20, ndcg@10`."""
    train, test = next_session_split(events)
    model.fit(train)
    before = train.group_by("user_id").agg(_before=pl.col("ts").max())
    wanted = (
        test.join(train.select("user_id", "item_id"), on=["user_id", "item_id"], how="anti")
        .join(before, on="user_id")
        .group_by("user_id", maintain_order=True)
        .agg(
            pl.col("item_id").unique(maintain_order=True),
            gap=pl.col("ts").min() - pl.col("_before").first(),
            start=pl.col("ts").min(),
        )
        .with_columns(gap_seconds=pl.col("gap").dt.total_microseconds() * 1e-6)
    )
    discounts = 1.0 / np.log2(np.arange(2, 22))
    recalls, ndcgs = np.zeros(wanted.height), np.zeros(wanted.height)
    asked = wanted["start"].dt.epoch("us").cast(pl.Float64).to_numpy() * 1e-6  # the request: the session's start
    tops = ranked(model, wanted["user_id"].to_numpy(), 20, at=asked, batch=batch)
    for position, (items, top) in enumerate(zip(wanted["item_id"].to_list(), tops, strict=True)):
        ids = np.array(items, dtype=object)
        columns = np.searchsorted(model.items, ids)
        known = columns < len(model.items)
        known[known] = model.items[columns[known]] == ids[known]
        relevant = np.isin(top, columns[known])
        recalls[position] = relevant.sum() / min(20, len(items))
        ideal = discounts[: min(10, len(items))].sum()
        ndcgs[position] = (relevant[:10] * discounts[: len(relevant[:10])]).sum() / ideal
    return wanted.select("user_id", "gap_seconds", relevant=pl.col("item_id").list.len()).with_columns(
        pl.Series("recall@20", recalls), pl.Series("ndcg@10", ndcgs)
    )
