"""All the wiring in one place: assets, checks, jobs, schedules, sensors, and the resources of a deployment.

`defs` uses the settings of the process (FOOTFALL_* variables): `FOOTFALL_DEPLOYMENT=local` (the
default) runs steps one at a time in one process, as a DuckDB file takes one writer;
`production` gives each step its own process (PostgreSQL takes many).
"""

import dagster as dg

from footfall.config import Settings, get_settings
from footfall.orchestration.assets import ASSETS, CHECKS
from footfall.orchestration.jobs import JOBS
from footfall.orchestration.resources import resources_for
from footfall.orchestration.schedules import SCHEDULES
from footfall.orchestration.sensors import SENSORS

__all__ = ["build_definitions", "defs"]


def build_definitions(settings: Settings) -> dg.Definitions:
    """The Definitions for `settings` (tests build them over a temp data dir)."""
    executor = dg.in_process_executor if settings.deployment == "local" else dg.multiprocess_executor
    return dg.Definitions(
        assets=ASSETS,
        asset_checks=CHECKS,
        jobs=JOBS,
        schedules=SCHEDULES,
        sensors=SENSORS,
        resources=resources_for(settings),
        executor=executor,
    )


defs = build_definitions(get_settings())
