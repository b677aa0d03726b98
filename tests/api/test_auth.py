"""Tokens, roles and dashboard sessions, on DuckDB and PostgreSQL (docs/serving.md#authentication)."""

from __future__ import annotations

import hashlib
import itertools
import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from footfall.api import create_app
from footfall.cli.main import app as cli
from footfall.sessions.shop_pipeline import run_shop_sessions
from footfall.warehouse import connect
from tests.api.helpers import local_client
from tests.reports.test_shop_metrics import EVEN
from tests.shop.factories import write_events

SECRET = "k" * 40


@dataclass
class Served:
    client: TestClient
    url: str
    tokens: dict[str, str]  # role -> token


def footfall(*args: str) -> str:
    done = CliRunner().invoke(cli, list(args))
    assert done.exit_code == 0, done.output
    return done.stdout


@pytest.fixture
def served(warehouse_url: str, tmp_path: Path, settings_env: Callable[..., None]) -> Iterator[Served]:
    """A server with authentication on (FOOTFALL_AUTH=required) and a token of each role."""
    with connect(warehouse_url) as wh:
        run_shop_sessions([write_events(tmp_path / "e.jsonl", *EVEN)], gap=timedelta(minutes=30), warehouse=wh)
    settings_env(auth="required", secret_key=SECRET)
    tokens = {
        role: footfall(
            "auth", "token", "create", "--role", role, "--name", f"{role}-1", "--warehouse", warehouse_url
        ).strip()
        for role in ("viewer", "analyst", "admin")
    }
    with local_client(create_app(warehouse_url, models=tmp_path / "models"), follow_redirects=False) as client:
        yield Served(client, warehouse_url, tokens)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_tokens_are_shown_once_and_kept_only_as_hashes(served: Served) -> None:
    listed = footfall("auth", "token", "list", "--format", "json", "--warehouse", served.url)
    assert {t["name"] for t in json.loads(listed)} == {"viewer-1", "analyst-1", "admin-1"}
    with connect(served.url) as wh:
        stored = wh.query("SELECT * FROM api_tokens")
    for token in served.tokens.values():
        assert token.startswith("ff_") and len(token) == 46
        assert token not in listed and hashlib.sha256(token.encode()).hexdigest() not in listed
        assert hashlib.sha256(token.encode()).hexdigest() in stored["token_sha256"].to_list()
        assert not any(token in str(v) for v in stored.to_dicts())


def test_without_a_token_the_api_is_a_401_and_pages_redirect_to_sign_in(served: Served) -> None:
    client = served.client
    refused = client.get("/metrics/orders")
    assert refused.status_code == 401 and refused.headers["www-authenticate"] == "Bearer"
    assert refused.json()["error"].startswith("not signed in")
    wrong = client.get("/metrics/orders", headers=bearer("ff_" + "x" * 43))
    assert wrong.status_code == 401 and wrong.json()["error"].startswith("unknown or revoked token")
    page = client.get("/shop", params={"tz": "UTC"})
    assert page.status_code == 303 and page.headers["location"] == "/login?next=/shop%3Ftz%3DUTC"
    for public in ("/health", "/login", "/docs", "/redoc", "/openapi.json", "/static/dashboard.js"):
        assert client.get(public).status_code == 200, public


LEAST_ROLE = {
    "/metrics/orders": "viewer",
    "/api/charts/shop/funnel": "viewer",
    "/api/charts/members/top-items": "viewer",
    "/api/charts/members/top-members": "analyst",
    "/api/charts/recommendations/history?user=u1": "analyst",
    "/api/charts/recommendations/items?user=u1": "analyst",
    "/recommendations/u1": "analyst",
    "/runs": "analyst",
    "/auth/tokens": "admin",
}


