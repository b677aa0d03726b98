"""`footfall migrate`: what the compose file's one-shot `migrate` service runs before the other services."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from footfall.cli.main import app
from footfall.warehouse import connect


def test_migrate_applies_every_migration_once(warehouse_url: str) -> None:
    first = CliRunner().invoke(app, ["migrate", "--warehouse", warehouse_url])
    assert first.exit_code == 0 and "applied" in first.output and "001_http_sessions" in first.output
    with connect(warehouse_url, migrate=False) as wh:
        assert wh.table_exists("runs") and wh.table_exists("schema_migrations")
    again = CliRunner().invoke(app, ["migrate", "--warehouse", warehouse_url])
    assert again.exit_code == 0 and again.output.strip() == "schema up to date"


def test_an_unreachable_warehouse_is_one_line() -> None:
    result = CliRunner().invoke(app, ["migrate", "--warehouse", "postgresql://nobody@127.0.0.1:1/x"])
    assert result.exit_code == 2 and "cannot connect to PostgreSQL" in result.output


def test_migrate_creates_the_schemas_a_deployment_asks_for(warehouse_url: str) -> None:
    result = CliRunner().invoke(app, ["migrate", "--warehouse", warehouse_url, "--schema", "dagster_t"])
    assert result.exit_code == 0 and "schemas present: dagster_t" in result.output
    with connect(warehouse_url, migrate=False) as wh:
        names = wh.query("SELECT schema_name FROM information_schema.schemata")["schema_name"].to_list()
        assert "dagster_t" in names
        if wh.dialect == "postgres":
            wh.execute("DROP SCHEMA dagster_t")  # the test database is shared by every test
    again = CliRunner().invoke(app, ["migrate", "--warehouse", warehouse_url, "--schema", "dagster_t"])
    assert again.exit_code == 0


def test_a_bad_schema_name_is_one_line(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["migrate", "--warehouse", f"duckdb:///{tmp_path}/w.duckdb", "--schema", "x;drop"])
    assert result.exit_code == 2 and "bad schema name 'x;drop'" in result.output
