"""The model registry: versioned model artifacts with their evaluation, and a `current` pointer.

`ModelRegistry` is the mechanism for any kind of model — the recommender's (`Registry`, below)
and the customer models of `footfall.ml` (docs/ml.md#registry) — each kind in its own root, with
its own artifact file and loader. Layout: `<root>/versions/<version>/{<artifact>, evaluation.json,
<table>.parquet…}` (the recommender: `model.npz`, `items.parquet`) and
`<root>/current` (a file holding one version name). A version is written under a temp name and
renamed; promoting replaces `current` atomically, so a reader sees the old model or the new one,
never half of either. `versions/<version>/evaluations/<protocol>-<data>.json` holds further
evaluations of the version's recipe (model and parameters) on other data, so that a candidate can
be compared with the current model on the same data (`promote_if_better`).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Generic, Protocol, TypeVar

import polars as pl

from footfall.errors import InputError
from footfall.recsys.models import Model, load_model

__all__ = ["DEFAULT_METRIC", "Artifact", "ModelRegistry", "Promotion", "Registry", "describe_interactions"]

DEFAULT_METRIC = "ndcg@10"


@dataclass(frozen=True)
class Promotion:
    """A promotion decision: whether `version` became current, both figures, and why."""

    version: str
    promoted: bool
    reason: str
    metric: str
    candidate: float | None = None
    current: float | None = None
    current_version: str | None = None
    tolerance: float = 0.0

    def __str__(self) -> str:
        return f"{self.version} {'promoted' if self.promoted else 'not promoted'}: {self.reason}"


class Artifact(Protocol):
    """What the registry stores: a named model that writes itself to one file."""

    @property
    def name(self) -> str: ...

    def save(self, path: Path) -> None: ...


A = TypeVar("A", bound=Artifact)


class ModelRegistry(Generic[A]):
    """Versioned models of one kind under `root`: `artifact` is the model's file name, `loader` reads it back."""

    def __init__(
        self, root: Path, *, loader: Callable[[Path], A], artifact: str = "model.npz", train_hint: str = ""
    ) -> None:
        self.root = root
        self.loader = loader
        self.artifact = artifact
        self.train_hint = train_hint or "footfall recsys train --promote; docs/recsys.md"  # how to get a current one

    def store(self, model: A, evaluation: dict[str, Any], *, tables: dict[str, pl.DataFrame] | None = None) -> str:
        """Store a trained model with its evaluation and tables (`<name>.parquet`); returns the new version's name."""
        version = f"{datetime.now(UTC):%Y%m%dT%H%M%S%fZ}-{model.name}"
        folder = self.root / "versions" / version
        tmp = folder.with_name(f".{version}.tmp")
        tmp.mkdir(parents=True)
        try:
            model.save(tmp / self.artifact)
            (tmp / "evaluation.json").write_text(json.dumps(evaluation, indent=1))
            for name, table in (tables or {}).items():
                table.write_parquet(tmp / f"{name}.parquet")
            tmp.replace(folder)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        return version

    def load_artifact(self, version: str = "current") -> tuple[str, A]:
        """(version, model) of `version` (`current` follows the pointer)."""
        name = self.current() if version == "current" else version
        folder = self.root / "versions" / name
        if not folder.is_dir():
            raise InputError(f"{self.root}: no model version {name!r}")
        return name, self.loader(folder / self.artifact)

    def table(self, version: str, name: str) -> pl.DataFrame:
        """A table stored with `version`."""
        return pl.read_parquet(self.root / "versions" / version / f"{name}.parquet")

    def promote(self, version: str) -> None:
        """Make `version` the current model (an atomic replace of the pointer)."""
        if not (self.root / "versions" / version / self.artifact).is_file():
            raise InputError(f"{self.root}: no model version {version!r}")
        tmp = self.root / f".current.{os.getpid()}.tmp"
        tmp.write_text(version)
        tmp.replace(self.root / "current")

    def promote_if_better(
        self,
        version: str,
        *,
        metric: str = DEFAULT_METRIC,
        tolerance: float = 0.0,
        force: bool = False,
        lower_is_better: bool = False,
    ) -> Promotion:
        """Promote `version` unless its `metric` is more than `tolerance` (relative) worse than the current model's
        (below it; above it when `lower_is_better`, as for a loss).

        Both figures must come from the same protocol on the same data (`describe_interactions`):
        the candidate's and the current's stored evaluations are searched for such a pair, and
        without one nothing is promoted (evaluate the current recipe on the candidate's data with
        `add_evaluation`). The first model is always promoted; `force` promotes in any case.
        """
        if not 0.0 <= tolerance < 1.0:
            raise InputError(f"bad promotion tolerance {tolerance}: give a relative drop from 0 to below 1")
        if not (self.root / "versions" / version).is_dir():
            raise InputError(f"{self.root}: no model version {version!r}")
        current = self.current() if (self.root / "current").is_file() else None
        candidates = [e for e in self.evaluations(version) if e.get(metric) is not None]
        pair = _comparable(candidates, self.evaluations(current) if current else [], metric)
        decision = Promotion(
            version,
            False,
            "",
            metric,
            candidate=float(pair[0][metric]) if pair else float(candidates[-1][metric]) if candidates else None,
            current=float(pair[1][metric]) if pair else None,
            current_version=current,
            tolerance=tolerance,
        )
        if force:
            return self._promoted(decision, "forced")
        if current is None:
            return self._promoted(decision, "the first model is always promoted")
        if current == version:
            return replace(decision, reason="it is the current model already")
        if decision.candidate is None:
            return replace(decision, reason=f"it has no {metric} evaluation")
        if decision.current is None:
            return replace(
                decision,
                reason=f"not comparable: the current model {current} has no {metric} evaluation on the same "
                f"protocol and data as the candidate ({_about(candidates[-1])})",
            )
        return self._judged(decision, lower_is_better=lower_is_better)

    def _judged(self, decision: Promotion, *, lower_is_better: bool) -> Promotion:
        """Promote a comparable candidate within the tolerance of the current model's figure."""
        assert decision.candidate is not None and decision.current is not None
        tolerance, figures = (
            decision.tolerance,
            f"{decision.metric} {decision.candidate:.4f} vs current {decision.current:.4f}",
        )
        if lower_is_better:
            ceiling = decision.current * (1.0 + tolerance)
            if decision.candidate <= ceiling:
                return self._promoted(decision, f"{figures}: within the tolerance ({tolerance:.1%} rise allowed)")
            return replace(decision, reason=f"{figures}: above {ceiling:.4f} (tolerance {tolerance:.1%} rise)")
        floor = decision.current * (1.0 - tolerance)
        if decision.candidate >= floor:
            return self._promoted(decision, f"{figures}: within the tolerance ({tolerance:.1%} drop allowed)")
        return replace(decision, reason=f"{figures}: below {floor:.4f} (tolerance {tolerance:.1%} drop)")

    def _promoted(self, decision: Promotion, reason: str) -> Promotion:
        self.promote(decision.version)
        return replace(decision, promoted=True, reason=reason)

    def add_evaluation(self, version: str, evaluation: dict[str, Any]) -> None:
        """Store a further evaluation of `version`'s recipe (it names its `protocol` and `data`)."""
        folder = self.root / "versions" / version
        if not folder.is_dir():
            raise InputError(f"{self.root}: no model version {version!r}")
        if "protocol" not in evaluation or "sha256" not in evaluation.get("data", {}):
            raise InputError("an evaluation to store needs its protocol and its data (describe_interactions)")
        (folder / "evaluations").mkdir(exist_ok=True)
        name = f"{evaluation['protocol']}-{evaluation['data']['sha256'][:16]}.json"
        tmp = folder / "evaluations" / f".{name}.{os.getpid()}.tmp"
        tmp.write_text(json.dumps(evaluation, indent=1))
        tmp.replace(folder / "evaluations" / name)

    def evaluations(self, version: str) -> list[dict[str, Any]]:
        """Every evaluation stored with `version`: the one it was registered with first, then the others."""
        folder = self.root / "versions" / version
        extra = sorted((folder / "evaluations").glob("*.json")) if (folder / "evaluations").is_dir() else []
        return [self.evaluation(version), *(json.loads(p.read_text()) for p in extra)]

    def current(self) -> str:
        """The current version's name, or a one-line error when nothing was promoted."""
        pointer = self.root / "current"
        if not pointer.is_file():
            stored = len(self.versions())
            held = f" (it holds {stored} version{'s' if stored != 1 else ''}, none promoted)" if stored else ""
            raise InputError(f"{self.root}: no current model{held}; train and promote one first ({self.train_hint})")
        return pointer.read_text().strip()

    def versions(self) -> list[str]:
        """All stored versions, oldest first."""
        folder = self.root / "versions"
        return sorted(p.name for p in folder.iterdir() if not p.name.startswith(".")) if folder.is_dir() else []

    def evaluation(self, version: str) -> dict[str, Any]:
        """The evaluation figures stored with `version`."""
        result: dict[str, Any] = json.loads((self.root / "versions" / version / "evaluation.json").read_text())
        return result


