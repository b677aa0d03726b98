"""The API skeleton: health and run history, JSON errors."""

from __future__ import annotations

from pathlib import Path

from footfall.api import create_app
from footfall.sessions.http_pipeline import run_http_sessions
from footfall.warehouse import connect
from tests.api.helpers import local_client


def test_health_and_runs(tmp_path: Path, generated_log: tuple[Path, Path]) -> None:
    from datetime import timedelta

    url = f"duckdb:///{tmp_path / 'w.duckdb'}"
    log, mapping = generated_log
    with connect(url) as wh:
        run_http_sessions([log], mapping=mapping, out=tmp_path / "s.parquet", gap=timedelta(minutes=5), warehouse=wh)
    with local_client(create_app(url)) as client:
        assert client.get("/health").json() == {"status": "ok", "warehouse": "duckdb"}
        runs = client.get("/runs").json()
        assert [r["command"] for r in runs] == ["logs sessions"]
        assert runs[0]["rows_read"] == runs[0]["rows_accepted"] + runs[0]["rows_rejected"]
        bad = client.get("/runs", params={"limit": 0})
        assert bad.status_code == 400 and bad.json() == {"error": "limit: Input should be greater than or equal to 1"}


def test_an_unreachable_warehouse_is_a_json_error_and_health_still_answers() -> None:
    with local_client(create_app("postgresql://nobody:pw-in-url@127.0.0.1:1/x")) as client:
        alive = client.get("/health")
        response = client.get("/ready")
    assert alive.status_code == 200 and alive.json() == {"status": "ok", "warehouse": "postgres"}
    assert response.status_code == 503 and response.headers["retry-after"].isdigit()
    assert "cannot connect to PostgreSQL" in response.json()["error"] and "pw-in-url" not in response.text


def test_validation_errors_use_the_one_error_shape(tmp_path: Path) -> None:
    url = f"duckdb:///{tmp_path / 'w.duckdb'}"
    connect(url).close()
    with local_client(create_app(url)) as client:
        response = client.get("/runs", params={"limit": "many"})
    assert response.status_code == 400
    assert response.json() == {"error": "limit: Input should be a valid integer, unable to parse string as an integer"}
