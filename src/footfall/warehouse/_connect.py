"""`connect(url)`: open the warehouse a URL names and bring its schema up to date."""

from __future__ import annotations

from footfall.errors import InputError
from footfall.warehouse._base import Warehouse

__all__ = ["connect"]


def connect(url: str, *, migrate: bool = True, read_only: bool = False) -> Warehouse:
    """Open `duckdb:///path.duckdb` (`duckdb:///:memory:`) or `postgresql://user@host/db`."""
    warehouse: Warehouse
    if url.startswith("duckdb://"):
        from footfall.warehouse._duckdb import DuckDBWarehouse

        path = url.removeprefix("duckdb://")
        path = path[1:] if path.startswith("/") else path  # duckdb:///rel, duckdb:////abs
        if not path:
            raise InputError(f"bad warehouse URL {url!r}: give a file, e.g. duckdb:///footfall.duckdb")
        warehouse = DuckDBWarehouse(path, url=url, read_only=read_only)
    elif url.startswith(("postgresql://", "postgres://")):
        from footfall.warehouse._postgres import PostgresWarehouse

        warehouse = PostgresWarehouse(url, url=url)
    else:
        raise InputError(f"bad warehouse URL {url!r}: use duckdb:///path.duckdb or postgresql://user@host:5432/db")
    if migrate and not read_only:
        warehouse.migrate()
    return warehouse
