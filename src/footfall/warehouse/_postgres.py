"""The server warehouse: PostgreSQL through psycopg 3, bulk loads with COPY."""

from __future__ import annotations

from typing import Any

import polars as pl

from footfall.errors import InputError, WarehouseError
from footfall.warehouse import _dialect
from footfall.warehouse._base import Params, Warehouse
from footfall.warehouse._frames import to_copy_csv, to_utc
from footfall.warehouse._priority import lowered
from footfall.warehouse._urls import redact_url

__all__ = ["PostgresWarehouse"]

COPY_ROWS = 250_000

# PostgreSQL type OIDs → Polars dtypes, so empty results keep their column types.
_TYPES: dict[int, Any] = {
    16: pl.Boolean,
    20: pl.Int64,
    21: pl.Int16,
    23: pl.Int32,
    700: pl.Float32,
    701: pl.Float64,
    1700: pl.Float64,
    25: pl.String,
    1043: pl.String,
    19: pl.String,
    1082: pl.Date,
    1114: pl.Datetime("us"),
    1184: pl.Datetime("us", "UTC"),
    1009: pl.List(pl.String),
    1015: pl.List(pl.String),
    1016: pl.List(pl.Int64),
}


class PostgresWarehouse(Warehouse):
    """A PostgreSQL database; the session time zone is UTC."""

    _background = False

    dialect = "postgres"

    def __init__(self, conninfo: str, *, url: str) -> None:
        try:
            import psycopg
        except ImportError:  # pragma: no cover - depends on the installed extras
            raise InputError("PostgreSQL support needs the server extra: pip install 'footfall[server]'") from None
        self._psycopg = psycopg
        self.url = url
        try:
            self._con = psycopg.connect(conninfo, autocommit=True, connect_timeout=10)
        except psycopg.Error as exc:
            raise WarehouseError(f"cannot connect to PostgreSQL at {redact_url(url)}: {_first_line(exc)}") from None
        self._con.execute("SET TIME ZONE 'UTC'")

    @classmethod
    def over(cls, connection: Any, *, url: str, background: bool = False) -> PostgresWarehouse:
        """A warehouse over an open psycopg connection (a server's pooled read connection, already set up);
        `background`: its queries run at lower CPU priority than the server's event loop (docs/serving.md)."""
        import psycopg

        warehouse = cls.__new__(cls)
        warehouse._psycopg = psycopg
        warehouse.url = url
        warehouse._con = connection
        warehouse._background = background
        return warehouse

    def execute(self, sql: str, params: Params = None) -> None:
        """Run one statement (or a script when `params` is None)."""
        if self._background:  # a server's query: on a lowered thread (docs/serving.md)
            lowered(lambda: self._execute(sql, params))
            return
        self._execute(sql, params)

    def _execute(self, sql: str, params: Params) -> None:
        try:
            if params is None:
                self._con.execute(sql.encode("utf-8"))  # raw script, no placeholders
            else:
                self._con.execute(_dialect.placeholders(sql, self.dialect).encode("utf-8"), dict(params))
        except self._psycopg.Error as exc:
            raise WarehouseError(f"PostgreSQL: {_first_line(exc)}") from exc

    def query(self, sql: str, params: Params = None) -> pl.DataFrame:
        """Rows of a query as a Polars frame typed from the result's column types."""
        if self._background:  # a server's query: on a lowered thread (docs/serving.md)
            return lowered(lambda: self._query(sql, params))
        return self._query(sql, params)

    def _query(self, sql: str, params: Params) -> pl.DataFrame:
        try:
            with self._con.cursor() as cur:
                cur.execute(_dialect.placeholders(sql, self.dialect).encode("utf-8"), dict(params or {}))
                desc = cur.description or []
                rows = cur.fetchall()
        except self._psycopg.Error as exc:
            raise WarehouseError(f"PostgreSQL: {_first_line(exc)}") from exc
        names = [d.name for d in desc]
        if len(set(names)) < len(names):
            raise WarehouseError(f"PostgreSQL: the query returns duplicate column names {names}; alias them")
        schema = {d.name: _TYPES.get(d.type_code, pl.Object) for d in desc}
        if any(dtype is pl.Object for dtype in schema.values()):
            return to_utc(pl.DataFrame(rows, schema=list(schema), orient="row"))
        return to_utc(pl.DataFrame(rows, schema=schema, orient="row"))

    def insert(self, table: str, frame: pl.DataFrame) -> int:
        """COPY the frame in CSV slices (bounded memory for large loads)."""
        cols = ", ".join(f'"{c}"' for c in frame.columns)
        try:
            with self._con.cursor() as cur, cur.copy(f"COPY {table} ({cols}) FROM STDIN (FORMAT CSV)") as copy:
                for start in range(0, frame.height, COPY_ROWS):
                    copy.write(to_copy_csv(frame.slice(start, COPY_ROWS)))
        except self._psycopg.Error as exc:
            raise WarehouseError(f"PostgreSQL: loading {table}: {_first_line(exc)}") from exc
        return frame.height

    def close(self) -> None:
        """Close the connection."""
        self._con.close()


def _first_line(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
