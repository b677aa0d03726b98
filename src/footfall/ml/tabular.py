"""A classifier for one column of a table from the others (docs/ml.md#tabular): the car-evaluation task and kin.

Columns are typed once: numeric when every value parses as a number, categorical otherwise.
Candidates — `majority`, `logistic` (one-hot), `gbm` (HistGradientBoosting with native
categorical splits) and `random-forest` (ordinal codes) — are scored by stratified repeated k-fold
cross-validation (seeded); `tune` spends a fixed, seeded Optuna budget per candidate on a
separate 5-fold split. The report adds the chosen model's confusion matrix (out-of-fold) and
permutation importance, and the data's *ceiling*: the accuracy of the best possible rule that
sees exactly the given columns (the commonest label of each distinct combination of values).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from footfall.errors import InputError
from footfall.ml.threads import one_thread
from footfall.ml.tuning import DEFAULTS, tune

__all__ = ["CAR_COLUMNS", "TABULAR_MODELS", "TabularParams", "TabularResult", "read_table", "run_tabular"]

CAR_COLUMNS = ("buying", "maint", "doors", "persons", "lug_boot", "safety", "class")
TABULAR_MODELS = ("majority", "logistic", "gbm", "random-forest")


@dataclass(frozen=True, kw_only=True)
class TabularParams:
    """The target column, the feature columns (None: all others), and the cross-validation."""

    target: str
    columns: tuple[str, ...] | None = None
    tune: bool = False
    folds: int = 5
    repeats: int = 3
    seed: int = 0


@dataclass
class TabularResult:
    """Every candidate's cross-validated figures, the chosen one, and the analysis of it."""

    models: list[dict[str, Any]]
    best: str
    ceiling: float
    labels: list[str]
    confusion: list[list[int]]
    importance: list[dict[str, Any]]
    rows: int
    estimator: Any = None
    columns: list[str] = field(default_factory=list)


def read_table(path: Path, *, names: tuple[str, ...] | None = None) -> pl.DataFrame:
    """A CSV as text columns; without a header row, `names` (default: the car-evaluation layout when 7 columns)."""
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    try:
        head = pl.read_csv(path, has_header=False, n_rows=1, infer_schema=False)
        header = names is None and not (
            head.width == len(CAR_COLUMNS) and head.row(0)[-1] in ("unacc", "acc", "good", "vgood")
        )
        frame = pl.read_csv(path, has_header=header, infer_schema=False)
    except (pl.exceptions.PolarsError, OSError) as exc:
        raise InputError(f"{path}: cannot read it as CSV ({str(exc).splitlines()[0]})") from None
    if not header:
        given = names or (CAR_COLUMNS if frame.width == len(CAR_COLUMNS) else None)
        if given is None or len(given) != frame.width:
            raise InputError(f"{path}: line 1: no header and {frame.width} columns; give one name per column")
        frame.columns = list(given)
    if not frame.height:
        raise InputError(f"{path}: no rows")
    return frame


def run_tabular(frame: pl.DataFrame, params: TabularParams) -> TabularResult:
    """Cross-validate every candidate for `params.target`; analyse the best by mean accuracy."""
    with one_thread():
        return _run(frame, params)


def _run(frame: pl.DataFrame, params: TabularParams) -> TabularResult:
    from sklearn.model_selection import RepeatedStratifiedKFold

    X, y, columns, categorical = _design(frame, params)
    labels, codes = np.unique(y, return_inverse=True)
    if len(labels) < 2:
        raise InputError(f"target {params.target} has one value ({labels[0]}): nothing to predict")
    smallest = int(np.bincount(codes).min())
    if smallest < params.folds:
        raise InputError(f"target {params.target}: a class has {smallest} rows, fewer than folds={params.folds}")
    splits = list(
        RepeatedStratifiedKFold(n_splits=params.folds, n_repeats=params.repeats, random_state=params.seed).split(
            X, codes
        )
    )
    models = []
    for name in TABULAR_MODELS:
        recipe = _recipe(name, X, codes, categorical, params)
        models.append(_cross_validate(name, recipe, X, codes, categorical, splits, params.seed))
    baseline = next(m["cv_accuracy"] for m in models if m["model"] == "majority")
    for m in models:
        m["baseline_accuracy"] = baseline
    best = max(models, key=lambda m: (m["cv_accuracy"], -TABULAR_MODELS.index(m["model"])))
    from footfall.ml.tabular_analysis import analyse

    confusion, importance, estimator = analyse(best, X, codes, categorical, columns, splits, params)
    return TabularResult(
        models,
        best["model"],
        _ceiling(frame, columns, params.target),
        [str(v) for v in labels],
        confusion,
        importance,
        len(y),
        estimator,
        columns,
    )


