"""`connect(url)`: open the warehouse a URL names and bring its schema up to date."""

from __future__ import annotations

from pathlib import Path

from footfall.errors import InputError, NotFoundError
from footfall.warehouse._base import Warehouse
from footfall.warehouse._urls import redact_url

__all__ = ["connect", "duckdb_path"]


def connect(url: str, *, migrate: bool = True, read_only: bool = False, must_exist: bool = False) -> Warehouse:
    """Open `duckdb:///path.duckdb` (`duckdb:///:memory:`) or `postgresql://user@host/db`.

    `must_exist`: a DuckDB file that is not there is an error instead of a new, empty warehouse
    (what a command that only reads wants: a typo must not look like "no rows").
    """
    warehouse: Warehouse
    if url.startswith("duckdb://"):
        from footfall.config import get_settings
        from footfall.warehouse._duckdb import DuckDBWarehouse

        path = duckdb_path(url)
        if (must_exist or read_only) and path != ":memory:" and not Path(path).is_file():
            raise NotFoundError(
                f"no DuckDB warehouse at {Path(path).absolute()} ({url}): it does not exist, and a command that "
                "only reads does not create one; duckdb:///name is relative to the current folder, "
                "duckdb:////name is absolute"
            )
        limit = get_settings().duckdb_memory_limit
        warehouse = DuckDBWarehouse(path, url=url, read_only=read_only, memory_limit=limit)
    elif url.startswith(("postgresql://", "postgres://")):
        from footfall.warehouse._postgres import PostgresWarehouse

        warehouse = PostgresWarehouse(url, url=url)
    else:
        raise InputError(
            f"bad warehouse URL {redact_url(url)!r}: use duckdb:///path.duckdb or postgresql://user@host:5432/db"
        )
    if migrate and not read_only:
        warehouse.migrate()
    return warehouse


def duckdb_path(url: str) -> str:
    """The file of a `duckdb://` URL: `duckdb:///rel` → `rel`, `duckdb:////abs` → `/abs`."""
    path = url.removeprefix("duckdb://")
    path = path[1:] if path.startswith("/") else path
    if not path:
        raise InputError(f"bad warehouse URL {url!r}: give a file, e.g. duckdb:///footfall.duckdb")
    return path
