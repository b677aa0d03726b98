"""The evaluation protocol: leave-last-out by time, full ranking over the items a user has not seen.

For every user with at least two interactions, the last one (by instant; ties: the later line
in the file) is held out; the model is trained on everything else. HR@10 is the share of users
whose held-out item is in their top 10; NDCG@10 gives it 1/log2(rank + 1) at 1-based rank;
coverage@10 is the share of items that appear in anyone's top 10. The 95 % intervals are
normal approximations over users.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import polars as pl

from footfall.recsys.models import Model, top_n

__all__ = ["evaluate_leave_last_out", "leave_last_out"]


def leave_last_out(events: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(train, test): each user's last interaction (by ts, then seq) held out if they have two or more."""
    ordered = events.sort("user_id", "ts", "seq")
    last = pl.int_range(pl.len()).over("user_id") == pl.len().over("user_id") - 1
    eligible = pl.len().over("user_id") >= 2
    return ordered.filter(~(last & eligible)), ordered.filter(last & eligible)


def evaluate_leave_last_out(model: Model, events: pl.DataFrame, *, k: int = 10, batch: int = 1024) -> dict[str, Any]:
    """Fit `model` on the training part and score the held-out items (HR@k, NDCG@k, coverage@k)."""
    train, test = leave_last_out(events)
    model.fit(train)
    known_item = pl.col("item_id").is_in(model.items.tolist())
    missed = test.filter(~known_item).height  # a held-out item no one saw in training cannot be ranked: a miss
    test = test.filter(known_item)
    rows = np.searchsorted(model.users, test["user_id"].to_numpy())
    targets = np.searchsorted(model.items, test["item_id"].to_numpy())
    hits, gains, shown = [], [], np.zeros(len(model.items), dtype=bool)
    for start in range(0, len(rows), batch):
        r, t = rows[start : start + batch], targets[start : start + batch]
        scores = model.score_users(r)
        seen = model.seen[r]
        scores[seen.nonzero()] = -np.inf
        for i in range(len(r)):
            top = top_n(scores[i], k)
            shown[top] = True
            where = np.flatnonzero(top == t[i])
            hits.append(1.0 if where.size else 0.0)
            gains.append(1.0 / np.log2(where[0] + 2) if where.size else 0.0)
    hr, ndcg = np.array(hits + [0.0] * missed), np.array(gains + [0.0] * missed)
    return {
        "model": model.name,
        "protocol": "leave-last-out",
        f"hr@{k}": float(hr.mean()) if hr.size else None,
        f"hr@{k}_ci95": _ci(hr),
        f"ndcg@{k}": float(ndcg.mean()) if ndcg.size else None,
        f"ndcg@{k}_ci95": _ci(ndcg),
        "recall@20": None,
        "ndcg@20": None,
        f"coverage@{k}": float(shown.mean()) if shown.size else None,
        "users": int(hr.size),
        "train_seconds": round(model.train_seconds, 3),
        "params": model.params,
    }


def _ci(values: np.ndarray) -> float | None:
    """Half-width of the normal-approximation 95 % interval of the mean."""
    if values.size < 2:
        return None
    return float(1.96 * values.std(ddof=1) / np.sqrt(values.size))