class Registry(ModelRegistry[Model]):
    """The recommender's registry: `model.npz` and the items' titles (`items.parquet`) per version."""

    def __init__(self, root: Path) -> None:
        super().__init__(root, loader=load_model, artifact="model.npz")

    def register(self, model: Model, evaluation: dict[str, Any], items: pl.DataFrame | None = None) -> str:
        """Store a trained model with its evaluation and item titles; returns the new version's name."""
        titles = items if items is not None else pl.DataFrame(schema={"item_id": pl.String, "title": pl.String})
        return self.store(model, evaluation, tables={"items": titles})

    def load(self, version: str = "current") -> tuple[str, Model, pl.DataFrame]:
        """(version, model, item titles) of `version` (`current` follows the pointer)."""
        name, model = self.load_artifact(version)
        return name, model, self.table(name, "items")


def describe_interactions(events: pl.DataFrame, source: str) -> dict[str, Any]:
    """What an evaluation ran on: the source's name, sizes, and a SHA-256 of the interactions in order."""
    ordered = events.select("user_id", "item_id", "ts", "seq").sort("ts", "seq", "user_id", "item_id")
    digest = hashlib.sha256(ordered.write_csv(include_header=False).encode()).hexdigest()
    return {
        "source": source,
        "interactions": events.height,
        "users": events["user_id"].n_unique(),
        "items": events["item_id"].n_unique(),
        "sha256": digest,
    }


def _comparable(
    mine: list[dict[str, Any]], theirs: list[dict[str, Any]], metric: str
) -> tuple[dict[str, Any], dict[str, Any]] | None:
    """The latest (candidate, current) pair of evaluations on the same protocol and data."""
    for a in reversed(mine):
        for b in reversed(theirs):
            same = a.get("protocol") == b.get("protocol") and _data(a) is not None and _data(a) == _data(b)
            if same and b.get(metric) is not None:
                return a, b
    return None


def _data(evaluation: dict[str, Any]) -> str | None:
    data = evaluation.get("data")
    return data.get("sha256") if isinstance(data, dict) else None


def _about(evaluation: dict[str, Any]) -> str:
    data = evaluation.get("data") or {}
    return (
        f"protocol {evaluation.get('protocol', '?')}, data {data.get('source', '?')} "
        f"sha256 {str(data.get('sha256', '?'))[:12]}"
    )
