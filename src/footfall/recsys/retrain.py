"""Retraining: train and register a candidate, and evaluate it and the current model on the same data.

The comparison itself is `Registry.promote_if_better`; this module makes sure both sides have an
evaluation on the same protocol and data: the candidate's recipe (model and parameters) and the
current model's recipe are each evaluated leave-last-out on the candidate's interactions. The
CLI (`footfall recsys train`) and the orchestrator's retrain assets call the same functions.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from footfall.recsys.data import Interactions
from footfall.recsys.evaluate import evaluate_leave_last_out
from footfall.recsys.models import make_model
from footfall.recsys.registry import Registry, describe_interactions

__all__ = ["evaluate_current_on", "evaluate_recipe", "evaluate_version", "register_candidate", "train_candidate"]


def train_candidate(
    data: Interactions, *, model: str, registry: Registry, params: dict[str, Any] | None = None
) -> tuple[str, dict[str, Any]]:
    """Evaluate `model` (with `params`) leave-last-out on `data`, train it on all of it, register both."""
    about = describe_interactions(data.events, data.source)
    figures = evaluate_recipe(model, params, data, about=about)
    fitted = make_model(model, params).fit(data.events)
    return registry.register(fitted, figures, data.items), figures


def register_candidate(data: Interactions, *, model: str, registry: Registry) -> str:
    """Train `model` on all of `data` and register it, not yet evaluated (its evaluation names its data)."""
    fitted = make_model(model).fit(data.events)
    trained_on = {
        "model": fitted.name,
        "params": fitted.params,
        "data": describe_interactions(data.events, data.source),
    }
    return registry.register(fitted, trained_on, data.items)


def evaluate_version(
    registry: Registry, version: str, data: Interactions, *, about: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Evaluate `version`'s recipe on `data` (leave-last-out) unless stored already; store and return the figures.

    `about` is `describe_interactions(data)` when the caller has it (it hashes every interaction)."""
    about = about or describe_interactions(data.events, data.source)
    for stored in registry.evaluations(version):
        if stored.get("protocol") == "leave-last-out" and (stored.get("data") or {}).get("sha256") == about["sha256"]:
            return stored
    _, model, _ = registry.load(version)
    figures = evaluate_recipe(model.name, model.params, data, about=about)
    registry.add_evaluation(version, figures)
    return figures


def evaluate_current_on(
    registry: Registry, data: Interactions, *, about: dict[str, Any] | None = None
) -> dict[str, Any] | None:
    """The current model's recipe evaluated on `data` (computed once, then stored); None without a current model."""
    if not (registry.root / "current").is_file():
        return None
    return evaluate_version(registry, registry.current(), data, about=about)


def evaluate_recipe(
    model: str, params: dict[str, Any] | None, data: Interactions, *, about: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Leave-last-out figures of a fresh `model` with `params` on `data`, with what data it ran on and when."""
    figures = evaluate_leave_last_out(make_model(model, params), data.events)
    data_about = about or describe_interactions(data.events, data.source)
    return {**figures, "data": data_about, "evaluated_at": datetime.now(UTC).isoformat()}
