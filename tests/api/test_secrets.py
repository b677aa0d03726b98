"""No credential is ever returned or logged, and the API's PostgreSQL sessions are read-only under their own role.

PostgreSQL only: these are its credentials and roles (the test server trusts local connections, so a
password in the URL is accepted and ignored, as a real one would be used).
"""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import psycopg
import pytest

from footfall.api.dashboard import PAGES
from footfall.api.process import serve_in_background
from footfall.errors import WarehouseError
from footfall.warehouse import read_pool
from tests.dashboard.conftest import load_everything

pytestmark = pytest.mark.postgres
PASSWORD = "Sup3r-s3cret-pw"


def with_password(url: str) -> str:
    return url.replace("postgresql://postgres@", f"postgresql://postgres:{PASSWORD}@", 1)


def fetch(url: str) -> str:
    try:
        with urllib.request.urlopen(url, timeout=20) as answer:
            return str(answer.read().decode())
    except urllib.error.HTTPError as error:
        with error:
            return str(error.read().decode())


def test_a_password_in_the_warehouse_url_is_never_returned_or_logged(postgres_schema_url: str, tmp_path: Path) -> None:
    url = with_password(postgres_schema_url)
    assert PASSWORD in url
    loaded = load_everything(url, tmp_path)  # every pipeline records its run with this URL
    log = tmp_path / "serve.log"
    with serve_in_background(url, log=log, env={"FOOTFALL_DATA_DIR": str(tmp_path)}) as base:
        spec = json.loads(fetch(f"{base}/openapi.json"))
        paths = [p.replace("{user_id}", "u1") for p in spec["paths"]]
        seen = {path: fetch(f"{base}{path}?user=u1&limit=100") for path in paths}
        seen |= {f"/{page}": fetch(f"{base}/{page}") for page in PAGES}
        seen["/nowhere"] = fetch(f"{base}/nowhere")
        runs = json.loads(seen["/runs"])
    assert loaded.url == url and len(runs) >= 5
    assert {r["details"] and json.loads(r["details"]).get("warehouse") for r in runs} == {
        postgres_schema_url.replace("postgresql://postgres@", "postgresql://postgres:***@", 1)
    }
    leaked = [path for path, body in seen.items() if PASSWORD in body]
    assert leaked == []
    text = log.read_text()
    assert "GET /runs" in text and PASSWORD not in text


def test_pooled_sessions_set_the_read_only_role_when_it_can_read(postgres_schema_url: str) -> None:
    role = f"ff_reader_{uuid.uuid4().hex[:8]}"
    schema = postgres_schema_url.rsplit("%3D", 1)[1]
    with psycopg.connect(postgres_schema_url, autocommit=True) as con:
        con.execute(f"CREATE ROLE {role} NOLOGIN")
        con.execute(f"GRANT USAGE ON SCHEMA {schema} TO {role}")
        con.execute("CREATE TABLE runs (finished_at TIMESTAMPTZ)")
        con.execute(f"GRANT SELECT ON runs TO {role}")
    pool = read_pool(postgres_schema_url, size=1, timeout=5, statement_timeout=5, role=role)
    pool.start()
    try:
        warehouse = pool.checkout()
        assert warehouse.query("SELECT current_user AS u")["u"][0] == role
        assert warehouse.query("SELECT count(*) AS n FROM runs")["n"][0] == 0
        with pytest.raises(WarehouseError, match="read-only transaction"):
            warehouse.execute("INSERT INTO runs VALUES (now())")
        pool.checkin(warehouse)
    finally:
        pool.close()
        with psycopg.connect(postgres_schema_url, autocommit=True) as con:
            con.execute(f"DROP OWNED BY {role}")
            con.execute(f"DROP ROLE {role}")


def test_without_the_role_sessions_stay_read_only_and_the_log_says_so(
    postgres_schema_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    role = f"ff_absent_{uuid.uuid4().hex[:8]}"
    pool = read_pool(postgres_schema_url, size=1, timeout=5, statement_timeout=5, role=role)
    with caplog.at_level(logging.WARNING, logger="footfall.api"):
        pool.start()
        try:
            warehouse = pool.checkout()
            assert warehouse.query("SELECT current_user AS u")["u"][0] == "postgres"
            with pytest.raises(WarehouseError, match="read-only transaction"):
                warehouse.execute("CREATE TABLE t (i INTEGER)")
            pool.checkin(warehouse)
        finally:
            pool.close()
    said = [r.getMessage() for r in caplog.records if role in r.getMessage()]
    assert said == [
        f"PostgreSQL role {role} does not exist: the API's sessions stay read-only as postgres (FOOTFALL_API_DB_ROLE)"
    ]
