"""The embedded warehouse: a DuckDB file (or `:memory:`)."""

from __future__ import annotations

import time
import warnings
from pathlib import Path
from typing import NoReturn

import duckdb
import polars as pl

from footfall.errors import WarehouseError
from footfall.warehouse import _dialect, _intent
from footfall.warehouse._base import Params, Warehouse
from footfall.warehouse._frames import to_utc
from footfall.warehouse._priority import lowered

__all__ = ["DuckDBWarehouse"]

warnings.filterwarnings("ignore", message="Arrow output on a DB-API result", category=UserWarning)

LOCK_TIMEOUT = 30.0  # FOOTFALL_DUCKDB_LOCK_TIMEOUT: how long a writer waits for the file
_RETRY = 0.1  # seconds between attempts to open a file another process holds


class DuckDBWarehouse(Warehouse):
    """A DuckDB database file; the session time zone is UTC so instants read back as UTC.

    A writer announces itself before it opens the file and withdraws when it closes
    (`_intent`, docs/serving.md#sharing-a-duckdb-file-with-pipelines), so a server reading the
    same file lets go of it; it waits up to `lock_timeout` seconds for the file.
    """

    _background = False

    dialect = "duckdb"
    _announced: str | None = None

    def __init__(
        self,
        path: str,
        *,
        url: str,
        read_only: bool = False,
        memory_limit: str = "1GB",
        lock_timeout: float | None = None,
    ) -> None:
        self.url = url
        if path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        if not read_only and path != ":memory:":
            _intent.announce(path)
            self._announced = path
        try:
            self._con = _open(path, read_only=read_only, timeout=LOCK_TIMEOUT if lock_timeout is None else lock_timeout)
            self._con.execute("SET TimeZone = 'UTC'")
            # Large loads spill to disk instead of growing: keeps runs within bounded memory.
            self._con.execute(f"SET memory_limit = '{memory_limit}'")  # FOOTFALL_DUCKDB_MEMORY_LIMIT
        except BaseException:
            self._withdraw()
            raise

    @classmethod
    def over(cls, connection: duckdb.DuckDBPyConnection, *, url: str, background: bool = False) -> DuckDBWarehouse:
        """A warehouse over an open connection or cursor (a server's pooled read connection); `background`:
        its queries run at lower CPU priority than the server's event loop (docs/serving.md)."""
        warehouse = cls.__new__(cls)
        warehouse.url = url
        warehouse._con = connection
        warehouse._background = background
        warehouse._con.execute("SET TimeZone = 'UTC'")
        return warehouse

    def interrupt(self) -> None:
        """Stop the query running on this connection (from another thread); it fails with a WarehouseError."""
        self._con.interrupt()

    def execute(self, sql: str, params: Params = None) -> None:
        """Run one statement, or a script when `params` is None."""
        if self._background:  # a server's query: on a lowered thread (docs/serving.md)
            lowered(lambda: self._execute(sql, params))
            return
        self._execute(sql, params)

    def _execute(self, sql: str, params: Params) -> None:
        try:
            self._con.execute(_dialect.placeholders(sql, self.dialect), dict(params or {}))
        except duckdb.Error as exc:
            raise WarehouseError(f"DuckDB: {_first_line(exc)}") from exc
        except RuntimeError as exc:
            _reraise_interrupt(exc)

    def query(self, sql: str, params: Params = None) -> pl.DataFrame:
        """Rows of a query as a Polars frame, through `execute` and Arrow.

        Not the relation API (`sql().pl()`): in duckdb 2 that layer is Python and holds the GIL for
        much of a query, so a server's parallel queries ran one at a time and stalled its event
        loop (a report on 4 threads: 2.7x the throughput this way). DuckDB's warning that Arrow
        from a DB-API result costs a copy of the rows is silenced above: results here are small.
        """
        if self._background:  # a server's query: on a lowered thread (docs/serving.md)
            return lowered(lambda: self._query(sql, params))
        return self._query(sql, params)

    def _query(self, sql: str, params: Params) -> pl.DataFrame:
        try:
            result = self._con.execute(_dialect.placeholders(sql, self.dialect), dict(params or {}))
            table = result.to_arrow_table() if result.description is not None else None
            frame = pl.DataFrame() if table is None else pl.DataFrame(pl.from_arrow(table))
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
        """Close the file (and withdraw a writer's announcement)."""
        try:
            self._con.close()
        finally:
            self._withdraw()

    def _withdraw(self) -> None:
        if self._announced is not None:
            _intent.withdraw(self._announced)
            self._announced = None


def _open(path: str, *, read_only: bool, timeout: float) -> duckdb.DuckDBPyConnection:
    """Open the file, waiting up to `timeout` seconds (in short slices) while another process holds it."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return duckdb.connect(path, read_only=read_only)
        except (duckdb.IOException, duckdb.ConnectionException) as exc:
            # held by another process (a lock), or by this one with another configuration (read-only)
            if "lock" not in str(exc).lower() and "different configuration" not in str(exc):
                raise WarehouseError(f"cannot open DuckDB warehouse {path}: {_first_line(exc)}") from None
            if time.monotonic() > deadline:
                pid = _intent.holder_pid(str(exc))
                holder = _intent.describe_process(pid) if pid is not None else "another process"
                raise WarehouseError(
                    f"cannot open DuckDB warehouse {path}{' for writing' if not read_only else ''}: {holder} still "
                    f"holds it after {timeout:g} s; stop it or let it finish, raise FOOTFALL_DUCKDB_LOCK_TIMEOUT, "
                    "or use PostgreSQL for many writers"
                ) from None
            if not read_only:
                _intent.announce(path, overwrite=False)  # a writer that finished meanwhile removed the file
            time.sleep(_RETRY)
        except duckdb.Error as exc:
            raise WarehouseError(f"cannot open DuckDB warehouse {path}: {_first_line(exc)}") from None


def _reraise_interrupt(exc: RuntimeError) -> NoReturn:
    """DuckDB turns Ctrl-C during a query into `RuntimeError: Query interrupted`: make it Ctrl-C again."""
    if "interrupted" in str(exc).lower():
        raise KeyboardInterrupt from None
    raise exc


def _first_line(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
