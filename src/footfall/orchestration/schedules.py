"""Schedules: the membership inbox every hour (beside its sensor); the recommender and customer models nightly."""

import dagster as dg

from footfall.orchestration.jobs import customer_models_job, members_job, retrain_job

__all__ = ["SCHEDULES"]

members_hourly = dg.ScheduleDefinition(
    name="members_hourly",
    job=members_job,
    cron_schedule="0 * * * *",
    execution_timezone="UTC",
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Processes the membership inbox at the top of every hour (files the sensor missed included).",
)
retrain_nightly = dg.ScheduleDefinition(
    name="retrain_nightly",
    job=retrain_job,
    cron_schedule="0 2 * * *",
    execution_timezone="UTC",
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Retrains the recommender at 02:00 UTC and promotes the candidate only if it is not worse.",
)

customer_models_nightly = dg.ScheduleDefinition(
    name="customer_models_nightly",
    job=customer_models_job,
    cron_schedule="0 3 * * *",
    execution_timezone="UTC",
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Retrains the customer segments and predictors at 03:00 UTC; each promoted only if not worse.",
)

SCHEDULES = [members_hourly, retrain_nightly, customer_models_nightly]
