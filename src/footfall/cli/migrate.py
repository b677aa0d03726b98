"""`footfall migrate`: bring the warehouse's schema up to date and exit (containers run it once before the services)."""

from __future__ import annotations

from footfall.cli._common import WarehouseOption, console, user_errors


def migrate(warehouse: WarehouseOption = None) -> None:
    """Apply the warehouse migrations not applied yet (each in its own transaction) and list them."""
    from footfall.config import get_settings
    from footfall.warehouse import connect

    with user_errors(), connect(warehouse or get_settings().warehouse_url(), migrate=False) as wh:
        applied = wh.migrate()
    console.print(f"applied {len(applied)} migration(s): {', '.join(applied)}" if applied else "schema up to date")
