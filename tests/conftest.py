"""Shared fixtures: sample paths, generated data, and real warehouses (DuckDB and PostgreSQL).

PostgreSQL: FOOTFALL_TEST_POSTGRES_URL (default postgresql://postgres@127.0.0.1:5432/test);
when nothing answers there, a throwaway server is started from the PostgreSQL binaries if
they are installed; otherwise PostgreSQL tests are skipped with that reason.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from footfall.synth.http_log import HttpLogSpec, generate_http_log
from footfall.warehouse import Warehouse, connect

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
SAMPLES = SHARED / "samples"
DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/test"


def pytest_configure(config: pytest.Config) -> None:
    os.environ.setdefault("FOOTFALL_DATA_DIR", tempfile.mkdtemp(prefix="footfall-test-data-"))


@pytest.fixture
def settings_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., None]]:
    """Set `FOOTFALL_*` variables for this test (`settings_env(report_tz="UTC")`) and re-read the settings."""
    from footfall.config import get_settings

    def set_settings(**values: str) -> None:
        for name, value in values.items():
            monkeypatch.setenv(f"FOOTFALL_{name.upper()}", value)
        get_settings.cache_clear()

    yield set_settings
    get_settings.cache_clear()


@pytest.fixture(scope="session")
def samples() -> Path:
    """The shared sample inputs; tests using them skip when ../shared is absent (a user's clone)."""
    if not SAMPLES.is_dir():
        pytest.skip("../shared/samples is absent (only the team's workspace has it)")
    return SAMPLES


@pytest.fixture(scope="session")
def generated_log(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A generated 20,000-event log and its mapping (always available)."""
    folder = tmp_path_factory.mktemp("generated")
    log, mapping = folder / "http.log", folder / "mapping.csv"
    generate_http_log(HttpLogSpec(events=20_000, users=500, seed=3, days=2), log, mapping_out=mapping)
    return log, mapping


def _can_connect(url: str) -> bool:
    try:
        import psycopg

        with psycopg.connect(url, connect_timeout=3):
            return True
    except Exception:
        return False


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _start_throwaway_postgres() -> tuple[str, Path] | str:
    """Start a private server from the installed binaries: (url, data dir), or why not."""
    found = [*sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb")), shutil.which("initdb") or ""]
    initdb = next((p for p in found if p and os.access(p, os.X_OK)), None)
    if initdb is None:
        return "no PostgreSQL server answers and no PostgreSQL binaries (initdb) are installed"
    bindir = Path(initdb).parent
    data = Path(tempfile.mkdtemp(prefix="footfall-pg-"))
    run_as: list[str] = []
    if os.geteuid() == 0:  # initdb refuses root: run the server as the postgres (or nobody) user
        user = "postgres" if _user_exists("postgres") else "nobody"
        shutil.chown(data, user=user)
        run_as = ["runuser", "-u", user, "--"]
    port = _free_port()
    subprocess.run(
        [*run_as, str(bindir / "initdb"), "-D", str(data / "db"), "-A", "trust", "-U", "postgres"],
        check=True,
        capture_output=True,
    )
    subprocess.run(
        [
            *run_as,
            str(bindir / "pg_ctl"),
            "-D",
            str(data / "db"),
            "-l",
            str(data / "log"),
            "-w",
            "-o",
            f"-p {port} -k {data} -c listen_addresses=127.0.0.1",
            "start",
        ],
        check=True,
        capture_output=True,
    )
    url = f"postgresql://postgres@127.0.0.1:{port}/postgres"
    for _ in range(50):
        if _can_connect(url):
            return url, data
        time.sleep(0.2)
    return f"a throwaway PostgreSQL server did not come up (log: {data / 'log'})"


def _user_exists(name: str) -> bool:
    try:
        pwd.getpwnam(name)
        return True
    except KeyError:
        return False


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A reachable PostgreSQL server's URL, or a skip that says why there is none."""
    url = os.environ.get("FOOTFALL_TEST_POSTGRES_URL", DEFAULT_PG)
    if _can_connect(url):
        yield url
        return
    started = _start_throwaway_postgres()
    if isinstance(started, str):
        pytest.skip(started)
    url, data = started
    try:
        yield url
    finally:
        run_as = ["runuser", "-u", data.owner(), "--"] if os.geteuid() == 0 else []
        bindir = Path(sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))[-1]).parent
        subprocess.run(
            [*run_as, str(bindir / "pg_ctl"), "-D", str(data / "db"), "-m", "immediate", "stop"], capture_output=True
        )
        shutil.rmtree(data, ignore_errors=True)


def make_schema(postgres_url: str) -> str:
    """A URL whose search_path is a fresh schema (drop it with `drop_schema`)."""
    import psycopg

    schema = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(postgres_url, autocommit=True) as con:
        con.execute(f"CREATE SCHEMA {schema}")
    sep = "&" if "?" in postgres_url else "?"
    return f"{postgres_url}{sep}options=-csearch_path%3D{schema}"


def drop_schema(postgres_url: str, schema_url: str) -> None:
    """Drop the schema a `make_schema` URL names."""
    import psycopg

    schema = schema_url.rsplit("%3D", 1)[1]
    with psycopg.connect(postgres_url, autocommit=True) as con:
        con.execute(f"DROP SCHEMA {schema} CASCADE")


@pytest.fixture
def postgres_schema_url(postgres_url: str) -> Iterator[str]:
    """A URL whose search_path is a fresh schema, dropped after the test."""
    url = make_schema(postgres_url)
    yield url
    drop_schema(postgres_url, url)


@pytest.fixture(params=["duckdb", pytest.param("postgres", marks=pytest.mark.postgres)])
def warehouse_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The same test on the embedded DuckDB file and on a real PostgreSQL server."""
    if request.param == "duckdb":
        return f"duckdb:///{tmp_path / 'warehouse.duckdb'}"
    return str(request.getfixturevalue("postgres_schema_url"))


@pytest.fixture
def warehouse(warehouse_url: str) -> Iterator[Warehouse]:
    """An open, migrated warehouse of each kind."""
    with connect(warehouse_url) as wh:
        yield wh
