"""Jobs: one per pipeline (what sensors and schedules launch) and one for the whole graph."""

import dagster as dg

from footfall.orchestration.assets import customers, http_logs, members, recommender, rewards, shop

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

http_logs_job = dg.define_asset_job(
    "http_logs_job", dg.AssetSelection.groups(http_logs.GROUP), description="Archive and sessionize new access logs."
)
shop_job = dg.define_asset_job(
    "shop_job", dg.AssetSelection.groups(shop.GROUP), description="Sessionize new shop events; refresh order metrics."
)
rewards_job = dg.define_asset_job(
    "rewards_job",
    dg.AssetSelection.groups(rewards.GROUP),
    description="Load rewards exports; refresh the weekly report.",
)
members_job = dg.define_asset_job(
    "members_job", dg.AssetSelection.groups(members.GROUP), description="Process the membership inbox."
)
retrain_job = dg.define_asset_job(
    "retrain_job",
    dg.AssetSelection.groups(recommender.GROUP),
    description="Train a candidate recommender, evaluate it beside the current one, promote it if not worse.",
)
customer_models_job = dg.define_asset_job(
    "customer_models_job",
    dg.AssetSelection.groups(customers.GROUP),
    description="Read the warehouse's transactions; retrain segments and predictors; promote them if not worse.",
)
everything_job = dg.define_asset_job("everything_job", dg.AssetSelection.all(), description="The whole asset graph.")

JOBS = [http_logs_job, shop_job, rewards_job, members_job, retrain_job, customer_models_job, everything_job]
