"""Schedules: the membership inbox every hour (beside its sensor); the recommender and customer models nightly."""

from __future__ import annotations

from typing import TYPE_CHECKING

import dagster as dg

from footfall.orchestration.jobs import customer_models_job, members_job, retrain_job

if TYPE_CHECKING:  # what define_asset_job returns; dagster exports no public name for it
    from dagster._core.definitions.unresolved_asset_job_definition import UnresolvedAssetJobDefinition

__all__ = ["SCHEDULES"]


def _running_schedule(
    job: UnresolvedAssetJobDefinition, cron: str, name: str, description: str
) -> dg.ScheduleDefinition:
    """A schedule in UTC, on from the start (no one has to switch it on in the UI)."""
    return dg.ScheduleDefinition(
        name=name,
        job=job,
        cron_schedule=cron,
        execution_timezone="UTC",
        default_status=dg.DefaultScheduleStatus.RUNNING,
        description=description,
    )


SCHEDULES = [
    _running_schedule(
        members_job,
        "0 * * * *",
        "members_hourly",
        "Processes the membership inbox at the top of every hour (files the sensor missed included).",
    ),
    _running_schedule(
        retrain_job,
        "0 2 * * *",
        "retrain_nightly",
        "Retrains the recommender at 02:00 UTC and promotes the candidate only if it is not worse.",
    ),
    _running_schedule(
        customer_models_job,
        "0 3 * * *",
        "customer_models_nightly",
        "Retrains the customer segments and predictors at 03:00 UTC; each promoted only if not worse.",
    ),
]
