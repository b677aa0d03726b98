"""Optuna search spaces and the seeded, fixed-budget search over them (docs/ml.md#prediction).

The budget is a number of trials per candidate, fixed and seeded (TPE sampler, `seed`), so a
search is repeatable and its cost known. Scores come from the caller's cross-validation (lower
is better), which never sees the holdout.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

__all__ = ["BUDGET", "DEFAULTS", "tune"]

DEFAULTS: dict[str, dict[str, Any]] = {
    "logistic": {"C": 1.0},
    "poisson": {"alpha": 1e-4},
    "gbm": {
        "learning_rate": 0.05,
        "max_iter": 200,
        "max_leaf_nodes": 15,
        "min_samples_leaf": 100,
        "l2_regularization": 1.0,
    },
    "gbm-median": {
        "learning_rate": 0.05,
        "max_iter": 200,
        "max_leaf_nodes": 15,
        "min_samples_leaf": 100,
        "l2_regularization": 1.0,
    },
    "random-forest": {"n_estimators": 200, "max_features": 0.5, "min_samples_leaf": 1},
}
BUDGET = {"logistic": 4, "poisson": 4, "gbm": 6, "gbm-median": 4, "random-forest": 6}


def _space(name: str, trial: Any) -> dict[str, Any]:
    """The parameters a trial proposes for candidate `name`."""
    if name == "logistic":
        return {"C": trial.suggest_float("C", 1e-3, 100.0, log=True)}
    if name == "poisson":
        return {"alpha": trial.suggest_float("alpha", 1e-6, 1.0, log=True)}
    if name == "random-forest":
        return {
            "n_estimators": trial.suggest_int("n_estimators", 100, 400, step=50),
            "max_features": trial.suggest_float("max_features", 0.2, 1.0),
            "min_samples_leaf": trial.suggest_int("min_samples_leaf", 1, 10),
        }
    return {
        "learning_rate": trial.suggest_float("learning_rate", 0.02, 0.3, log=True),
        "max_iter": trial.suggest_int("max_iter", 50, 300, step=25),
        "max_leaf_nodes": trial.suggest_int("max_leaf_nodes", 4, 31),
        "min_samples_leaf": trial.suggest_int("min_samples_leaf", 5, 300, log=True),
        "l2_regularization": trial.suggest_float("l2_regularization", 1e-3, 10.0, log=True),
    }


def tune(
    name: str, score: Callable[[dict[str, Any]], float], *, seed: int = 0, trials: int | None = None
) -> dict[str, Any]:
    """The parameters of `name` with the lowest `score` among the defaults and `trials` seeded TPE proposals."""
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.create_study(direction="minimize", sampler=optuna.samplers.TPESampler(seed=seed))
    study.enqueue_trial(DEFAULTS[name])
    study.optimize(lambda trial: score(_space(name, trial)), n_trials=trials or BUDGET[name])
    return {**DEFAULTS[name], **study.best_params}
