"""Sequence-aware recommenders: what a user did last, and what usually comes after it.

`SequenceEase` adds a transition term to the default's recency-weighted EASE^R, in the spirit of
SLIST (Choi et al., WWW 2021), closed form and without a second matrix inverse:

    score(u, at) = h_u · B  +  beta · c_u · T  +  [at - last_u ≥ away] · pop · r

- `h_u · B` is `RecencyEase`: EASE^R weights `B` on the user's recency-weighted history.
- `T` is the item-to-item transition matrix: over each user's history in order (by instant, ties
  by `seq`), item j at `d` positions after item i (1 ≤ d ≤ `window`) adds `decay^(d-1)` to
  `C[i, j]` (and `backward` times that to `C[j, i]`: the order inside a second is arbitrary);
  `T = C / (row sum of C + shrink)`, an estimate of "what follows i", repeats dropped.
- `c_u` is the user's context: the last `window` items of their history, the last weighing 1 and
  each one before it `decay` times less.
- `r` is what is popular now: each item's interactions in the last `days` days of the training
  data, divided by the largest such count (all interactions when there are no instants). Users
  who come back after a while do what others did lately, which the history terms cannot know,
  so the term counts only when the request instant `at` is `away` seconds or more after the
  user's last interaction `last_u` (`at` defaults to the training data's last instant; the
  evaluation protocols pass the held-out interaction's or session's start, which a server knows
  as the time of the request).

Training costs the EASE^R inverse plus one pass over the interactions per lag, so it stays a
closed form; scoring adds one short sparse row times `T` and one vector.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, ClassVar

import numpy as np
import polars as pl
import scipy.sparse as sp

from footfall.recsys._base import RecencyEase

__all__ = ["SequenceEase", "ordered_codes", "ordered_events"]


@dataclass
class SequenceEase(RecencyEase):
    """Recency-weighted EASE^R plus `beta` × the user's last items times an item-to-item transition matrix."""

    name: ClassVar[str] = "sequence-ease"
    transitions: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), dtype=np.float32))
    context: sp.csr_matrix = field(default_factory=lambda: sp.csr_matrix((0, 0), dtype=np.float32))
    recent: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.float32))  # pop x r (recent popularity)
    last: np.ndarray = field(default_factory=lambda: np.zeros(0))  # each user's last instant, seconds since the epoch
    end: float = 0.0  # the training data's last instant: the request time when none is given

    # chosen by benchmarks/recsys.py on ML-100K's next-session protocol (docs/recsys.md)
    defaults: ClassVar[dict[str, float]] = {"l2": 1000.0, "tau": 60.0, "floor": 0.1} | {
        "beta": 1.0,
        "window": 5,
        "decay": 0.5,
        "backward": 1.0,
        "shrink": 10.0,
        "pop": 0.3,
        "days": 30.0,
        "away": 86_400.0,
    }

    def _fit_order(self, events: pl.DataFrame) -> None:
        users, items = ordered_codes(events, self.users, self.items)
        window, decay = int(self.params["window"]), float(self.params["decay"])
        backward = float(self.params["backward"])
        before, after, weight = [], [], []
        for lag in range(1, window + 1):
            same = users[lag:] == users[:-lag]
            before.append(items[:-lag][same])
            after.append(items[lag:][same])
            weight.append(np.full(int(same.sum()), decay ** (lag - 1), dtype=np.float32))
        first, then, w = np.concatenate(before), np.concatenate(after), np.concatenate(weight)
        if backward:  # j after i also says something about i after j (ties inside a second have no order)
            first, then, w = np.r_[first, then], np.r_[then, first], np.r_[w, np.float32(backward) * w]
        n = len(self.items)
        dense = sp.coo_matrix((w, (first, then)), shape=(n, n), dtype=np.float32).toarray()  # duplicates add up
        np.fill_diagonal(dense, 0.0)
        dense /= dense.sum(axis=1, keepdims=True) + np.float32(self.params["shrink"])
        self.transitions = (np.float32(self.params["beta"]) * dense).astype(np.float32)
        self.context = _context(users, items, len(self.users), n, window, decay)
        self.recent = np.float32(self.params["pop"]) * _recent(events, self.items, float(self.params["days"]))
        self.last, self.end = _last_instants(events, self.users)

    def score_users(self, rows: np.ndarray, at: np.ndarray | None = None) -> np.ndarray:
        scores = super().score_users(rows)
        when = np.full(len(rows), self.end) if at is None else np.asarray(at, dtype=np.float64)
        away = when - self.last[rows] >= float(self.params["away"])  # back after `away` seconds or more
        if away.any():
            scores[away] += self.recent
        return scores

    def _scores(self, rows: np.ndarray) -> np.ndarray:
        # one product for one user and for many: a user's scores are the same numbers in a batch and alone
        scores: np.ndarray = super()._scores(rows) + np.asarray(self.context[rows] @ self.transitions)
        return scores

    def _arrays(self) -> dict[str, np.ndarray]:
        context = {"context_indptr": self.context.indptr, "context_indices": self.context.indices}
        arrays = {"transitions": self.transitions, "recent": self.recent, "context_data": self.context.data}
        arrays |= {"last": self.last, "end": np.array(self.end)}
        return super()._arrays() | arrays | context

    def _restore(self, arrays: Any) -> None:
        super()._restore(arrays)
        self.transitions = arrays["transitions"]
        if "recent" in arrays.files:  # models saved before the recent-popularity term have none
            self.recent, self.last, self.end = arrays["recent"], arrays["last"], float(arrays["end"])
        else:
            self.recent, self.last = np.zeros(len(self.items), dtype=np.float32), np.zeros(len(self.users))
        shape = (len(self.users), len(self.items))
        parts = (arrays["context_data"], arrays["context_indices"], arrays["context_indptr"])
        self.context = sp.csr_matrix(parts, shape=shape, dtype=np.float32)


