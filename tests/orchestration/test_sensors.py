"""The inbox sensors: a new file launches exactly one run; a file seen before (the cursor) launches none."""

import os
from pathlib import Path

import dagster as dg

from footfall.orchestration.definitions import build_definitions
from footfall.orchestration.resources import DataDirResource
from footfall.orchestration.sensors import SENSORS

SENSOR = next(s for s in SENSORS if s.name == "members_inbox_sensor")


def _tick(data: DataDirResource, cursor: str | None) -> dg.SensorResult:
    context = dg.build_sensor_context(cursor=cursor, resources={"data": data})
    result = SENSOR(context)
    assert isinstance(result, dg.SensorResult)
    return result


def test_a_new_file_triggers_one_run_and_a_seen_file_none(tmp_path: Path) -> None:
    data = DataDirResource(data_dir=str(tmp_path), report_tz="UTC")
    inbox = tmp_path / "inbox" / "members"
    empty = _tick(data, None)  # no inbox folder yet
    assert not empty.run_requests and empty.skip_reason is not None

    inbox.mkdir(parents=True)
    (inbox / "applications_001.csv").write_text("name,email,date_of_birth,mobile_no\n")
    (inbox / ".applications_002.csv.tmp").write_text("still being written")
    first = _tick(data, empty.cursor)
    assert first.run_requests is not None and len(first.run_requests) == 1
    assert first.run_requests[0].tags["footfall/new_files"] == "applications_001.csv"

    seen = _tick(data, first.cursor)  # the same file again: nothing to do
    assert not seen.run_requests and seen.skip_reason is not None

    (inbox / "applications_002.csv").write_text("name,email,date_of_birth,mobile_no\n")
    changed = inbox / "applications_001.csv"
    os.utime(changed, ns=(changed.stat().st_atime_ns, changed.stat().st_mtime_ns + 10**9))  # rewritten
    second = _tick(data, seen.cursor)
    assert second.run_requests is not None and len(second.run_requests) == 1  # both files, one run
    assert second.run_requests[0].tags["footfall/new_files"] == "applications_001.csv, applications_002.csv"
    assert second.run_requests[0].run_key != first.run_requests[0].run_key

    for path in inbox.glob("*.csv"):  # processed files leave the inbox: nothing to run, the cursor forgets them
        path.unlink()
    gone = _tick(data, second.cursor)
    assert not gone.run_requests and gone.cursor == "{}"


def test_the_sensor_targets_the_members_job_in_the_definitions(tmp_path: Path) -> None:
    from footfall.config import Settings

    defs = build_definitions(Settings(data_dir=tmp_path, warehouse=f"duckdb:///{tmp_path / 'w.duckdb'}"))
    (tmp_path / "inbox" / "members").mkdir(parents=True)
    (tmp_path / "inbox" / "members" / "a.csv").write_text("name,email,date_of_birth,mobile_no\n")
    sensor = defs.resolve_sensor_def("members_inbox_sensor")
    assert sensor.job_name == "members_job"
    with dg.instance_for_test() as instance:
        context = dg.build_sensor_context(instance=instance, definitions=defs, resources=defs.resources)
        result = sensor.evaluate_tick(context)
    assert len(result.run_requests or []) == 1 and result.cursor is not None
