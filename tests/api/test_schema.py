"""schemathesis against the live OpenAPI document of a real `footfall serve`, on DuckDB and PostgreSQL.

Every operation gets a bounded number of generated requests (with an admin token; authentication
is on, so that the declared 401 is checked too). No answer may be a server error, and each must
match its declared status, content type, headers and schema. Valid-by-schema values the API still
refuses (an unknown zone, `from` after `to`) are declared 400s, so "positive data is accepted" is
not among the checks.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import (
    content_type_conformance,
    ignored_auth,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from typer.testing import CliRunner

from footfall.api.process import serve_in_background
from footfall.auth import Role
from footfall.auth.tokens import create_token
from footfall.cli.main import app
from footfall.warehouse import connect
from tests.conftest import drop_schema, make_schema
from tests.dashboard.conftest import load_everything
from tests.ml.factories import START, simulate, write_transactions

EXAMPLES = 6  # per operation: ~25 operations, a few seconds per warehouse
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    ignored_auth,
]


@pytest.fixture(scope="module", params=["duckdb", pytest.param("postgres", marks=pytest.mark.postgres)])
def fuzzed(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """A server with every dataset and a model, authentication on: (base URL, an admin token)."""
    folder = tmp_path_factory.mktemp(f"schema-{request.param}")
    base_pg = request.getfixturevalue("postgres_url") if request.param == "postgres" else ""
    url = f"duckdb:///{folder / 'w.duckdb'}" if request.param == "duckdb" else make_schema(base_pg)
    load_everything(url, folder)  # the recommender and the segments; the warehouse's span is too short to predict
    _train_predictions(folder)
    with connect(url) as wh:
        _, token = create_token(wh, role=Role.admin, name="schemathesis")
    env = {"FOOTFALL_DATA_DIR": str(folder), "FOOTFALL_AUTH": "required", "FOOTFALL_SECRET_KEY": "q" * 32}
    try:
        with serve_in_background(url, env=env, log=folder / "serve.log") as base:
            yield base, token
    finally:
        if base_pg:
            drop_schema(base_pg, url)


def _train_predictions(folder: Path) -> None:
    """Returns and purchases models from simulated transactions into the server's registry."""
    tx = write_transactions(folder / "tx.csv", simulate(300, seed=2))
    cal, end = (START + timedelta(days=240)).isoformat(), (START + timedelta(days=419)).isoformat()
    args = ["ml", "predict", "--transactions", str(tx), "--calibration-end", cal, "--holdout-end", end]
    result = CliRunner().invoke(app, [*args, "--registry", str(folder / "models"), "--promote"])
    assert result.exit_code == 0, result.output


@pytest.fixture(scope="module")
def api_schema(fuzzed: tuple[str, str]) -> schemathesis.BaseSchema:
    return schemathesis.openapi.from_url(f"{fuzzed[0]}/openapi.json")


def test_every_operation_answers_as_declared(api_schema: schemathesis.BaseSchema, fuzzed: tuple[str, str]) -> None:
    """Each operation in turn (schemathesis' pytest loader does not run under this pytest: the Python API instead)."""
    headers = {"Authorization": f"Bearer {fuzzed[1]}"}
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 25

    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
        def answers_as_declared(case: schemathesis.Case) -> None:
            case.call_and_validate(headers=headers, checks=CHECKS, timeout=30)

        try:
            answers_as_declared()
        except Exception as exc:
            raise AssertionError(f"{operation.label}: {exc}") from exc


def test_dates_are_declared_as_dates(api_schema: schemathesis.BaseSchema, tmp_path: Path) -> None:
    raw = api_schema.raw_schema
    parameters = raw["paths"]["/metrics/orders"]["get"]["parameters"]
    dates = {p["name"]: p["schema"] for p in parameters if p["name"] in ("from", "to")}
    assert all({"type": "string", "format": "date"} in s["anyOf"] for s in dates.values()), dates
    responses = raw["paths"]["/metrics/orders"]["get"]["responses"]
    assert {"200", "400", "401", "403", "404", "503"} <= set(responses) and "422" not in responses
    assert "Retry-After" in responses["503"]["headers"]
