"""`footfall migrate`: what the compose file's one-shot `migrate` service runs before the other services."""

from __future__ import annotations

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
