"""The dashboard's pages and endpoints on an empty warehouse, the home redirect, static files, 404."""

from __future__ import annotations

from pathlib import Path

from footfall.api import create_app
from footfall.api.dashboard import PAGES
from footfall.warehouse import connect
from tests.api.helpers import local_client


def test_an_empty_warehouse_gives_pages_and_empty_charts_not_errors(warehouse_url: str, tmp_path: Path) -> None:
    connect(warehouse_url).close()  # migrated, empty
    with local_client(create_app(warehouse_url, models=tmp_path / "models")) as client:
        for name in PAGES:
            page = client.get(f"/{name}")
            assert page.status_code == 200, name
            assert '<html lang="en">' in page.text and 'aria-current="page"' in page.text
            assert "/static/plotly.min.js" in page.text and "cdn" not in page.text.lower()
        spec = client.get("/openapi.json").json()
        charts = [p for p in spec["paths"] if p.startswith("/api/charts/") and "{" not in p]
        assert len(charts) >= 20
        for path in charts:
            params = {"user": "u1"} if "recommendations" in path else {}
            response = client.get(path, params=params)
            if path.endswith("/items"):
                assert response.status_code == 503 and "no model to serve" in response.json()["error"]
                continue
            if path.startswith("/api/charts/segments/"):  # the customer models: none trained yet
                assert response.status_code == 503 and "model to serve" in response.json()["error"], path
                continue
            assert response.status_code == 200, (path, response.text)
            rows = response.json()["rows"]
            if path.endswith(("/weekday-hour", "/funnel")):  # every cell or step, each 0: drawn as an empty state
                assert rows and all(r.get("sessions") == 0 for r in rows), (path, rows)
            elif path.endswith("/orders"):
                assert rows == [
                    {"median_visits_before_order": None, "median_session_duration_minutes_before_order": None}
                ]
            else:
                assert rows == [], (path, rows)
        recommendations = client.get("/recommendations").text
        assert "No model to recommend with yet" in recommendations and "footfall vouchers load" in recommendations


def test_home_static_and_unknown_pages(tmp_path: Path) -> None:
    url = f"duckdb:///{tmp_path / 'w.duckdb'}"
    connect(url).close()
    with local_client(create_app(url), follow_redirects=False) as client:
        home = client.get("/", params={"tz": "UTC"})
        assert home.status_code == 307 and home.headers["location"] == "/engagement?tz=UTC"
        plotly = client.get("/static/plotly.min.js")
        assert plotly.status_code == 200 and "plotly.js v" in plotly.text[:200]
        assert client.get("/no-such-page").status_code == 404
        assert client.get("/engagement", params={"tz": "Nowhere/Else"}).status_code == 400
        assert client.get("/health").json()["status"] == "ok"  # the API's own routes come first
