"""`connect(url)`: open the warehouse a URL names and bring its schema up to date."""

from __future__ import annotations

from pathlib import Path

from footfall.errors import InputError, NotFoundError
from footfall.warehouse._base import Warehouse
from footfall.warehouse._read_pool import DuckDBReadPool, ReadPool, Refresh
from footfall.warehouse._urls import redact_url

__all__ = ["connect", "duckdb_path", "read_pool"]


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
        settings = get_settings()
        warehouse = DuckDBWarehouse(
            path,
            url=url,
            read_only=read_only,
            memory_limit=settings.duckdb_memory_limit,
            lock_timeout=settings.duckdb_lock_timeout,
        )
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


def read_pool(
    url: str,
    *,
    size: int,
    timeout: float,
    statement_timeout: float,
    role: str = "",
    on_refresh: Refresh | None = None,
) -> ReadPool:
    """A server's pool of `size` read-only connections to the warehouse at `url` (not opened yet: `start()`).

    `timeout`: how long opening a PostgreSQL connection may take; `statement_timeout`: how long a
    PostgreSQL statement may run; `role`: the PostgreSQL role to `SET ROLE` to, where it can be.
    """
    if url.startswith("duckdb://"):
        from footfall.config import get_settings

        limit = get_settings().duckdb_memory_limit
        return DuckDBReadPool(url, duckdb_path(url), size=size, memory_limit=limit, on_refresh=on_refresh)
    if url.startswith(("postgresql://", "postgres://")):
        from footfall.warehouse._postgres_pool import PostgresReadPool

        return PostgresReadPool(
            url,
            size=size,
            statement_timeout=statement_timeout,
            connect_timeout=timeout,
            role=role,
            on_refresh=on_refresh,
        )
    raise InputError(
        f"bad warehouse URL {redact_url(url)!r}: use duckdb:///path.duckdb or postgresql://user@host:5432/db"
    )
