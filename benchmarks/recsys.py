"""Recommender benchmark: quality on MovieLens 100K and speed on an ML-1M-size matrix.

Usage: .venv/bin/python -m benchmarks.recsys [--ml100k ../shared/data/ml-100k] [--sasrec]
Quality: every model with parameters chosen by a grid search on a validation split of the
training part; leave-last-out (ties: file order; HR@10, NDCG@10 with 95 % bootstrap intervals) and a
global temporal 80/20 split (warm users; Recall@20, NDCG@20); full ranking over unseen items;
`als` is the `implicit` library's ALS. Then the next-session protocol (each user's last session
held out; Recall@20, NDCG@10, bootstrap intervals), both protocols by the gap before the held-out
interaction, paired differences, and the SASRec peer (`benchmarks.recsys_sequence`).
Speed: training time and the time to rank all items for every user (top 10) on a generated
matrix of ML-1M's size (6,040 users, 3,706 items, 1,000,209 interactions), BLAS on 1 thread
for scoring as the server will run.
"""

from __future__ import annotations

import argparse
import http.client
import json
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import polars as pl
from threadpoolctl import threadpool_limits

from benchmarks._common import table
from benchmarks.recsys_sequence import interval, sequential_report
from footfall.api.process import serve_in_background
from footfall.recsys.data import read_movielens
from footfall.recsys.evaluate import evaluate_temporal, leave_last_out_by_user
from footfall.recsys.models import DEFAULT_MODEL, MODELS, make_model, top_n
from footfall.recsys.registry import Registry
from footfall.recsys.tuning import tuned_model
from footfall.warehouse import connect


def ml1m_size(seed: int = 0) -> pl.DataFrame:
    """1,000,209 distinct (user, item) pairs over 6,040 × 3,706 , heavy-tailed users and items, over a year."""
    rng = np.random.default_rng(seed)
    users, items, target = 6_040, 3_706, 1_000_209
    user_p = rng.pareto(1.2, users) + 1
    item_p = rng.pareto(1.0, items) + 1
    pairs: set[tuple[int, int]] = set()
    while len(pairs) < target:
        n = (target - len(pairs)) * 2
        us = rng.choice(users, n, p=user_p / user_p.sum())
        its = rng.choice(items, n, p=item_p / item_p.sum())
        pairs.update(zip(us.tolist(), its.tolist(), strict=True))
    chosen = sorted(pairs)[:target]
    t = datetime(2000, 1, 1, tzinfo=UTC)
    spread = rng.integers(0, 365 * 86_400, len(chosen)) * 1_000_000  # instants over a year, in microseconds
    return pl.DataFrame(
        {
            "user_id": [str(u) for u, _ in chosen],
            "item_id": [str(i) for _, i in chosen],
            "weight": 1.0,
            "ts": pl.Series([t] * len(chosen)) + pl.Series(spread).cast(pl.Duration("us")),
            "seq": list(range(len(chosen))),
        }
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--ml100k", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "data" / "ml-100k"
    )
    parser.add_argument(
        "--sasrec", action="store_true", help="train the SASRec peer on both protocols (needs torch; 20-40 min)"
    )
    args = parser.parse_args()
    if args.ml100k.is_dir():
        events = read_movielens(args.ml100k).events
        report, last = quality(events)
        print(report, flush=True)
        print()
        print(sequential_report(events, last, sasrec=args.sasrec), flush=True)
    else:
        print(f"{args.ml100k}: absent; quality table skipped")
    events = ml1m_size()
    import lightgbm  # noqa: F401  (sequence-rank's; a process imports it once, ~2 s, not part of any fit)

    rows = []
    for name in MODELS:
        model = make_model(name).fit(events)
        start = time.perf_counter()
        with threadpool_limits(1, "blas"):
            for first in range(0, len(model.users), 512):
                block = np.arange(first, min(first + 512, len(model.users)))
                scores = model.score_users(block)
                scores[model.seen[block].nonzero()] = -np.inf
                for row in scores:
                    top_n(row, 10)
        rows.append([name, round(model.train_seconds, 2), round(time.perf_counter() - start, 2)])
    print()
    print(table("ML-1M size (6,040 x 3,706, 1,000,209 interactions)", ["model", "train s", "all-user top-10 s"], rows))
    print()
    print(serving_latency(events, [DEFAULT_MODEL, "sequence-ease"]))


