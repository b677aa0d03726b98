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


def temporal_split(events: pl.DataFrame, *, test_share: float = 0.2) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(train, test) at one global instant: the last `test_share` of interactions (by ts, then seq) are test.

    Only warm users are tested: their test interactions with items seen in training; items a
    user already had in training are not counted again.
    """
    ordered = events.sort("ts", "seq")
    cut = round(ordered.height * (1 - test_share))
    train, later = ordered.head(cut), ordered.slice(cut)
    test = later.join(train.select("user_id").unique(), on="user_id", how="semi")
    test = test.join(train.select("item_id").unique(), on="item_id", how="semi")
    test = test.join(train.select("user_id", "item_id").unique(), on=["user_id", "item_id"], how="anti")
    return train, test.unique(["user_id", "item_id"], keep="first", maintain_order=True)


def evaluate_temporal(model: Model, events: pl.DataFrame, *, k: int = 20, batch: int = 1024) -> dict[str, Any]:
    """Fit on the earlier 80 % and score warm users' later items: Recall@k (hits / min(k, items)), NDCG@k."""
    train, test = temporal_split(events)
    model.fit(train)
    wanted = test.group_by("user_id", maintain_order=True).agg("item_id")
    rows = np.searchsorted(model.users, wanted["user_id"].to_numpy())
    recalls, ndcgs = [], []
    discounts = 1.0 / np.log2(np.arange(2, k + 2))
    for start in range(0, len(rows), batch):
        r = rows[start : start + batch]
        scores = model.score_users(r)
        scores[model.seen[r].nonzero()] = -np.inf
        for i, items in enumerate(wanted["item_id"][start : start + batch].to_list()):
            relevant = set(np.searchsorted(model.items, items).tolist())
            top = top_n(scores[i], k)
            gains = np.array([1.0 if t in relevant else 0.0 for t in top.tolist()])
            ideal = discounts[: min(k, len(relevant))].sum()
            recalls.append(gains.sum() / min(k, len(relevant)))
            ndcgs.append(float((gains * discounts[: len(gains)]).sum() / ideal))
    recall, ndcg = np.array(recalls), np.array(ndcgs)
    return {
        "model": model.name,
        "protocol": "temporal",
        "hr@10": None,
        "ndcg@10": None,
        f"recall@{k}": float(recall.mean()) if recall.size else None,
        f"recall@{k}_ci95": _ci(recall),
        f"ndcg@{k}": float(ndcg.mean()) if ndcg.size else None,
        f"ndcg@{k}_ci95": _ci(ndcg),
        "coverage@10": None,
        "users": int(recall.size),
        "train_seconds": round(model.train_seconds, 3),
        "params": model.params,
    }
