"""The steps every surface (CLI, Dagster, benchmark) shares: read a source, register and promote results."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import polars as pl

from footfall.errors import InputError
from footfall.ml.artifacts import SkopsArtifact
from footfall.ml.prediction import PredictionRun, PredictParams, score_recipe
from footfall.ml.registry import FAMILIES, Registration, describe_data, register_and_promote
from footfall.ml.segmentation import Segmentation, SegmentParams, segment_customers
from footfall.ml.tabular import TabularResult
from footfall.ml.transactions import Transactions
from footfall.recsys.registry import Promotion
from footfall.warehouse import Warehouse

__all__ = [
    "Registration",
    "TransactionSource",
    "load_source",
    "register_prediction",
    "register_segmentation",
    "register_tabular",
    "train_from_warehouse",
]

Engagement = Callable[[date], pl.DataFrame]


@dataclass(frozen=True, kw_only=True)
class TransactionSource:
    """Exactly one of: CDNOW (`cdnow`), a file (`file`, with an optional `customers` list) or a warehouse URL."""

    cdnow: bool = False
    file: Path | None = None
    warehouse: str | None = None
    customers: Path | None = None


def load_source(source: TransactionSource) -> tuple[Transactions, Engagement | None]:
    """The source's cleansed transactions, and for the warehouse its engagement features up to a day."""
    from footfall.ml.sources import read_cdnow, read_customers_file, read_transactions_file

    given = [
        n for n, v in (("cdnow", source.cdnow), ("transactions", source.file), ("warehouse", source.warehouse)) if v
    ]
    if len(given) != 1:
        raise InputError(f"give exactly one source (cdnow, transactions or warehouse), not {len(given)}")
    if source.cdnow:
        return read_cdnow(), None
    if source.file is not None:
        known = read_customers_file(source.customers) if source.customers else None
        return read_transactions_file(source.file, customers=known), None
    from footfall.ml.features import end_of
    from footfall.ml.warehouse_data import read_engagement, read_warehouse_transactions
    from footfall.warehouse import connect

    url = str(source.warehouse)
    with connect(url) as wh:
        data = read_warehouse_transactions(wh)

    def engagement(day: date) -> pl.DataFrame:
        with connect(url) as wh:
            return read_engagement(wh, until=end_of(day))

    return data, engagement


def register_prediction(
    run: PredictionRun,
    data: Transactions,
    params: PredictParams,
    to: Registration,
    *,
    engagement: Engagement | None = None,
) -> list[tuple[str, Promotion | None]]:
    """Store each target's chosen predictor (with its holdout figures) and promote it unless worse."""
    population = {} if params.active_days is None else {"active_days": params.active_days}
    about = describe_data(
        data.frame, data.source, calibration_end=params.calibration_end, holdout_end=params.holdout_end, **population
    )
    results = []
    for target, name in run.best.items():
        score = next(m for m in run.models if m.target == target and m.model == name)
        metric = FAMILIES[target][0]
        evaluation = {
            "protocol": "calibration-holdout",
            "data": about,
            "target": target,
            "model": name,
            "params": score.params,
            "calibration": run.calibration if target == "returns" else [],
            "horizon_weeks": params.horizon.days / 7.0,
            metric: getattr(score, metric),
            **{k: getattr(score, k) for k in ("auroc", "log_loss", "brier", "accuracy", "mae", "rmse")},
        }

        def rescore(model: str, recipe: dict[str, object], target: str = target, metric: str = metric) -> float:
            found = score_recipe(
                data.frame, params=params, target=target, model=model, recipe=dict(recipe), engagement=engagement
            )
            return float(getattr(found, metric))

        results.append(
            register_and_promote(
                target,
                run.predictors[target],
                evaluation,
                to,
                rescore=rescore,
            )
        )
    return results


def register_segmentation(
    result: Segmentation,
    data: Transactions,
    params: SegmentParams,
    to: Registration,
) -> tuple[str, Promotion | None]:
    """Store the segmentation with every customer's segment; promote it unless its silhouette is worse."""
    about = describe_data(data.frame, data.source, until=params.until)
    evaluation = {
        "protocol": "segments",
        "data": about,
        **result.to_json(),
        "model": f"{result.method}",
        "params": {"method": result.method, "k": result.k},
    }
    artifact = SkopsArtifact(f"{result.method}-{result.k}", {"segments": result.segments}, result.model.estimator)

    def rescore(model: str, recipe: dict[str, object]) -> float:
        k = recipe.get("k")
        again = segment_customers(data.frame, SegmentParams(until=params.until, k=int(str(k)), methods=(model,)))
        return again.silhouette

    return register_and_promote(
        "segments",
        artifact,
        evaluation,
        to,
        tables={"assignments": result.assignments},
        rescore=rescore,
    )


def register_tabular(
    result: TabularResult,
    table: pl.DataFrame,
    source: str,
    target: str,
    to: Registration,
) -> tuple[str, Promotion | None]:
    """Store the chosen tabular classifier (refitted on all rows) with its cross-validated figures."""
    best = next(m for m in result.models if m["model"] == result.best)
    about = describe_data(table, source, target=target, columns=",".join(result.columns))
    evaluation = {
        "protocol": "tabular-cv",
        "data": about,
        "model": result.best,
        "params": best["params"],
        "cv_accuracy": best["cv_accuracy"],
        "macro_f1": best["macro_f1"],
        "ceiling": result.ceiling,
    }
    meta = {"target": target, "columns": result.columns, "labels": result.labels}
    artifact = SkopsArtifact(result.best, meta, result.estimator)
    return register_and_promote("tabular", artifact, evaluation, to)


def train_from_warehouse(
    wh: Warehouse, *, models_root: Path, horizon_days: int = 45, active_days: int | None = 365
) -> list[str]:
    """Segment and predict on the warehouse's transactions (holdout: the last `horizon_days`; scored: the
    customers with a purchase in the `active_days` up to each cut-off), promote if not worse; one line per
    step saying what happened (a step the data is too short for says so)."""
    from datetime import timedelta

    from footfall.ml.features import end_of
    from footfall.ml.prediction import run_prediction
    from footfall.ml.warehouse_data import read_engagement, read_warehouse_transactions

    data = read_warehouse_transactions(wh)
    first, last = data.frame["ts"].min().date(), data.frame["ts"].max().date()  # type: ignore[union-attr]
    lines = []
    promoting = Registration(models_root=models_root, promote=True)
    seg_params = SegmentParams(until=last)
    segmentation = segment_customers(data.frame, seg_params)
    _, decision = register_segmentation(segmentation, data, seg_params, promoting)
    lines.append(f"segments: {segmentation.method}, k={segmentation.k} → {decision}")
    horizon = min(horizon_days, ((last - first).days - 28) // 2)
    if horizon < 7:
        return [*lines, f"predictions: skipped, data from {first} to {last} is too short for a holdout"]
    params = PredictParams(
        calibration_end=last - timedelta(days=horizon), holdout_end=last, bootstrap_rounds=0, active_days=active_days
    )

    def engagement(day: date) -> pl.DataFrame:
        return read_engagement(wh, until=end_of(day))

    try:
        run = run_prediction(data.frame, params=params, engagement=engagement)
    except InputError as exc:
        return [*lines, f"predictions: skipped, {exc}"]
    for (_, decision), target in zip(
        register_prediction(run, data, params, promoting, engagement=engagement),
        run.best,
        strict=True,
    ):
        lines.append(f"{target}: {run.best[target]} → {decision}")
    return lines
