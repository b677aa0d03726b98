"""Run records: typed details (a misspelt one is an error, not a silent new key) and no password anywhere."""

from __future__ import annotations

import json

import pytest

from footfall.runs import RunDetails, RunSummary
from footfall.warehouse import connect, redact_url


def test_run_details_are_a_typed_record() -> None:
    details = RunDetails()
    details.output = "report.parquet"
    with pytest.raises(AttributeError):
        details.outptu = "typo"  # type: ignore[attr-defined]
    assert json.loads(details.to_json()) == {"output": "report.parquet"}


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("postgresql://me:s3cret@db:5432/x", "postgresql://me:***@db:5432/x"),
        ("postgresql://me@db/x?password=s3cret&sslmode=require", "postgresql://me@db/x?password=***&sslmode=require"),
        ("duckdb:///footfall-data/footfall.duckdb", "duckdb:///footfall-data/footfall.duckdb"),
    ],
)
def test_the_display_form_of_a_url_has_no_password(url: str, shown: str) -> None:
    assert redact_url(url) == shown


def test_a_run_records_the_warehouse_without_its_password(postgres_schema_url: str) -> None:
    """docs/runs.md: a password is never stored in `runs`."""
    base, _, rest = postgres_schema_url.partition("://")
    user, _, host = rest.partition("@")
    url = f"{base}://{user}:not-the-password@{host}"  # trust auth: any password is accepted and must not leak
    with connect(url) as wh:
        summary = RunSummary("test", inputs=[])
        with wh.transaction():
            summary.record(wh)
        stored = wh.query("SELECT details FROM runs WHERE run_id = :r", {"r": summary.run_id})["details"][0]
    assert "not-the-password" not in stored and "***" in json.loads(stored)["warehouse"]