def test_roles_decide_who_sees_personal_data(served: Served) -> None:
    roles = ["viewer", "analyst", "admin"]
    for (path, least), role in itertools.product(LEAST_ROLE.items(), roles):
        response = served.client.get(path, headers=bearer(served.tokens[role]))
        if roles.index(role) < roles.index(least):
            assert response.status_code == 403, (role, path)
            assert f"needs the {least} role" in response.json()["error"]
        else:  # allowed (the recommendations have no model here: 503)
            assert response.status_code in (200, 503), (role, path, response.text)
            assert response.status_code == 200 or "no model" in response.json()["error"]


def test_the_cache_never_hands_one_role_s_answer_to_another(served: Served) -> None:
    path = "/api/charts/members/top-members"
    first = served.client.get(path, headers=bearer(served.tokens["analyst"]))
    second = served.client.get(path, headers=bearer(served.tokens["analyst"]))
    assert (first.headers["x-cache"], second.headers["x-cache"]) == ("miss", "hit")
    assert served.client.get(path, headers=bearer(served.tokens["viewer"])).status_code == 403
    tokens = served.client.get("/auth/tokens", headers=bearer(served.tokens["admin"])).json()
    assert {t["role"] for t in tokens} == {"viewer", "analyst", "admin"} and "token_sha256" not in tokens[0]


def test_a_revoked_token_is_refused(served: Served) -> None:
    viewer = bearer(served.tokens["viewer"])
    assert served.client.get("/metrics/orders", headers=viewer).status_code == 200
    footfall("auth", "token", "revoke", "viewer-1", "--warehouse", served.url)
    deadline = time.monotonic() + 5  # DuckDB: read again when the server reopens the file; PostgreSQL: within 1 s
    while served.client.get("/metrics/orders", headers=viewer).status_code != 401:
        assert time.monotonic() < deadline, "the revoked token still works"
        time.sleep(0.1)


def test_signing_in_gives_a_strict_http_only_session_that_revocation_ends(served: Served) -> None:
    client = served.client
    bad = client.post("/login", data={"token": "ff_nope", "next": "/shop"})
    assert bad.status_code == 401 and "unknown or revoked token" in bad.text and "set-cookie" not in bad.headers
    foreign = client.post("/login", data={"token": served.tokens["viewer"]}, headers={"Origin": "https://evil.example"})
    assert foreign.status_code == 403
    signed = client.post("/login", data={"token": served.tokens["viewer"], "next": "https://evil.example/x"})
    assert signed.status_code == 303 and signed.headers["location"] == "/"
    cookie = signed.headers["set-cookie"]
    assert "footfall_session=" in cookie and "HttpOnly" in cookie and "SameSite=strict" in cookie
    assert served.tokens["viewer"] not in cookie
    page = client.get("/members")
    assert page.status_code == 200 and "viewer-1" in page.text and "Sign out" in page.text
    assert "/api/charts/members/top-members" not in page.text and "the analyst role shows them" in page.text
    assert 'href="/recommendations' not in page.text
    assert client.get("/recommendations").status_code == 403
    value = client.cookies["footfall_session"]
    client.cookies.clear()
    tampered = value[:-2] + ("AA" if not value.endswith("AA") else "BB")
    assert client.get("/members", headers={"Cookie": f"footfall_session={tampered}"}).status_code == 303
    token_id, issued, signature = value.split(".")
    older = f"{token_id}.{int(issued) - 13 * 3600}.{signature}"  # a signature does not carry over to another time
    assert client.get("/members", headers={"Cookie": f"footfall_session={older}"}).status_code == 303
    assert client.get("/members", headers={"Cookie": f"footfall_session={value}"}).status_code == 200
    out = client.post("/logout", headers={"Cookie": f"footfall_session={value}"})
    assert out.headers["location"] == "/login" and 'footfall_session=""' in out.headers["set-cookie"]


def test_an_analyst_sees_the_personal_pages(served: Served) -> None:
    client = served.client
    client.post("/login", data={"token": served.tokens["analyst"], "next": "/members"})
    page = client.get("/members")
    assert page.status_code == 200 and "/api/charts/members/top-members" in page.text
    assert 'href="/recommendations' in page.text
