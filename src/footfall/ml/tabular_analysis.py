"""The chosen tabular model's analysis: out-of-fold confusion matrix and permutation importance with spread."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from footfall.ml.tabular import TabularParams

__all__ = ["analyse"]


def analyse(
    best: dict[str, Any],
    X: np.ndarray,
    y: np.ndarray,
    categorical: list[bool],
    columns: list[str],
    splits: list[tuple[np.ndarray, np.ndarray]],
    params: TabularParams,
) -> tuple[list[list[int]], list[dict[str, Any]], Any]:
    """(out-of-fold confusion matrix of the first repeat, permutation importance, the model fitted on all rows)."""
    from sklearn.inspection import permutation_importance
    from sklearn.metrics import confusion_matrix

    from footfall.ml.tabular import make_classifier

    predicted = np.full(len(y), -1)
    for fit_rows, test_rows in splits[: params.folds]:  # the first repeat covers every row once
        model = make_classifier(best["model"], best["params"], categorical, params.seed).fit(X[fit_rows], y[fit_rows])
        predicted[test_rows] = model.predict(X[test_rows])
    confusion = confusion_matrix(y, predicted, labels=np.arange(int(y.max()) + 1)).tolist()
    drops = np.zeros((len(columns), 0))
    for fit_rows, test_rows in splits[: params.folds]:
        model = make_classifier(best["model"], best["params"], categorical, params.seed).fit(X[fit_rows], y[fit_rows])
        found = permutation_importance(
            model, X[test_rows], y[test_rows], n_repeats=3, random_state=params.seed, scoring="accuracy"
        )
        drops = np.hstack([drops, found.importances])
    importance = [
        {"column": c, "accuracy_drop": float(drops[i].mean()), "std": float(drops[i].std(ddof=1))}
        for i, c in enumerate(columns)
    ]
    importance.sort(key=lambda r: -float(str(r["accuracy_drop"])))
    final = make_classifier(best["model"], best["params"], categorical, params.seed).fit(X, y)
    return confusion, importance, final
