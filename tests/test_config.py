"""Settings: one source of every default, a bad value is one line naming the variable, the README lists them all."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from footfall.config import Settings

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(
    ("variable", "value", "says"),
    [
        ("FOOTFALL_PORT", "abc", "bad FOOTFALL_PORT 'abc': Input should be a valid integer"),
        ("FOOTFALL_PORT", "70000", "bad FOOTFALL_PORT '70000': Input should be less than or equal to 65535"),
        ("FOOTFALL_PROMOTE_TOLERANCE", "2%", "bad FOOTFALL_PROMOTE_TOLERANCE '2%': Input should be a valid number"),
        ("FOOTFALL_REPORT_TZ", "Mars/Olympus", "bad FOOTFALL_REPORT_TZ 'Mars/Olympus': not an IANA time zone"),
        ("FOOTFALL_DEPLOYMENT", "prod", "bad FOOTFALL_DEPLOYMENT 'prod': Input should be 'local' or 'production'"),
        ("FOOTFALL_DUCKDB_MEMORY_LIMIT", "lots", "bad FOOTFALL_DUCKDB_MEMORY_LIMIT 'lots': use a size such as 1GB"),
        ("FOOTFALL_PARSE_WORKERS", "0", "bad FOOTFALL_PARSE_WORKERS '0': Input should be greater than or equal to 1"),
    ],
)
@pytest.mark.parametrize("command", [["runs"], ["serve"], ["shop", "metrics"]])
def test_a_bad_setting_is_one_line_naming_the_variable(
    variable: str, value: str, says: str, command: list[str]
) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "footfall", *command],
        capture_output=True,
        text=True,
        env={**os.environ, variable: value},
        timeout=60,
    )
    assert done.returncode == 2, done.stderr
    assert done.stderr.strip().splitlines() == [f"error: {says}"] or (
        len(done.stderr.strip().splitlines()) == 1 and says in done.stderr
    ), done.stderr


def test_the_readme_configuration_table_is_the_settings() -> None:
    """Every `Settings` field is a row of the README's configuration table, and every row is a field."""
    readme = (ROOT / "README.md").read_text()
    table = readme.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    documented = set(re.findall(r"`FOOTFALL_([A-Z_]+)`", table))
    assert documented == {name.upper() for name in Settings.model_fields}


def test_parse_workers_default_to_the_cores_of_this_machine(settings_env: object) -> None:
    assert Settings().parse_workers == (os.cpu_count() or 1)