def ordered_codes(events: pl.DataFrame, users: np.ndarray, items: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each interaction's (user row, item column), ordered by user, then instant, then `seq`."""
    coded = ordered_events(events, users, items)
    return coded["_u"].to_numpy().astype(np.int64), coded["_i"].to_numpy().astype(np.int64)


def ordered_events(events: pl.DataFrame, users: np.ndarray, items: np.ndarray) -> pl.DataFrame:
    """`events` with each one's user row `_u` and item column `_i`, ordered by user, then instant, then `seq`."""
    order = ["_u", *(c for c in ("ts", "seq") if c in events.columns), "_line"]
    rows = pl.DataFrame({"user_id": users.tolist()}, schema={"user_id": pl.String}).with_row_index("_u")
    cols = pl.DataFrame({"item_id": items.tolist()}, schema={"item_id": pl.String}).with_row_index("_i")
    return events.with_row_index("_line").join(rows, on="user_id").join(cols, on="item_id").sort(order)


def _context(
    users: np.ndarray, items: np.ndarray, n_users: int, n_items: int, window: int, decay: float
) -> sp.csr_matrix:
    """Users × items: each user's last `window` interactions, the last weighing 1, each earlier one `decay`× less."""
    ends = np.r_[np.flatnonzero(np.diff(users)) + 1, len(users)]  # one past each user's last position
    position = np.arange(len(users))
    from_end = np.repeat(ends, np.diff(np.r_[0, ends])) - 1 - position  # 0 for a user's last interaction
    keep = from_end < window
    weights = decay ** from_end[keep].astype(np.float64)
    matrix = sp.csr_matrix((weights, (users[keep], items[keep])), shape=(n_users, n_items))
    return matrix.astype(np.float32)


def _recent(events: pl.DataFrame, items: np.ndarray, days: float) -> np.ndarray:
    """Each item's interactions in the last `days` days of `events`, over the largest count (float32, 0 to 1)."""
    if "ts" in events.columns and events.height:
        since = events["ts"].max() - timedelta(days=days)  # type: ignore[operator]
        events = events.filter(pl.col("ts") >= since)
    counts = events.group_by("item_id").len()
    column = np.searchsorted(items, counts["item_id"].to_numpy())
    recent = np.zeros(len(items), dtype=np.float32)
    np.add.at(recent, column, counts["len"].to_numpy().astype(np.float32))  # every item in `events` is in `items`
    return recent / max(float(recent.max(initial=0.0)), 1.0)


def _last_instants(events: pl.DataFrame, users: np.ndarray) -> tuple[np.ndarray, float]:
    """Each user's last instant (seconds since the epoch, in `users` order) and the data's last (0 without instants)."""
    if "ts" not in events.columns or not events.height:
        return np.zeros(len(users)), 0.0
    seconds = pl.col("ts").dt.epoch("us").cast(pl.Float64) * 1e-6
    last = events.group_by("user_id").agg(seconds.max().alias("_last"))
    ordered = pl.DataFrame({"user_id": users.tolist()}, schema={"user_id": pl.String}).join(
        last, on="user_id", how="left", maintain_order="left"
    )
    return ordered["_last"].fill_null(0.0).to_numpy().astype(np.float64), float(last["_last"].max())  # type: ignore[arg-type]
