"""Sensors on the inbox folders: a new or changed file launches one run of that pipeline's job.

The cursor maps each file in the folder to its size and modification time, so a file seen
before (unchanged) launches nothing, and a tick with several new files launches one run for all
of them (the pipelines read every new file in one go). Files that leave the folder (the
membership inbox moves processed files to its archive) drop out of the cursor.
"""

import hashlib
import json

import dagster as dg
from dagster import SensorEvaluationContext

from footfall.orchestration.jobs import http_logs_job, members_job, rewards_job, shop_job
from footfall.orchestration.resources import DataDirResource

__all__ = ["SENSORS", "new_files_sensor"]

INTERVAL_SECONDS = 30


def new_files_sensor(name: str, folder: str, job: str) -> dg.SensorDefinition:
    """A sensor launching `job` when `inbox/<folder>` has a file not seen before (or changed since)."""

    @dg.sensor(
        name=name,
        job_name=job,
        minimum_interval_seconds=INTERVAL_SECONDS,
        default_status=dg.DefaultSensorStatus.RUNNING,
        description=f"Launches {job} when a new or changed file lands in FOOTFALL_DATA_DIR/inbox/{folder}.",
    )
    def _sensor(context: SensorEvaluationContext, data: DataDirResource) -> dg.SensorResult:
        seen: dict[str, str] = json.loads(context.cursor) if context.cursor else {}
        present = {}
        for path in data.files(folder):
            stat = path.stat()
            present[path.name] = f"{stat.st_size}:{stat.st_mtime_ns}"
        new = {name: mark for name, mark in sorted(present.items()) if seen.get(name) != mark}
        cursor = json.dumps(present, sort_keys=True)
        if not new:
            return dg.SensorResult(skip_reason=f"no new files in {data.inbox(folder)}", cursor=cursor)
        key = hashlib.sha256(json.dumps(new, sort_keys=True).encode()).hexdigest()[:16]
        files = ", ".join(new)
        request = dg.RunRequest(run_key=f"{folder}-{key}", tags={"footfall/new_files": files[:200]})
        return dg.SensorResult(run_requests=[request], cursor=cursor)

    return _sensor


SENSORS = [
    new_files_sensor("http_logs_sensor", "logs", http_logs_job.name),
    new_files_sensor("shop_events_sensor", "shop", shop_job.name),
    new_files_sensor("rewards_exports_sensor", "rewards", rewards_job.name),
    new_files_sensor("members_inbox_sensor", "members", members_job.name),
]
