"""docs/orchestration.md names every asset, job, sensor, schedule, setting and option the code has."""

import re
from pathlib import Path

from typer.testing import CliRunner

from footfall.cli.main import app
from footfall.config import Settings
from footfall.orchestration.definitions import defs

DOC = (Path(__file__).resolve().parents[2] / "docs" / "orchestration.md").read_text(encoding="utf-8")


def test_the_asset_graph_picture_has_every_asset() -> None:
    (mermaid,) = [block for block in re.findall(r"```mermaid\n(.*?)```", DOC, re.S) if "raw_http_logs" in block]
    for key in defs.resolve_all_asset_keys():
        assert re.search(rf"\b{key.to_user_string()}\b", mermaid), key


def test_jobs_sensors_schedules_and_settings_are_documented() -> None:
    repo = defs.get_repository_def()
    names = [j.name for j in repo.get_all_jobs() if not j.name.startswith("__")]
    names += [s.name for s in repo.sensor_defs] + [s.name for s in repo.schedule_defs]
    for name in names:
        assert f"`{name}`" in DOC, name
    for field in ("data_dir", "warehouse", "deployment", "orchestrate_port", "promote_tolerance", "movielens"):
        assert field in Settings.model_fields and f"`FOOTFALL_{field.upper()}`" in DOC, field
    for check in defs.resolve_asset_graph().asset_check_keys:  # documented as `<table>_has_rows` and so on
        for suffix in ("_has_rows", "_rejects_ratio"):
            if check.name.endswith(suffix):
                assert f"`<table>{suffix}`" in DOC and f"`{check.name.removesuffix(suffix)}`" in DOC, check.name


def test_the_commands_shown_exist() -> None:
    for command in re.findall(r"^footfall (\w[\w-]*)", DOC, re.M):
        assert CliRunner().invoke(app, [command, "--help"]).exit_code == 0, command
    help_text = CliRunner().invoke(app, ["orchestrate", "--help"]).output
    for option in re.findall(r"--[a-z-]+", help_text):
        if option != "--help":
            assert option in DOC, option
    assert "--orchestrate" in CliRunner().invoke(app, ["demo", "--help"]).output and "ORCHESTRATE=1" in DOC
