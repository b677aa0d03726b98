"""`footfall migrate`: bring the warehouse's schema up to date and exit (containers run it once before the services)."""

from __future__ import annotations

from typing import Annotated

import typer

from footfall.cli._common import WarehouseOption, console


def migrate(
    warehouse: WarehouseOption = None,
    schema: Annotated[
        list[str] | None,
        typer.Option(
            "--schema",
            help="Also create this schema when missing (repeatable), e.g. dagster for the orchestrator's tables.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Apply the warehouse migrations not applied yet (each in its own transaction) and list them."""
    from footfall.config import get_settings
    from footfall.deploy.warehouse import ensure_schemas
    from footfall.warehouse import connect

    with connect(warehouse or get_settings().warehouse_url(), migrate=False) as wh:
        applied = wh.migrate()
        created = ensure_schemas(wh, schema or [])
    console.print(f"applied {len(applied)} migration(s): {', '.join(applied)}" if applied else "schema up to date")
    if created:
        console.print(f"schemas present: {', '.join(created)}")
