"""The customer models in the model registry: one root per family, the recommender's promotion gate.

Families (docs/ml.md#registry): `returns` and `purchases` (the chosen predictor of each target;
gate: holdout log-loss / MAE, lower is better), `segments` (the segmentation and every customer's
segment; gate: silhouette) and `tabular` (gate: cross-validated accuracy). A candidate is promoted
unless its figure is worse than the current version's *on the same data and split*: each
evaluation names its data by SHA-256 of the transactions (or table) with the split, and the
current recipe is re-scored on the candidate's data when it has no such figure yet.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from footfall.errors import InputError
from footfall.ml.artifacts import SkopsArtifact, load_artifact
from footfall.ml.models import Predictor, load_predictor
from footfall.recsys.registry import ModelRegistry, Promotion

__all__ = ["FAMILIES", "Registration", "describe_data", "ml_registry", "register_and_promote"]

# family → (gate metric, lower is better)
FAMILIES: dict[str, tuple[str, bool]] = {
    "returns": ("log_loss", True),
    "purchases": ("mae", True),
    "segments": ("silhouette", False),
    "tabular": ("cv_accuracy", False),
}


@dataclass(frozen=True, kw_only=True)
class Registration:
    """Where a result is stored (`models_root`, the recommender's registry root) and whether it may become
    current: `promote` unless worse than the current version by more than `tolerance`, `force` regardless."""

    models_root: Path
    promote: bool = False
    force: bool = False
    tolerance: float = 0.0


def ml_registry(family: str, *, models_root: Path) -> ModelRegistry[Any]:
    """The registry of `family` under `models_root/ml/<family>` (models_root: the recommender's registry root)."""
    if family not in FAMILIES:
        raise InputError(f"unknown model family {family!r}: use {', '.join(FAMILIES)}")
    loader: Callable[[Path], Predictor | SkopsArtifact] = (
        load_predictor if family in ("returns", "purchases") else load_artifact
    )
    return ModelRegistry(
        models_root / "ml" / family, loader=loader, artifact="model.skops", train_hint="docs/ml.md#registry"
    )


def describe_data(frame: pl.DataFrame, source: str, **split: object) -> dict[str, Any]:
    """What an evaluation ran on: the source, rows, the split, and a SHA-256 of the rows in order and the split."""
    ordered = frame.sort(frame.columns)
    digest = hashlib.sha256(ordered.write_csv(include_header=True).encode())
    digest.update(repr(sorted((k, str(v)) for k, v in split.items())).encode())
    return {
        "source": source,
        "rows": frame.height,
        **{k: str(v) for k, v in split.items()},
        "sha256": digest.hexdigest(),
    }


def register_and_promote(
    family: str,
    artifact: Predictor | SkopsArtifact,
    evaluation: dict[str, Any],
    to: Registration,
    *,
    tables: dict[str, pl.DataFrame] | None = None,
    rescore: Callable[[str, dict[str, Any]], float] | None = None,
) -> tuple[str, Promotion | None]:
    """Store `artifact` as a new version; as `to` says, make it current unless worse than the current one.

    `rescore(model, params)` gives the current recipe's figure on the candidate's data and split when
    the current version has no evaluation there yet."""
    metric, lower = FAMILIES[family]
    registry = ml_registry(family, models_root=to.models_root)
    version = registry.store(artifact, evaluation, tables=tables)
    if not (to.promote or to.force):
        return version, None
    if (registry.root / "current").is_file() and rescore is not None:
        current = registry.current()
        same = [
            e
            for e in registry.evaluations(current)
            if (e.get("data") or {}).get("sha256") == evaluation["data"]["sha256"]
        ]
        if not same:
            stored = registry.evaluation(current)
            figure = rescore(str(stored.get("model")), dict(stored.get("params") or {}))
            registry.add_evaluation(
                current,
                {
                    "protocol": evaluation["protocol"],
                    "data": evaluation["data"],
                    "model": stored.get("model"),
                    metric: figure,
                },
            )
    decision = registry.promote_if_better(
        version, metric=metric, tolerance=to.tolerance, force=to.force, lower_is_better=lower
    )
    return version, decision
