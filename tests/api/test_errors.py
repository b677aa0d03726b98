"""One error shape: every error the server gives is `{"error": ...}` on API paths and the dashboard page
with the message and its filter form on dashboard paths; the same mistake gets the same answer everywhere."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from footfall.api import create_app
from footfall.sessions.shop_pipeline import run_shop_sessions
from footfall.warehouse import connect
from tests.api.helpers import local_client
from tests.shop.factories import visit, write_events


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    url = f"duckdb:///{tmp_path / 'w.duckdb'}"
    late = [
        dict(e, event={**e["event"], "timestamp": "2022-04-01T20:00:00.000000"}) for e in visit("L", 0, 0, order=True)
    ]
    with connect(url) as wh:
        run_shop_sessions([write_events(tmp_path / "e.jsonl", late, visit("M", 2, 10, order=True))], warehouse=wh)
    with local_client(create_app(url)) as test_client:
        yield test_client


@pytest.mark.parametrize("path", ["/metrics/orders", "/metrics/referrers", "/api/charts/shop/orders"])
def test_a_bad_date_is_the_same_400_everywhere(client: TestClient, path: str) -> None:
    response = client.get(path, params={"from": "2024-02-30"})
    assert response.status_code == 400
    assert response.json() == {"error": "bad from '2024-02-30': use a date like 2024-03-01"}


@pytest.mark.parametrize("zone", ["Asia", "posix/UTC", "x" * 256, "../../etc/passwd"])
def test_a_bad_time_zone_is_a_400_never_a_500(client: TestClient, zone: str) -> None:
    for path in ("/metrics/orders", "/api/charts/shop/funnel", "/engagement"):
        response = client.get(path, params={"tz": zone})
        assert response.status_code == 400, (path, zone, response.text[:200])


def test_404_and_405_answer_the_one_json_shape(client: TestClient) -> None:
    missing = client.get("/api/charts/nothing-here")
    assert missing.status_code == 404 and missing.json() == {"error": "no such page or endpoint"}
    wrong = client.post("/metrics/orders")
    assert wrong.status_code == 405 and wrong.json() == {"error": "method POST is not allowed on /metrics/orders"}


def test_a_bad_dashboard_filter_is_the_page_with_the_message_and_its_form(client: TestClient) -> None:
    page = client.get("/shop", params={"from": "soon"})
    assert page.status_code == 400 and page.headers["content-type"].startswith("text/html")
    assert "bad from &#39;soon&#39;: use a date like 2024-03-01" in page.text
    assert '<form class="filters"' in page.text and 'aria-current="page"' in page.text
    unknown = client.get("/nowhere")
    assert unknown.status_code == 404 and "no dashboard page &#39;nowhere&#39;" in unknown.text


def test_shop_charts_and_metrics_read_local_dates_in_tz(client: TestClient) -> None:
    """L's first order is 2022-04-01 20:00 UTC = 04-02 04:00 in Singapore; M's is 04-03 10:00 UTC."""
    day = {"from": "2022-04-02", "to": "2022-04-02"}
    for path, read in (
        ("/metrics/orders", lambda r: r.json()["median_visits_before_order"]),
        ("/api/charts/shop/orders", lambda r: r.json()["rows"][0]["median_visits_before_order"]),
    ):
        assert read(client.get(path, params={**day, "tz": "Asia/Singapore"})) == 0.0
        assert read(client.get(path, params={**day, "tz": "UTC"})) is None
    referrers = client.get("/api/charts/shop/referrers", params={**day, "tz": "UTC"}).json()["rows"]
    assert referrers == []


def test_the_report_zone_setting_is_every_endpoint_s_default(
    client: TestClient, settings_env: Callable[..., None]
) -> None:
    day = {"from": "2022-04-02", "to": "2022-04-02"}
    fresh = {"Cache-Control": "no-cache"}  # a server reads its settings once; this test changes them between requests
    settings_env(report_tz="UTC")
    assert client.get("/metrics/orders", params=day, headers=fresh).json()["median_visits_before_order"] is None
    assert client.get("/api/charts/shop/funnel", params=day, headers=fresh).json()["rows"][0]["sessions"] == 0
    settings_env(report_tz="Asia/Singapore")
    assert client.get("/metrics/orders", params=day, headers=fresh).json()["median_visits_before_order"] == 0.0
    assert client.get("/api/charts/shop/funnel", params=day, headers=fresh).json()["rows"][0]["sessions"] == 1


@pytest.mark.parametrize(
    ("message", "status", "headers"), [("busy: ünïcode", 503, {"Retry-After": "2"}), ("no", 400, None)]
)
def test_errors_sent_before_routing_are_the_one_shape_byte_for_byte(
    message: str, status: int, headers: dict[str, str] | None
) -> None:
    import asyncio

    from footfall.api.errors import error_response, send_error

    def sent(answer: Callable[[Callable[[dict[str, object]], object]], object]) -> list[dict[str, object]]:
        messages: list[dict[str, object]] = []

        async def send(message: dict[str, object]) -> None:
            messages.append(message)

        asyncio.run(answer(send))  # type: ignore[arg-type]
        return messages

    async def nothing() -> dict[str, object]:
        return {"type": "http.request"}

    scope = {"type": "http", "method": "GET", "path": "/"}
    built = sent(lambda send: error_response(message, status, headers=headers)(scope, nothing, send))  # type: ignore[arg-type]
    direct = sent(lambda send: send_error(send, message, status, headers=headers))  # type: ignore[arg-type]
    assert direct == built
