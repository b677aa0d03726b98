"""The Warehouse interface shared by the DuckDB and PostgreSQL implementations."""

from __future__ import annotations

import abc
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from importlib import resources
from typing import Any

import polars as pl

from footfall.interrupts import committing
from footfall.warehouse import _dialect
from footfall.warehouse._urls import redact_url

__all__ = ["Warehouse"]

Params = Mapping[str, Any] | None


class Warehouse(abc.ABC):
    """A SQL warehouse: run statements, bulk-load frames, query into Polars, all in transactions.

    SQL uses `:name` placeholders and the common subset of DuckDB and PostgreSQL; the few
    dialect differences are rewritten in `footfall.warehouse._dialect`.
    """

    dialect: str
    url: str  # as given, with any password: never print, log or store it (use `display_url`)

    @property
    def display_url(self) -> str:
        """The URL without its password: the form every message, log, run record and state file uses."""
        return redact_url(self.url)

    @abc.abstractmethod
    def execute(self, sql: str, params: Params = None) -> None:
        """Run one statement (or several, when `params` is None)."""

    @abc.abstractmethod
    def query(self, sql: str, params: Params = None) -> pl.DataFrame:
        """Run a query and return its rows; timestamps come back as UTC instants."""

    @abc.abstractmethod
    def insert(self, table: str, frame: pl.DataFrame) -> int:
        """Bulk-load `frame` into `table` (columns by name) and return the row count."""

    _depth = 0

    @contextmanager
    def transaction(self, *, then: Callable[[], None] | None = None, results: bool = True) -> Iterator[None]:
        """All statements inside commit together, or none does; nested blocks join the outer one.

        The COMMIT, and `then` right after it (what must change along with the rows, e.g. an
        incremental state swapped in), are not cut by Ctrl-C (`interrupts.committing`); it marks
        the run as committed unless `results=False` (a migration: not the run's results).
        """
        if self._depth and then is not None:
            raise ValueError("`then` belongs to the outermost transaction")
        if self._depth:
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
            return
        self.execute("BEGIN TRANSACTION")
        self._depth = 1
        try:
            yield
        except BaseException:
            self._depth = 0
            self.execute("ROLLBACK")
            raise
        self._depth = 0
        with committing(marks_run=results):
            self.execute("COMMIT")
            if then is not None:
                then()

    @abc.abstractmethod
    def close(self) -> None:
        """Release the connection."""

    def interrupt(self) -> None:  # noqa: B027 -- optional: a no-op where the server stops queries itself
        """Stop the running query from another thread, where the warehouse can (PostgreSQL: `statement_timeout`)."""

    def __enter__(self) -> Warehouse:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def replace_rows(self, table: str, frame: pl.DataFrame, *, where: str = "", params: Params = None) -> int:
        """Delete the rows matching `where` (all rows when empty), then insert `frame`, atomically."""
        with self.transaction():
            self.execute(f"DELETE FROM {table}" + (f" WHERE {where}" if where else ""), params)
            return self.insert(table, frame) if frame.height else 0

    def upsert(self, table: str, frame: pl.DataFrame, *, key: str = "id") -> int:
        """Insert rows with new keys and update rows that differ; unchanged rows are not touched.

        Written as INSERT of new keys plus UPDATE of changed rows (not ON CONFLICT), because
        DuckDB turns ON CONFLICT updates into delete+insert, which foreign keys refuse.
        Returns the number of rows inserted or changed.
        """
        if not frame.height:
            return 0
        stage = f"_stage_{table}"
        cols = ", ".join(f'"{c}"' for c in frame.columns)
        others = [c for c in frame.columns if c != key]
        with self.transaction():
            self.execute(f"DROP TABLE IF EXISTS {stage}")
            self.execute(f"CREATE TEMP TABLE {stage} AS SELECT {cols} FROM {table} WHERE 1 = 0")
            self.insert(stage, frame)
            changed_rows = self.query(
                f"SELECT count(*) AS n FROM {stage} s JOIN {table} t ON t.{key} = s.{key} WHERE "
                + (" OR ".join(f't."{c}" IS DISTINCT FROM s."{c}"' for c in others) or "FALSE")
            )["n"][0]
            if changed_rows and others:
                self.execute(
                    f"UPDATE {table} SET "
                    + ", ".join(f'"{c}" = s."{c}"' for c in others)
                    + f" FROM {stage} s WHERE {table}.{key} = s.{key} AND ("
                    + " OR ".join(f'{table}."{c}" IS DISTINCT FROM s."{c}"' for c in others)
                    + ")"
                )
            is_new = f"NOT EXISTS (SELECT 1 FROM {table} t WHERE t.{key} = s.{key})"
            new_rows = self.query(f"SELECT count(*) AS n FROM {stage} s WHERE {is_new}")["n"][0]
            self.execute(f"INSERT INTO {table} ({cols}) SELECT {cols} FROM {stage} s WHERE {is_new}")
            self.execute(f"DROP TABLE {stage}")
        return int(changed_rows) + int(new_rows)

    def migrate(self) -> list[str]:
        """Apply the migrations not applied yet, each in its own transaction; return their names."""
        self.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations (version TEXT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL)"
        )
        done = set(self.query("SELECT version FROM schema_migrations")["version"].to_list())
        applied = []
        folder = resources.files("footfall.warehouse") / "migrations"
        for entry in sorted(folder.iterdir(), key=lambda e: e.name):
            if not entry.name.endswith(".sql") or entry.name[:-4] in done:
                continue
            sql = _dialect.for_dialect(entry.read_text(encoding="utf-8"), self.dialect)
            with self.transaction(results=False):
                for statement in _dialect.split_statements(sql):
                    self.execute(statement)
                self.execute(
                    "INSERT INTO schema_migrations VALUES (:v, CURRENT_TIMESTAMP)",
                    {"v": entry.name[:-4]},
                )
            applied.append(entry.name[:-4])
        return applied

    def table_exists(self, table: str) -> bool:
        """Whether a table of that name exists in the current schema."""
        rows = self.query(
            "SELECT count(*) AS n FROM information_schema.tables "
            "WHERE table_name = :t AND table_schema = " + _dialect.CURRENT_SCHEMA[self.dialect],
            {"t": table},
        )
        return bool(rows["n"][0])
