"""Warehouse transactions → customer segments and the returns / purchases predictors, retrained and promoted.

The same library steps as `footfall ml segment|predict --warehouse … --promote`: the candidate is
registered and becomes current unless its figure is worse than the current version's on the same
data and split (docs/ml.md#registry). The holdout is the last `horizon_days` of the data (shortened
to fit shorter data); with too little data an asset reports why it skipped instead of failing.
"""

from datetime import timedelta
from pathlib import Path
from typing import Any

import dagster as dg
import polars as pl
from dagster import AssetExecutionContext

from footfall.errors import InputError
from footfall.ml.pipeline import register_prediction, register_segmentation
from footfall.ml.prediction import PredictParams, run_prediction
from footfall.ml.registry import Registration
from footfall.ml.segmentation import SegmentParams, segment_customers
from footfall.ml.transactions import Transactions
from footfall.ml.warehouse_data import read_warehouse_transactions
from footfall.orchestration.assets.http_logs import http_sessions
from footfall.orchestration.assets.shop import shop_sessions
from footfall.orchestration.resources import DataDirResource, ModelRegistryResource, WarehouseResource

__all__ = ["ASSETS", "GROUP", "PredictorConfig"]

GROUP = "customer_models"


class PredictorConfig(dg.Config):
    """The holdout length of the nightly retrain, in days (the prediction horizon served), and whom it scores:
    the customers with a purchase in the `active_days` up to each cut-off (None: every customer)."""

    horizon_days: int = 91
    active_days: int | None = 365
    tune: bool = False


@dg.asset(deps=[http_sessions, shop_sessions], group_name=GROUP, kinds={"polars", "parquet"})
def customer_transactions(data: DataDirResource, warehouse: WarehouseResource) -> dg.MaterializeResult[None]:
    """Cleansed warehouse transactions (`ml/transactions.parquet`), rejects counted by reason (`ml/rejects.parquet`)."""
    try:
        with warehouse.open() as wh:
            found = read_warehouse_transactions(wh)
    except InputError as exc:
        found = None
        reason = str(exc)
    if found is None:
        for name in ("transactions", "rejects"):
            data.output("ml", f"{name}.parquet").unlink(missing_ok=True)
        return dg.MaterializeResult(metadata={"dagster/row_count": 0, "skipped": reason})
    found.frame.write_parquet(data.output("ml", "transactions.parquet"))
    found.rejects.write_parquet(data.output("ml", "rejects.parquet"))
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": found.frame.height,
            "rows_read": found.read,
            "rows_rejected": found.rejects.height,
            **{f"rejected {k}": v for k, v in found.reject_counts().items()},
        }
    )


@dg.asset(deps=[customer_transactions], group_name=GROUP, kinds={"sklearn"})
def customer_segments(
    context: AssetExecutionContext, data: DataDirResource, model_registry: ModelRegistryResource
) -> dg.MaterializeResult[None]:
    """Segments at the last day of data, registered; promoted unless their silhouette is worse."""
    snapshot = _snapshot(data)
    if snapshot is None:
        return dg.MaterializeResult(metadata={"skipped": "no transactions"})
    params = SegmentParams(until=snapshot.frame["ts"].max().date())  # type: ignore[union-attr]
    try:
        result = segment_customers(snapshot.frame, params)
    except InputError as exc:
        return dg.MaterializeResult(metadata={"skipped": str(exc)})
    version, decision = register_segmentation(result, snapshot, params, _promoting(model_registry))
    context.log.info(f"{version}: {decision}")
    return dg.MaterializeResult(
        metadata={
            "version": version,
            "k": result.k,
            "method": result.method,
            "silhouette": result.silhouette,
            "stability_ari": result.stability_ari,
            "promoted": bool(decision and decision.promoted),
            "reason": decision.reason if decision else "",
        }
    )


@dg.asset(deps=[customer_transactions], group_name=GROUP, kinds={"sklearn", "optuna"})
def customer_predictors(
    context: AssetExecutionContext,
    config: PredictorConfig,
    data: DataDirResource,
    model_registry: ModelRegistryResource,
) -> dg.MaterializeResult[None]:
    """The returns and purchases predictors on the last `horizon_days` as holdout, registered and gated."""
    snapshot = _snapshot(data)
    if snapshot is None:
        return dg.MaterializeResult(metadata={"skipped": "no transactions"})
    first, last = snapshot.frame["ts"].min().date(), snapshot.frame["ts"].max().date()  # type: ignore[union-attr]
    horizon = min(config.horizon_days, ((last - first).days - 28) // 2)
    if horizon < 7:
        return dg.MaterializeResult(metadata={"skipped": f"data from {first} to {last} is too short for a holdout"})
    params = PredictParams(
        calibration_end=last - timedelta(days=horizon),
        holdout_end=last,
        tune=config.tune,
        active_days=config.active_days,
    )
    try:
        run = run_prediction(snapshot.frame, params=params)
    except InputError as exc:
        return dg.MaterializeResult(metadata={"skipped": str(exc)})
    decisions = register_prediction(run, snapshot, params, _promoting(model_registry))
    metadata: dict[str, Any] = {"horizon_days": horizon, **{f"best {t}": m for t, m in run.best.items()}}
    for (version, decision), target in zip(decisions, run.best, strict=True):
        context.log.info(f"{target}: {version}: {decision}")
        metadata[f"{target} version"] = version
        metadata[f"{target} promoted"] = bool(decision and decision.promoted)
    return dg.MaterializeResult(metadata=metadata)


def _promoting(model_registry: ModelRegistryResource) -> Registration:
    """Register in the resource's registry and promote unless worse by more than its tolerance."""
    return Registration(models_root=Path(model_registry.root), promote=True, tolerance=model_registry.promote_tolerance)


def _snapshot(data: DataDirResource) -> Transactions | None:
    path = data.root / "ml" / "transactions.parquet"
    if not path.is_file():
        return None
    rejects = data.root / "ml" / "rejects.parquet"
    return Transactions(pl.read_parquet(path), pl.read_parquet(rejects), "warehouse")


ASSETS: list[dg.AssetsDefinition | dg.AssetSpec] = [customer_transactions, customer_segments, customer_predictors]