def quality(events: pl.DataFrame) -> tuple[str, dict[str, tuple[dict[str, object], pl.DataFrame]]]:
    """Every model, tuned on a validation split, on both protocols; the default against the targets; per-user
    leave-last-out figures (for the gap groups and the paired differences)."""
    rows, hr10, ndcg10, ndcg20, last = [], {}, {}, {}, {}
    for name in MODELS:
        model, tuning = tuned_model(name, events, protocol="leave-last-out")
        users, coverage = leave_last_out_by_user(model, events)
        later = evaluate_temporal(tuned_model(name, events, protocol="temporal")[0], events)
        hr, ndcg = users["hr@10"].to_numpy(), users["ndcg@10"].to_numpy()
        hr10[name], ndcg10[name], ndcg20[name], last[name] = (
            hr.mean(),
            ndcg.mean(),
            later["ndcg@20"],
            (model.params, users),
        )
        rows.append(
            [
                name + (" (implicit)" if name == "als" else "") + (" = default" if name == DEFAULT_MODEL else ""),
                f"{hr.mean():.4f} [{interval(hr)}]",
                f"{ndcg.mean():.4f} [{interval(ndcg)}]",
                round(coverage or 0.0, 3),
                f"{later['recall@20']:.4f} ± {later['recall@20_ci95']:.3f}",
                f"{later['ndcg@20']:.4f} ± {later['ndcg@20_ci95']:.3f}",
                round(model.train_seconds, 3),
                json.dumps(tuning.params),
            ]
        )
    header = ["model", "HR@10", "NDCG@10", "cover@10", "temporal R@20", "temporal NDCG@20", "train s", "tuned (LLO)"]
    title = (
        f"ML-100K: leave-last-out ({len(hr)} users; ties by file order; 95 % bootstrap intervals) and temporal "
        f"80/20 ({later['users']} warm users); full ranking; parameters from a validation split of the training part"
    )
    best = max((n for n in ndcg20 if n != DEFAULT_MODEL), key=ndcg20.__getitem__)
    verdict = (
        f"default: NDCG@10 {ndcg10[DEFAULT_MODEL]:.4f}, HR@10 {hr10[DEFAULT_MODEL]:.4f} "
        "(targets 0.136 and 0.24: 1.15x the best SASRec of issue 23); "
        f"{ndcg10[DEFAULT_MODEL] / ndcg10['als']:.2f}x ALS; temporal NDCG@20 "
        f"{ndcg20[DEFAULT_MODEL]:.4f} vs the best other model {ndcg20[best]:.4f} ({best})"
    )
    return table(title, header, rows) + "\n" + verdict, last


def serving_latency(events: pl.DataFrame, names: list[str], requests: int = 1000) -> str:
    """p50/p99 of `GET /recommendations/{user}?n=10` from a real `footfall serve` over loopback (keep-alive)."""
    return table(
        "GET /recommendations/{user}?n=10, ML-1M size, loopback",
        ["model", "n", "p50 ms", "p99 ms"],
        [_latency(events, name, requests) for name in names],
    )


def _latency(events: pl.DataFrame, name: str, requests: int) -> list[object]:
    """One model served as the current version: [name, requests, p50 ms, p99 ms]."""
    with tempfile.TemporaryDirectory() as tmp:
        store = Registry(Path(tmp) / "models")
        model = make_model(name).fit(events)
        store.promote(store.register(model, {}))
        users = np.random.default_rng(0).choice(model.users, requests)
        connect(f"duckdb:///{tmp}/w.duckdb").close()  # the server only reads: the warehouse must exist
        with serve_in_background(f"duckdb:///{tmp}/w.duckdb", env={"FOOTFALL_DATA_DIR": tmp}) as base:
            host, port = base.removeprefix("http://").split(":")
            con = http.client.HTTPConnection(host, int(port))
            timings = []
            for i, user in enumerate(["warm-up"] * 20 + users.tolist()):
                start = time.perf_counter()
                con.request("GET", f"/recommendations/{user}?n=10")
                body = con.getresponse().read()
                if i >= 20:
                    timings.append((time.perf_counter() - start) * 1000)
            assert json.loads(body)["items"], body
    ms = np.array(timings)
    return [model.name, len(ms), round(float(np.percentile(ms, 50)), 2), round(float(np.percentile(ms, 99)), 2)]


if __name__ == "__main__":
    main()
