"""Hyper-parameter search: a small grid per model, scored on a validation split cut from the training part.

The validation split is the protocol's own split applied to its training part (leave-last-out:
each user's second-to-last interaction; temporal: the last 20 % of the first 80 %; next-session:
each user's second-to-last session), so the held-out test interactions are never seen while
choosing parameters. Seeds are fixed in the models' parameters, so a search is repeatable.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import polars as pl

from footfall.errors import InputError
from footfall.recsys.evaluate import evaluate_leave_last_out, evaluate_temporal, leave_last_out, temporal_split
from footfall.recsys.models import DEFAULT_MODEL, Model, make_model
from footfall.recsys.next_session import evaluate_next_session, next_session_split

__all__ = ["GRIDS", "PROTOCOLS", "Tuning", "tune", "tuned_model"]

GRIDS: dict[str, dict[str, list[Any]]] = {
    "popularity": {},
    "item-knn": {"k": [50, 100, 200], "shrink": [0.0, 10.0, 50.0]},
    "ease": {"l2": [100.0, 250.0, 500.0, 1000.0]},
    "recency-ease": {"l2": [250.0, 500.0, 1000.0], "tau": [60.0, 600.0, 3600.0], "floor": [0.01, 0.1]},
    "sequence-ease": {
        "l2": [1000.0],
        "tau": [60.0, 600.0],
        "floor": [0.01, 0.1],
        "beta": [0.5, 1.0],
        "window": [5, 10],
        "pop": [0.0, 0.1, 0.3, 1.0],
    },
    "sequence-rank": {"floor": [0.01, 0.1], "beta": [0.5, 1.0]},  # its stage 1's two most telling; a trial is a fit
    "als": {"factors": [32, 64, 128], "regularization": [0.01, 0.1], "alpha": [0.5, 1.0, 5.0, 20.0]},
}

_PROTOCOLS: dict[str, tuple[Callable[..., tuple[pl.DataFrame, pl.DataFrame]], Callable[..., dict[str, Any]], str]] = {
    "leave-last-out": (leave_last_out, evaluate_leave_last_out, "ndcg@10"),
    "temporal": (temporal_split, evaluate_temporal, "ndcg@20"),
    "next-session": (next_session_split, evaluate_next_session, "ndcg@10"),
}
PROTOCOLS = tuple(_PROTOCOLS)


@dataclass(frozen=True)
class Tuning:
    """The chosen parameters, their validation score, and every trial `(params, score)` in grid order."""

    params: dict[str, Any]
    metric: str
    score: float
    trials: list[tuple[dict[str, Any], float]]


def tune(name: str, events: pl.DataFrame, *, protocol: str = "leave-last-out") -> Tuning:
    """Grid-search `name`'s parameters on the validation split inside `protocol`'s training part."""
    if protocol not in _PROTOCOLS:
        raise InputError(f"bad protocol {protocol!r}: use {', '.join(_PROTOCOLS)}")
    split, evaluate, metric = _PROTOCOLS[protocol]
    train, _ = split(events)
    key = DEFAULT_MODEL if name == "default" else name
    grid = GRIDS.get(key, {})
    trials = []
    for values in itertools.product(*grid.values()):
        params = dict(zip(grid, values, strict=True))
        figures = evaluate(make_model(key, params), train)
        trials.append((params, float(figures[metric] or 0.0)))
    best_params, best = max(trials, key=lambda trial: trial[1])  # the first of equals: grid order
    return Tuning(best_params, metric, best, trials)


def tuned_model(name: str, events: pl.DataFrame, *, protocol: str = "leave-last-out") -> tuple[Model, Tuning]:
    """A new model `name` with the parameters `tune` chose (not yet fitted)."""
    tuning = tune(name, events, protocol=protocol)
    return make_model(name, tuning.params), tuning