def _design(frame: pl.DataFrame, params: TabularParams) -> tuple[np.ndarray, np.ndarray, list[str], list[bool]]:
    """Feature matrix (numbers, or category codes), target values, column names, which columns are categorical."""
    if params.target not in frame.columns:
        raise InputError(f"unknown target column {params.target!r}: the table has {', '.join(frame.columns)}")
    columns = list(params.columns) if params.columns else [c for c in frame.columns if c != params.target]
    unknown = [c for c in columns if c not in frame.columns or c == params.target]
    if unknown:
        raise InputError(f"bad columns {', '.join(unknown)}: use columns of the table other than the target")
    parts, categorical = [], []
    for c in columns:
        values = frame[c].str.strip_chars()
        numbers = values.cast(pl.Float64, strict=False)
        if numbers.null_count() == values.null_count():
            parts.append(numbers.fill_null(np.nan).to_numpy())
            categorical.append(False)
        else:
            parts.append(np.unique(values.fill_null("").to_numpy(), return_inverse=True)[1].astype(float))
            categorical.append(True)
    y = frame[params.target].cast(pl.String).fill_null("").to_numpy()
    return np.column_stack(parts), y, columns, categorical


def make_classifier(name: str, params: dict[str, Any], categorical: list[bool], seed: int) -> Any:
    """A fresh candidate; categorical columns one-hot (logistic), native (gbm) or as codes (random forest)."""
    from sklearn.compose import ColumnTransformer
    from sklearn.dummy import DummyClassifier
    from sklearn.ensemble import HistGradientBoostingClassifier, RandomForestClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    if name == "majority":
        return DummyClassifier(strategy="most_frequent")
    if name == "logistic":
        cats = [i for i, c in enumerate(categorical) if c]
        nums = [i for i, c in enumerate(categorical) if not c]
        encode = ColumnTransformer(
            [("cat", OneHotEncoder(handle_unknown="ignore"), cats), ("num", StandardScaler(), nums)]
        )
        return make_pipeline(encode, LogisticRegression(C=params.get("C", 1.0), max_iter=2000))
    if name == "gbm":
        keys = ("learning_rate", "max_iter", "max_leaf_nodes", "min_samples_leaf", "l2_regularization")
        return HistGradientBoostingClassifier(
            categorical_features=np.array(categorical),
            random_state=seed,
            early_stopping=False,
            **{k: params[k] for k in keys if k in params},
        )
    return RandomForestClassifier(random_state=seed, n_jobs=1, **params)


def _recipe(name: str, X: np.ndarray, y: np.ndarray, categorical: list[bool], params: TabularParams) -> dict[str, Any]:
    """Defaults (gbm's scaled to a small table), or the tuned parameters by 5-fold CV accuracy."""
    from sklearn.model_selection import StratifiedKFold, cross_val_score

    if name == "majority":
        return {}
    recipe = dict(DEFAULTS[name])
    if name == "gbm":  # small tables: more, smaller leaves than the customer-scale defaults
        recipe |= {"learning_rate": 0.1, "max_iter": 300, "min_samples_leaf": max(2, min(20, len(y) // 300))}
    if not params.tune:
        return recipe
    folds = StratifiedKFold(n_splits=params.folds, shuffle=True, random_state=params.seed + 1)

    def loss(p: dict[str, Any]) -> float:
        model = make_classifier(name, p, categorical, params.seed)
        return -float(cross_val_score(model, X, y, cv=folds, scoring="accuracy").mean())

    return tune(name, loss, seed=params.seed)


def _cross_validate(
    name: str,
    recipe: dict[str, Any],
    X: np.ndarray,
    y: np.ndarray,
    categorical: list[bool],
    splits: list[tuple[np.ndarray, np.ndarray]],
    seed: int,
) -> dict[str, Any]:
    """Mean and spread of accuracy and macro-F1 over the repeated folds, with a 95 % interval of the mean."""
    from sklearn.metrics import f1_score

    accuracy, f1, start = [], [], time.perf_counter()
    for fit_rows, test_rows in splits:
        model = make_classifier(name, recipe, categorical, seed).fit(X[fit_rows], y[fit_rows])
        predicted = model.predict(X[test_rows])
        accuracy.append(float((predicted == y[test_rows]).mean()))
        f1.append(float(f1_score(y[test_rows], predicted, average="macro", zero_division=0)))
    mean, std = float(np.mean(accuracy)), float(np.std(accuracy, ddof=1))
    half = 1.96 * std / np.sqrt(len(accuracy))
    return {
        "model": name,
        "cv_accuracy": mean,
        "cv_accuracy_std": std,
        "cv_accuracy_ci95": [mean - half, mean + half],
        "macro_f1": float(np.mean(f1)),
        "params": recipe,
        "train_seconds": (time.perf_counter() - start) / len(splits),
    }


def _ceiling(frame: pl.DataFrame, columns: list[str], target: str) -> float:
    """Accuracy of the best rule seeing only `columns`: the commonest target of each distinct combination."""
    counts = frame.group_by([*columns, target]).len()
    best = counts.group_by(columns).agg(pl.col("len").max())
    return float(best["len"].sum()) / frame.height
