"""Jobs: one per pipeline (what sensors and schedules launch) and one for the whole graph."""

from __future__ import annotations

from typing import TYPE_CHECKING

import dagster as dg

from footfall.orchestration.assets import customers, http_logs, members, recommender, rewards, shop

if TYPE_CHECKING:  # what define_asset_job returns; dagster exports no public name for it
    from dagster._core.definitions.unresolved_asset_job_definition import UnresolvedAssetJobDefinition

__all__ = [
    "JOBS",
    "customer_models_job",
    "everything_job",
    "http_logs_job",
    "members_job",
    "retrain_job",
    "rewards_job",
    "shop_job",
]


def _pipeline_job(name: str, group: str, description: str) -> UnresolvedAssetJobDefinition:
    """The job that materializes one pipeline's asset group."""
    return dg.define_asset_job(name, dg.AssetSelection.groups(group), description=description)


http_logs_job = _pipeline_job("http_logs_job", http_logs.GROUP, "Archive and sessionize new access logs.")
shop_job = _pipeline_job("shop_job", shop.GROUP, "Sessionize new shop events; refresh order metrics.")
rewards_job = _pipeline_job("rewards_job", rewards.GROUP, "Load rewards exports; refresh the weekly report.")
members_job = _pipeline_job("members_job", members.GROUP, "Process the membership inbox.")
retrain_job = _pipeline_job(
    "retrain_job",
    recommender.GROUP,
    "Train a candidate recommender, evaluate it beside the current one, promote it if not worse.",
)
customer_models_job = _pipeline_job(
    "customer_models_job",
    customers.GROUP,
    "Read the warehouse's transactions; retrain segments and predictors; promote them if not worse.",
)
everything_job = dg.define_asset_job("everything_job", dg.AssetSelection.all(), description="The whole asset graph.")

JOBS = [http_logs_job, shop_job, rewards_job, members_job, retrain_job, customer_models_job, everything_job]
