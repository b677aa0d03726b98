"""`GET /metrics/orders` and `/metrics/referrers`, in-process and against a real server process."""

from __future__ import annotations

import json
import time
import urllib.request
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from footfall.api import create_app
from footfall.api.process import serve_in_background
from footfall.sessions.shop_pipeline import run_shop_sessions
from footfall.warehouse import connect
from tests.api.helpers import local_client
from tests.reports.test_shop_metrics import EVEN
from tests.shop.factories import write_events


@pytest.fixture
def shop_url(tmp_path: Path, warehouse_url: str) -> str:
    """A warehouse (of each kind) holding the hand-made EVEN journeys."""
    with connect(warehouse_url) as wh:
        run_shop_sessions([write_events(tmp_path / "e.jsonl", *EVEN)], gap=timedelta(minutes=30), warehouse=wh)
    return warehouse_url


def response_schema(openapi: dict[str, Any], path: str) -> dict[str, Any]:
    """The 200 response schema of GET `path`, with the document's components for $ref."""
    schema = openapi["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    return {**schema, "components": openapi["components"]}


def test_orders_is_exactly_the_two_figures(shop_url: str) -> None:
    with local_client(create_app(shop_url)) as client:
        body = client.get("/metrics/orders").json()
        openapi = client.get("/openapi.json").json()
    assert body == {"median_visits_before_order": 1.5, "median_session_duration_minutes_before_order": 15.0}
    jsonschema.validate(body, response_schema(openapi, "/metrics/orders"))
    schema = openapi["components"]["schemas"]["OrderMetrics"]
    assert set(schema["properties"]) == set(body) and schema.get("additionalProperties") is False


def test_date_range_and_errors(shop_url: str) -> None:
    with local_client(create_app(shop_url)) as client:
        ranged = client.get("/metrics/orders", params={"from": "2022-04-03"}).json()
        empty = client.get("/metrics/orders", params={"from": "2030-01-01"}).json()
        bad = client.get("/metrics/orders", params={"from": "yesterday"})
        backwards = client.get("/metrics/orders", params={"from": "2022-04-05", "to": "2022-04-01"})
        referrers = client.get("/metrics/referrers")
        openapi = client.get("/openapi.json").json()
    assert ranged["median_visits_before_order"] == 2.5
    assert empty == {"median_visits_before_order": None, "median_session_duration_minutes_before_order": None}
    assert bad.status_code == 400 and bad.json() == {"error": "bad from 'yesterday': use a date like 2024-03-01"}
    assert backwards.status_code == 400
    assert backwards.json() == {"error": "bad date range: from 2022-04-05 is after the last date 2022-04-01"}
    jsonschema.validate(referrers.json(), response_schema(openapi, "/metrics/referrers"))
    assert referrers.json()[0]["referrer"] == "(direct)"


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    """`footfall serve` on a free loopback port over a DuckDB file with the EVEN journeys."""
    url = f"duckdb:///{tmp_path / 'w.duckdb'}"
    with connect(url) as wh:
        run_shop_sessions([write_events(tmp_path / "e.jsonl", *EVEN)], gap=timedelta(minutes=30), warehouse=wh)
    with serve_in_background(url) as base:
        yield base


def test_a_real_server_answers_and_lets_pipelines_write_when_idle(server: str, tmp_path: Path) -> None:
    body = json.load(urllib.request.urlopen(f"{server}/metrics/orders", timeout=5))
    assert body == {"median_visits_before_order": 1.5, "median_session_duration_minutes_before_order": 15.0}
    docs = urllib.request.urlopen(f"{server}/docs", timeout=5).read().decode()
    assert "swagger" in docs.lower()
    # the server holds the DuckDB file only while busy: a pipeline can write right after
    started = time.monotonic()
    with connect(f"duckdb:///{tmp_path / 'w.duckdb'}") as wh:
        run_shop_sessions([write_events(tmp_path / "f.jsonl", *EVEN[:3])], gap=timedelta(minutes=30), warehouse=wh)
    assert time.monotonic() - started < 10
    after = json.load(urllib.request.urlopen(f"{server}/metrics/orders", timeout=5))
    assert after == {"median_visits_before_order": 2.0, "median_session_duration_minutes_before_order": 7.0}
