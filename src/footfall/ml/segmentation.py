"""Which kinds of customers there are: segments from calibration-window features (docs/ml.md#segmentation).

Customers are described by four transformed, standardised features — log(1 + frequency),
log(1 + weeks since last purchase), log(1 + total spend) and log(1 + expected value: Pareto/NBD
expected purchases in the next `value_weeks` weeks × mean spend per purchase). Candidates are
k-means and a Gaussian mixture for k in `k_range`. `k = auto` keeps the candidates whose bootstrap
stability (mean adjusted Rand index of refits on resampled customers against the full fit) is at
least `min_stability` and whose silhouette is at least `min_silhouette`, and takes the largest
k among them (the most detailed segmentation that stays stable); ties go to the higher silhouette.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import polars as pl

from footfall.errors import InputError
from footfall.ml.btyd import fit_btyd
from footfall.ml.clustering import Clusterer, choose, matrix, stability
from footfall.ml.features import FeatureParams, customer_features, holdout_targets
from footfall.ml.profiles import eta_squared, profile_segments, rfm_cells
from footfall.ml.threads import one_thread

__all__ = ["METHODS", "SegmentParams", "Segmentation", "segment_customers", "segment_inputs"]

METHODS = ("kmeans", "gmm")
SEGMENT_FEATURES = ("frequency", "weeks_since_last", "total_spend", "expected_value")


@dataclass(frozen=True, kw_only=True)
class SegmentParams:
    """What to segment and how: `k` None means auto (see the module docstring)."""

    until: date
    k: int | None = None
    k_range: tuple[int, int] = (2, 8)
    methods: tuple[str, ...] = METHODS
    holdout_until: date | None = None
    value_weeks: float = 26.0
    min_stability: float = 0.8
    min_silhouette: float = 0.25
    search_rounds: int = 4
    stability_rounds: int = 20
    silhouette_sample: int = 3000
    seed: int = 0


@dataclass
class Segmentation:
    """The chosen segmentation: its figures, the segments' profiles, and every customer's segment."""

    method: str
    k: int
    silhouette: float
    stability_ari: float
    segments: list[dict[str, Any]]
    assignments: pl.DataFrame  # customer_id, segment, name, and the features
    candidates: list[dict[str, Any]]
    holdout_eta2: float | None = None
    rfm_baseline_eta2: float | None = None
    model: Any = None

    def to_json(self) -> dict[str, Any]:
        """The JSON keys of docs/ml.md#segmentation (the holdout pair only with a holdout)."""
        out: dict[str, Any] = {
            "method": self.method,
            "k": self.k,
            "silhouette": self.silhouette,
            "stability_ari": self.stability_ari,
            "segments": self.segments,
        }
        if self.holdout_eta2 is not None:
            out |= {"holdout_eta2": self.holdout_eta2, "rfm_baseline_eta2": self.rfm_baseline_eta2}
        return out


def segment_inputs(transactions: pl.DataFrame, params: SegmentParams) -> pl.DataFrame:
    """Calibration features plus the expected value the segmentation uses."""
    features = customer_features(transactions, until=params.until, params=FeatureParams())
    x, t_x, T = (features[c].to_numpy() for c in ("frequency", "recency", "T"))
    model = fit_btyd("pareto-nbd", x, t_x, T)
    expected = model.expected_purchases(params.value_weeks, x, t_x, T)
    return features.with_columns(expected_value=pl.Series(expected) * pl.col("monetary"))


def segment_customers(transactions: pl.DataFrame, params: SegmentParams) -> Segmentation:
    """Segment the customers with a purchase on or before `until`; with `holdout_until`, score against the holdout."""
    with one_thread():
        return _segment(transactions, params)


def _segment(transactions: pl.DataFrame, params: SegmentParams) -> Segmentation:

    low, high = params.k_range
    if params.k is not None and not 2 <= params.k <= 8:
        raise InputError(f"bad k {params.k}: give a number of segments from 2 to 8, or auto")
    if not 2 <= low <= high <= 8:
        raise InputError(f"bad k_range {params.k_range}: use bounds from 2 to 8")
    inputs = segment_inputs(transactions, params)
    if inputs.height < 50:
        raise InputError(f"only {inputs.height} customers on or before until {params.until}: segmentation needs 50")
    X = matrix(inputs, SEGMENT_FEATURES)
    ks = [params.k] if params.k is not None else list(range(low, high + 1))
    chosen, candidates = choose(X, ks, params)
    final: Clusterer = chosen
    labels = final.labels
    ari = stability(X, final, rounds=params.stability_rounds, seed=params.seed)
    assignments, segments = profile_segments(inputs, labels)
    result = Segmentation(final.method, final.k, final.silhouette, ari, segments, assignments, candidates, model=final)
    if params.holdout_until is not None:
        spend = _holdout_spend(transactions, inputs, params)
        result.holdout_eta2 = eta_squared(assignments["segment"].to_numpy(), spend)
        result.rfm_baseline_eta2 = eta_squared(rfm_cells(inputs), spend)
    return result


def _holdout_spend(transactions: pl.DataFrame, inputs: pl.DataFrame, params: SegmentParams) -> np.ndarray:
    """Each customer's spend in (until, holdout_until], 0 for none, in the order of `inputs`."""
    assert params.holdout_until is not None
    last = transactions.select(pl.col("ts").max().dt.date()).item()
    if params.holdout_until > last:
        raise InputError(f"holdout_until {params.holdout_until} is after the last transaction ({last})")
    spend = holdout_targets(transactions, after=params.until, until=params.holdout_until)
    joined = inputs.select("customer_id").join(spend, on="customer_id", how="left", maintain_order="left")
    return np.asarray(joined["spend"].fill_null(0.0).to_numpy())
