"""The PostgreSQL read pool: psycopg_pool connections set up as read-only sessions for the API.

Each pooled session is `SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY`, stops a
statement after the request timeout (`statement_timeout`), and `SET ROLE`s to the read-only
role (`FOOTFALL_API_DB_ROLE`, default `footfall_reader`) when that role exists and may read
the schema; otherwise it stays read-only as the connecting user and says so once in the log.
The data version is the count and newest `finished_at` of `runs` (every pipeline run records
one in the transaction of its data), read at most once a second. docs/serving.md
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Hashable
from typing import Any

from footfall.errors import UnavailableError, WarehouseError
from footfall.warehouse._base import Warehouse
from footfall.warehouse._postgres import PostgresWarehouse
from footfall.warehouse._read_pool import ReadPool, Refresh

__all__ = ["PostgresReadPool"]

log = logging.getLogger("footfall.api")

REFRESH_SECONDS = 1.0  # the data version (and what `on_refresh` keeps) is read at most this often
_VERSION_SQL = "SELECT count(*) AS runs, max(finished_at) AS last FROM runs"
_ROLE_SQL = """
SELECT r.oid IS NOT NULL AS found,
       coalesce(pg_has_role(current_user, r.oid, 'MEMBER'), false) AS member,
       coalesce(has_schema_privilege(r.oid, current_schema(), 'USAGE'), false) AS reads,
       current_user AS login, current_schema() AS schema
FROM (SELECT 1) one LEFT JOIN pg_roles r ON r.rolname = %(role)s
"""


class PostgresReadPool(ReadPool):
    """`size` read-only sessions (one more for the data version), opened on demand and reused."""

    dialect = "postgres"

    def __init__(
        self,
        url: str,
        *,
        size: int,
        statement_timeout: float,
        connect_timeout: float,
        role: str = "",
        on_refresh: Refresh | None = None,
    ) -> None:
        from psycopg_pool import ConnectionPool

        super().__init__(url, size=size, on_refresh=on_refresh)
        self._timeout_ms = max(1, int(statement_timeout * 1000))
        self._connect_timeout = connect_timeout
        self._role = role
        self._role_said = False
        self._pool = ConnectionPool(
            url,
            min_size=1,
            max_size=size + 1,
            open=False,
            kwargs={"autocommit": True, "connect_timeout": max(1, round(connect_timeout))},
            configure=self._configure,
            name="footfall-read",
            timeout=connect_timeout,
        )
        self._version: Hashable | None = None
        self._refreshed_at = float("-inf")
        self._kick = threading.Event()
        self._stop = threading.Event()
        self._refresher = threading.Thread(target=self._refresh_loop, name="footfall-pg-version", daemon=True)

    def start(self) -> None:
        self._pool.open(wait=False)
        self._refreshed_at = time.monotonic()
        self._version = self._read_version()  # tokens and version ready before the first request
        self._refresher.start()

    def problem(self) -> UnavailableError | None:
        return None  # known only by trying: `checkout` says

    def checkout(self) -> Warehouse:
        from psycopg_pool import PoolTimeout

        try:
            connection = self._pool.getconn(timeout=self._connect_timeout)
        except PoolTimeout:
            log.warning("no PostgreSQL connection within %g s (psycopg.pool's log says why)", self._connect_timeout)
            raise WarehouseError(
                f"cannot connect to PostgreSQL right now (no connection within {self._connect_timeout:g} s)"
            ) from None
        return PostgresWarehouse.over(connection, url=self.url, background=True)

    def checkin(self, warehouse: Warehouse) -> None:
        if isinstance(warehouse, PostgresWarehouse):
            self._pool.putconn(warehouse._con)  # a broken session is discarded, not lent again

    def data_version(self) -> Hashable | None:
        self.freshen()
        return self._version

    def freshen(self) -> None:
        if time.monotonic() - self._refreshed_at >= REFRESH_SECONDS:
            self._kick.set()

    def close(self) -> None:
        self._stop.set()
        self._kick.set()
        if self._refresher.is_alive():
            self._refresher.join(timeout=5)
        self._pool.close(timeout=5)

    def _refresh_loop(self) -> None:
        while not self._stop.is_set():
            if not self._kick.wait(0.5):
                continue
            self._kick.clear()
            if self._stop.is_set() or time.monotonic() - self._refreshed_at < REFRESH_SECONDS:
                continue
            self._refreshed_at = time.monotonic()
            self._version = self._read_version()

    def _read_version(self) -> Hashable | None:
        from psycopg_pool import PoolTimeout

        try:
            with self._pool.connection(timeout=self._connect_timeout) as connection:
                warehouse = PostgresWarehouse.over(connection, url=self.url)
                row = warehouse.query(_VERSION_SQL).row(0)
                self._refreshed(warehouse)
        except (WarehouseError, PoolTimeout) as exc:
            log.warning("cannot read the warehouse's data version: %s", exc)
            return None
        return (row[0], str(row[1]))

    def _configure(self, connection: Any) -> None:
        """Set up a new pooled session: UTC, read-only, the statement timeout, the read-only role."""
        connection.execute("SET TIME ZONE 'UTC'")
        connection.execute("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY")
        connection.execute(f"SET statement_timeout = {self._timeout_ms}")
        if self._role:
            self._set_role(connection)

    def _set_role(self, connection: Any) -> None:
        from psycopg import sql

        found, member, reads, login, schema = connection.execute(_ROLE_SQL, {"role": self._role}).fetchone()
        if found and member and reads:
            connection.execute(sql.SQL("SET ROLE {}").format(sql.Identifier(self._role)))
            return
        why = "does not exist" if not found else f"is not granted to {login}" if not member else f"cannot read {schema}"
        if not self._role_said:
            log.warning(
                "PostgreSQL role %s %s: the API's sessions stay read-only as %s (FOOTFALL_API_DB_ROLE)",
                self._role,
                why,
                login,
            )
            self._role_said = True
