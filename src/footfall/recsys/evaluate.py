"""The evaluation protocol: leave-last-out by time, full ranking over the items a user has not seen.

For every user with at least two interactions, the last one (by instant; ties: the later line
in the file) is held out; the model is trained on everything else. HR@10 is the share of users
whose held-out item is in their top 10; NDCG@10 gives it 1/log2(rank + 1) at 1-based rank;
coverage@10 is the share of items that appear in anyone's top 10. The 95 % intervals are
normal approximations over users. `by_gap` splits the figures by the time between the held-out
interaction and the user's previous one (`GAP_GROUPS`): on MovieLens, many held-out items share
their second with training items (one rating page), which is a different question from "what
next visit". The next-session protocol (`next_session`) asks that one. Models are asked at the
held-out interaction's instant (`at`, the time of the request; the temporal protocol: at the cut).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import polars as pl

from footfall.recsys.models import Model, top_n

__all__ = [
    "GAP_GROUPS",
    "bootstrap",
    "by_gap",
    "evaluate_leave_last_out",
    "evaluate_temporal",
    "leave_last_out",
    "leave_last_out_by_user",
    "ranked",
    "temporal_split",
]


def leave_last_out(events: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(train, test): each user's last interaction (by ts, then seq) held out if they have two or more."""
    ordered = events.sort("user_id", "ts", "seq")
    last = pl.int_range(pl.len()).over("user_id") == pl.len().over("user_id") - 1
    eligible = pl.len().over("user_id") >= 2
    return ordered.filter(~(last & eligible)), ordered.filter(last & eligible)


def evaluate_leave_last_out(model: Model, events: pl.DataFrame, *, k: int = 10, batch: int = 1024) -> dict[str, Any]:
    """Fit `model` on the training part and score the held-out items (HR@k, NDCG@k, coverage@k, by gap)."""
    users, coverage = leave_last_out_by_user(model, events, k=k, batch=batch)
    hr, ndcg = users[f"hr@{k}"].to_numpy(), users[f"ndcg@{k}"].to_numpy()
    return {
        "model": model.name,
        "protocol": "leave-last-out",
        f"hr@{k}": float(hr.mean()) if hr.size else None,
        f"hr@{k}_ci95": _ci(hr),
        f"ndcg@{k}": float(ndcg.mean()) if ndcg.size else None,
        f"ndcg@{k}_ci95": _ci(ndcg),
        "recall@20": None,
        "ndcg@20": None,
        f"coverage@{k}": coverage,
        "users": int(hr.size),
        "by_gap": by_gap(users, [f"hr@{k}", f"ndcg@{k}"]),
        "train_seconds": round(model.train_seconds, 3),
        "params": model.params,
    }


def leave_last_out_by_user(
    model: Model, events: pl.DataFrame, *, k: int = 10, batch: int = 1024
) -> tuple[pl.DataFrame, float | None]:
    """Per held-out user `user_id, gap_seconds, hr@k, ndcg@k` (gap: from the user's previous interaction), and
    coverage@k. A held-out item no one saw in training cannot be ranked: a miss."""
    train, test = leave_last_out(events)
    model.fit(train)
    previous = train.group_by("user_id").agg(pl.col("ts").max().alias("_before"))
    test = test.join(previous, on="user_id", how="left").with_columns(
        gap_seconds=(pl.col("ts") - pl.col("_before")).dt.total_microseconds() * 1e-6
    )
    rows = np.searchsorted(model.items, test["item_id"].to_numpy())
    known = (rows < len(model.items)) & (
        model.items[np.minimum(rows, len(model.items) - 1)] == test["item_id"].to_numpy()
    )
    hits, gains = np.zeros(test.height), np.zeros(test.height)
    shown = np.zeros(len(model.items), dtype=bool)
    index = np.flatnonzero(known)
    asked = _seconds(test["ts"])[index]  # the request comes when the held-out interaction does
    tops = ranked(model, test["user_id"].to_numpy()[index], k, at=asked, batch=batch)
    for position, top in zip(index, tops, strict=True):
        shown[top] = True
        where = np.flatnonzero(top == rows[position])
        hits[position] = 1.0 if where.size else 0.0
        gains[position] = 1.0 / np.log2(where[0] + 2) if where.size else 0.0
    figures = test.select("user_id", "gap_seconds").with_columns(
        pl.Series(f"hr@{k}", hits), pl.Series(f"ndcg@{k}", gains)
    )
    return figures, float(shown.mean()) if shown.size else None


def ranked(
    model: Model, user_ids: np.ndarray, k: int, *, at: np.ndarray | None = None, batch: int = 1024
) -> Iterator[np.ndarray]:
    """Each user's top `k` item columns among the items they have not seen (users known to the fitted model),
    asked at `at` (each user's request instant, seconds since the epoch; None: the training data's end)."""
    rows = np.searchsorted(model.users, user_ids)
    for start in range(0, len(rows), batch):
        r = rows[start : start + batch]
        scores = model.score_users(r, None if at is None else at[start : start + batch])
        scores[model.seen[r].nonzero()] = -np.inf
        for row in scores:
            yield top_n(row, k)


GAP_GROUPS = ((60.0, "<1 min"), (3600.0, "1 min-1 h"), (86_400.0, "1 h-1 day"), (float("inf"), ">1 day"))


def by_gap(users: pl.DataFrame, metrics: list[str]) -> dict[str, dict[str, float | int]]:
    """Each metric's mean per group of the gap before the held-out interaction (`GAP_GROUPS`), with user counts."""
    groups: dict[str, dict[str, float | int]] = {}
    gaps = users["gap_seconds"].fill_null(float("inf")).to_numpy()
    lower = 0.0
    for upper, label in GAP_GROUPS:
        inside = (gaps >= lower) & (gaps < upper)
        lower = upper
        if inside.any():
            groups[label] = {"users": int(inside.sum())} | {
                m: float(users[m].to_numpy()[inside].mean()) for m in metrics
            }
    return groups


def _seconds(instants: pl.Series) -> np.ndarray:
    """Instants as seconds since the epoch (float64)."""
    return instants.dt.epoch("us").cast(pl.Float64).to_numpy() * 1e-6


def bootstrap(values: np.ndarray, *, resamples: int = 1000, seed: int = 0) -> tuple[float, float] | None:
    """The 95 % percentile bootstrap interval of the mean over users (resampled with a fixed seed)."""
    if values.size < 2:
        return None
    draws = np.random.default_rng(seed).integers(0, values.size, size=(resamples, values.size))
    means = values[draws].mean(axis=1)
    return float(np.percentile(means, 2.5)), float(np.percentile(means, 97.5))


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
