"""Interactions → candidate model → its evaluation → the promoted model the API serves.

The decision is the recommender's own (`Registry.promote_if_better`): the candidate and the
current model's recipe are evaluated leave-last-out on the same interactions, and the candidate
becomes current unless its NDCG@10 drops by more than FOOTFALL_PROMOTE_TOLERANCE. `footfall serve`
follows the registry's `current` pointer, so a promotion reaches the running API without restart.
"""

from pathlib import Path

import dagster as dg
import polars as pl
from dagster import AssetExecutionContext

from footfall.orchestration.assets._inputs import external_input
from footfall.orchestration.assets.http_logs import http_sessions
from footfall.orchestration.resources import DataDirResource, ModelRegistryResource, WarehouseResource
from footfall.recsys.data import Interactions
from footfall.recsys.registry import DEFAULT_METRIC, describe_interactions
from footfall.recsys.retrain import evaluate_current_on, evaluate_version, register_candidate
from footfall.recsys.sources import interactions_from

__all__ = ["ASSETS", "GROUP", "CandidateConfig"]

GROUP = "recommender"

movielens_ratings = external_input(
    "movielens_ratings",
    GROUP,
    "file",
    "MovieLens files (FOOTFALL_MOVIELENS); when set, the retrain reads them instead of the warehouse.",
)


class CandidateConfig(dg.Config):
    """Which model the retrain trains (`default` is the product's default model)."""

    model: str = "default"


@dg.asset(deps=[http_sessions, movielens_ratings], group_name=GROUP, kinds={"polars", "parquet"})
def recsys_interactions(data: DataDirResource, warehouse: WarehouseResource) -> dg.MaterializeResult[None]:
    """The interactions snapshot the retrain uses (`recsys/interactions.parquet`, `recsys/items.parquet`)."""
    movielens = Path(data.movielens) if data.movielens else None
    with warehouse.open() as wh:
        found = interactions_from(movielens=movielens, warehouse=wh)
    if not found.events.height:
        raise dg.Failure("no interactions to train on: load HTTP logs with rewards issued, or set FOOTFALL_MOVIELENS")
    found.events.write_parquet(data.output("recsys", "interactions.parquet"))
    found.items.write_parquet(data.output("recsys", "items.parquet"))
    about = describe_interactions(found.events, found.source)
    (data.root / "recsys" / "source.txt").write_text(found.source)
    return dg.MaterializeResult(
        metadata={"dagster/row_count": found.events.height, **{k: v for k, v in about.items() if k != "interactions"}}
    )


@dg.asset(deps=[recsys_interactions], group_name=GROUP, kinds={"scipy"})
def candidate_model(
    context: AssetExecutionContext,
    config: CandidateConfig,
    data: DataDirResource,
    model_registry: ModelRegistryResource,
) -> dg.Output[str]:
    """A model trained on all interactions and stored in the registry as a new version (not yet current)."""
    version = register_candidate(_snapshot(data), model=config.model, registry=model_registry.registry())
    context.log.info(f"registered {version}")
    return dg.Output(version, metadata={"version": version, "model": config.model})


@dg.asset(group_name=GROUP, kinds={"numpy"})
def model_evaluation(
    context: AssetExecutionContext, candidate_model: str, data: DataDirResource, model_registry: ModelRegistryResource
) -> dg.Output[str]:
    """The candidate's recipe and the current model's, evaluated leave-last-out on the same interactions."""
    registry, snapshot = model_registry.registry(), _snapshot(data)
    about = describe_interactions(snapshot.events, snapshot.source)
    figures = evaluate_version(registry, candidate_model, snapshot, about=about)
    current = evaluate_current_on(registry, snapshot, about=about)
    metadata = {
        f"candidate {DEFAULT_METRIC}": figures[DEFAULT_METRIC],
        "candidate hr@10": figures["hr@10"],
        "users": figures["users"],
    }
    if current is not None:
        metadata[f"current {DEFAULT_METRIC}"] = current[DEFAULT_METRIC]
    context.log.info(f"{candidate_model}: {DEFAULT_METRIC} {figures[DEFAULT_METRIC]:.4f}")
    return dg.Output(candidate_model, metadata=metadata)


@dg.asset(group_name=GROUP, kinds={"file"})
def promoted_model(
    context: AssetExecutionContext, model_evaluation: str, model_registry: ModelRegistryResource
) -> dg.MaterializeResult[None]:
    """The registry's `current` model: the candidate when it is not worse than the tolerance allows."""
    registry = model_registry.registry()
    decision = registry.promote_if_better(model_evaluation, tolerance=model_registry.promote_tolerance)
    context.log.info(str(decision))
    return dg.MaterializeResult(
        metadata={
            "current": registry.current(),
            "candidate": decision.version,
            "promoted": decision.promoted,
            "reason": decision.reason,
            f"candidate {decision.metric}": decision.candidate,
            f"previous {decision.metric}": decision.current,
            "previous": decision.current_version or "(none)",
            "tolerance": decision.tolerance,
        }
    )


def _snapshot(data: DataDirResource) -> Interactions:
    """The interactions `recsys_interactions` wrote."""
    folder = data.root / "recsys"
    source = (folder / "source.txt").read_text() if (folder / "source.txt").is_file() else "interactions"
    return Interactions(
        pl.read_parquet(folder / "interactions.parquet"), pl.read_parquet(folder / "items.parquet"), source
    )


ASSETS: list[dg.AssetsDefinition | dg.AssetSpec] = [
    movielens_ratings,
    recsys_interactions,
    candidate_model,
    model_evaluation,
    promoted_model,
]
