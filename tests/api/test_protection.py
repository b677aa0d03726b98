"""What every answer carries and every request must pass: security headers, no inline script, trusted hosts, CORS.

HTTP-layer behaviour, the same whatever the warehouse: run on DuckDB (the warehouse tests of these
routes run on both).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from footfall.api import create_app
from footfall.api.dashboard import PAGES
from footfall.api.process import serve_in_background
from footfall.warehouse import connect
from tests.api.helpers import local_client

HTML = ["/login", "/docs", "/redoc", "/nowhere", *(f"/{page}" for page in PAGES)]
OTHERS = ["/health", "/metrics/orders", "/metrics/orders?from=soon", "/static/dashboard.js", "/openapi.json"]


@pytest.fixture
def url(tmp_path: Path) -> str:
    made = f"duckdb:///{tmp_path / 'w.duckdb'}"
    connect(made).close()
    return made


@pytest.fixture
def client(url: str, tmp_path: Path) -> Iterator[TestClient]:
    with local_client(create_app(url, models=tmp_path / "models")) as test_client:
        yield test_client


def test_every_answer_carries_the_security_headers(client: TestClient) -> None:
    for path in [*HTML, *OTHERS, "/docs-assets/swagger-ui.css"]:
        response = client.get(path)
        csp = response.headers["content-security-policy"]
        assert "script-src 'self';" in csp and "frame-ancestors 'none'" in csp and "unsafe-eval" not in csp, path
        assert response.headers["x-content-type-options"] == "nosniff", path
        assert response.headers["referrer-policy"] == "no-referrer", path
        assert response.headers["x-frame-options"] == "DENY", path
    refused = client.get("/metrics/orders", headers={"Host": "evil.example"})
    assert refused.status_code == 400 and "content-security-policy" in refused.headers


def test_no_page_has_inline_script_or_a_cdn(client: TestClient) -> None:
    for path in HTML:
        text = client.get(path).text
        scripts = re.findall(r"<script\b([^>]*)>(.*?)</script>", text, flags=re.S | re.I)
        assert scripts, path
        for attributes, body in scripts:  # every script is a file of this server
            assert re.search(r'src="(?:http://127\.0\.0\.1)?/', attributes) and not body.strip(), (path, body[:80])
        assert not re.search(r'(?:src|href)="(?:https?:)?//(?!127\.0\.0\.1/)', text), path  # nothing from elsewhere
        assert not re.search(r"<[^>]+\son[a-z]+\s*=", text), path  # no inline event handlers
    for asset in ("swagger-ui-bundle.js", "swagger-ui.css", "redoc.standalone.js"):
        assert client.get(f"/docs-assets/{asset}").status_code == 200


def test_a_request_naming_another_host_is_refused(url: str, settings_env: Callable[..., None]) -> None:
    with TestClient(create_app(url)) as client:  # Host: testserver, as DNS rebinding would send
        refused = client.get("/metrics/orders")
        assert refused.status_code == 400
        assert refused.json() == {
            "error": "this server does not answer for host 'testserver'; add it to FOOTFALL_ALLOWED_HOSTS"
        }
        for host in ("localhost:8000", "127.0.0.1", "[::1]:8000"):
            assert client.get("/metrics/orders", headers={"Host": host}).status_code == 200, host
        # a load balancer's health check names the target's address: liveness answers any Host, and says nothing
        assert client.get("/health", headers={"Host": "10.0.3.7:8000"}).json() == {
            "status": "ok",
            "warehouse": "duckdb",
        }
    settings_env(allowed_hosts="*.example.org, bi.example.com")
    with TestClient(create_app(url)) as client:
        assert client.get("/metrics/orders", headers={"Host": "a.example.org"}).status_code == 200
        assert client.get("/metrics/orders", headers={"Host": "bi.example.com:443"}).status_code == 200
        assert client.get("/metrics/orders", headers={"Host": "example.org.evil.net"}).status_code == 400


def test_cors_is_off_unless_origins_are_configured(url: str, settings_env: Callable[..., None]) -> None:
    asking = {"Origin": "https://bi.example.com"}
    with local_client(create_app(url)) as client:
        assert "access-control-allow-origin" not in client.get("/metrics/orders", headers=asking).headers
    settings_env(cors_origins="https://bi.example.com")
    with local_client(create_app(url)) as client:
        allowed = client.get("/metrics/orders", headers=asking)
        assert allowed.headers["access-control-allow-origin"] == "https://bi.example.com"
        other = client.get("/metrics/orders", headers={"Origin": "https://evil.example"})
        assert "access-control-allow-origin" not in other.headers


def test_serve_refuses_a_network_address_without_authentication(url: str) -> None:
    env = {k: v for k, v in os.environ.items() if k != "FOOTFALL_SECRET_KEY"}
    done = subprocess.run(
        [sys.executable, "-m", "footfall", "serve", "--host", "0.0.0.0", "--warehouse", url],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert done.returncode == 2 and len(done.stderr.strip().splitlines()) == 1
    assert "serving on 0.0.0.0 needs authentication" in done.stderr and "FOOTFALL_SECRET_KEY" in done.stderr


def test_serve_on_a_network_address_with_a_key_requires_tokens(url: str) -> None:
    with serve_in_background(url, host="0.0.0.0", env={"FOOTFALL_SECRET_KEY": "s" * 32}) as base:
        assert urllib.request.urlopen(f"{base}/health", timeout=5).status == 200
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(f"{base}/metrics/orders", timeout=5)
        assert refused.value.code == 401
        refused.value.close()
