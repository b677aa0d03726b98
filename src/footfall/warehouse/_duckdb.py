"""The embedded warehouse: a DuckDB file (or `:memory:`)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import NoReturn

import duckdb
import polars as pl

from footfall.errors import WarehouseError
from footfall.warehouse import _dialect
from footfall.warehouse._base import Params, Warehouse
from footfall.warehouse._frames import to_utc

__all__ = ["DuckDBWarehouse"]

LOCK_WAIT_SECONDS = 10.0  # the API releases its connection after 2 s idle


class DuckDBWarehouse(Warehouse):
    """A DuckDB database file; the session time zone is UTC so instants read back as UTC."""

    dialect = "duckdb"

    def __init__(self, path: str, *, url: str, read_only: bool = False, memory_limit: str = "1GB") -> None:
        self.url = url
        if path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        self._con = _open(path, read_only=read_only)
        self._con.execute("SET TimeZone = 'UTC'")
        # Large loads spill to disk instead of growing: keeps runs within bounded memory.
        self._con.execute(f"SET memory_limit = '{memory_limit}'")  # FOOTFALL_DUCKDB_MEMORY_LIMIT

    def execute(self, sql: str, params: Params = None) -> None:
        """Run one statement, or a script when `params` is None."""
        try:
            self._con.execute(_dialect.placeholders(sql, self.dialect), dict(params or {}))
        except duckdb.Error as exc:
            raise WarehouseError(f"DuckDB: {_first_line(exc)}") from exc
        except RuntimeError as exc:
            _reraise_interrupt(exc)

    def query(self, sql: str, params: Params = None) -> pl.DataFrame:
        """Rows of a query as a Polars frame."""
        try:
            relation = self._con.sql(_dialect.placeholders(sql, self.dialect), params=dict(params or {}))
            frame = relation.pl() if relation is not None else pl.DataFrame()
        except duckdb.Error as exc:
            raise WarehouseError(f"DuckDB: {_first_line(exc)}") from exc
        except RuntimeError as exc:
            _reraise_interrupt(exc)
        return to_utc(frame)

    def insert(self, table: str, frame: pl.DataFrame) -> int:
        """Insert through a replacement scan of a local Arrow table (zero-copy).

        Not `register()`: tables registered inside one open transaction stay in memory until it
        ends (duckdb/duckdb-python#469), which made a 100M-event load grow past 19 GiB.
        """
        cols = ", ".join(f'"{c}"' for c in frame.columns)
        footfall_load = frame.to_arrow()  # noqa: F841 -- read by DuckDB's replacement scan below
        try:
            self._con.execute(f"INSERT INTO {table} ({cols}) SELECT {cols} FROM footfall_load")
        except duckdb.Error as exc:
            raise WarehouseError(f"DuckDB: {_first_line(exc)}") from exc
        except RuntimeError as exc:
            _reraise_interrupt(exc)
        return frame.height

    def close(self) -> None:
        """Close the file."""
        self._con.close()


def _open(path: str, *, read_only: bool) -> duckdb.DuckDBPyConnection:
    """Open the file, waiting up to LOCK_WAIT_SECONDS while another process holds it (e.g. the API)."""
    deadline = time.monotonic() + LOCK_WAIT_SECONDS
    while True:
        try:
            return duckdb.connect(path, read_only=read_only)
        except duckdb.IOException as exc:
            if "lock" not in str(exc).lower() or time.monotonic() > deadline:
                raise WarehouseError(
                    f"cannot open DuckDB warehouse {path}: another process holds it ({_first_line(exc)}); "
                    "stop it, or use PostgreSQL for concurrent use"
                ) from None
            time.sleep(0.25)
        except duckdb.Error as exc:
            raise WarehouseError(f"cannot open DuckDB warehouse {path}: {_first_line(exc)}") from None


def _reraise_interrupt(exc: RuntimeError) -> NoReturn:
    """DuckDB turns Ctrl-C during a query into `RuntimeError: Query interrupted`: make it Ctrl-C again."""
    if "interrupted" in str(exc).lower():
        raise KeyboardInterrupt from None
    raise exc


def _first_line(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
