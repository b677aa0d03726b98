"""Read pools: a bounded set of read-only warehouse connections, each lent to one request at a time.

A server answers many requests at once, so it keeps `size` connections and lends each to one
request: DuckDB, one read-only database per process with one cursor per slot (cursors run
queries in parallel); PostgreSQL, a psycopg pool of read-only sessions (`_postgres_pool`).
Lending never waits here: the server bounds how many requests wait, and for how long
(`footfall.api.serving`). How this shares a DuckDB file with pipelines, and why:
docs/serving.md#sharing-a-duckdb-file-with-pipelines.
"""

from __future__ import annotations

import abc
import logging
import os
import threading
from collections.abc import Callable, Hashable
from contextlib import suppress

import duckdb

from footfall.errors import OverloadedError, UnavailableError
from footfall.warehouse import _intent
from footfall.warehouse._base import Warehouse
from footfall.warehouse._duckdb import DuckDBWarehouse
from footfall.warehouse._priority import lowered

__all__ = ["BUSY", "DuckDBReadPool", "ReadPool", "Refresh"]

log = logging.getLogger("footfall.api")

BUSY = "the warehouse is busy: a pipeline is writing to it; retry in a few seconds"
_POLL = 0.1  # seconds between looks for a writer's announcement
Refresh = Callable[[Warehouse], None]  # run with a connection whenever the data may have changed


class ReadPool(abc.ABC):
    """Read-only connections lent one request at a time; `problem()` says why none can be lent now."""

    dialect: str
    size: int

    def __init__(self, url: str, *, size: int, on_refresh: Refresh | None = None) -> None:
        self.url = url
        self.size = size
        self._on_refresh = on_refresh

    @abc.abstractmethod
    def start(self) -> None:
        """Open the first connections (a failure is kept as `problem()`, not raised)."""

    @abc.abstractmethod
    def problem(self) -> UnavailableError | None:
        """Why no connection can be lent right now (busy, unreachable), or None."""

    @abc.abstractmethod
    def checkout(self) -> Warehouse:
        """A connection for one request; it may block briefly, so call it from a worker thread."""

    def checkout_now(self) -> Warehouse | None:
        """A connection that is ready now, without blocking, or None (then use `checkout` in a thread)."""
        return None

    @abc.abstractmethod
    def checkin(self, warehouse: Warehouse) -> None:
        """Give a connection back (never blocks)."""

    @abc.abstractmethod
    def data_version(self) -> Hashable | None:
        """A value that changes whenever the data may have changed (None: unknown, cache nothing)."""

    def freshen(self) -> None:  # noqa: B027 -- optional: a no-op where the version is always current
        """Ask for `data_version` and `on_refresh` to be brought up to date soon, without waiting."""

    @abc.abstractmethod
    def close(self) -> None:
        """Close every connection and stop background work."""

    def _refreshed(self, warehouse: Warehouse) -> None:
        if self._on_refresh is not None:
            try:
                self._on_refresh(warehouse)
            except Exception:  # a refresh must never stop serving; the next one may succeed
                log.exception("refreshing what the server keeps from the warehouse failed")


class DuckDBReadPool(ReadPool):
    """One read-only DuckDB database with `size` cursors; it lets go of the file while a writer announces itself."""

    dialect = "duckdb"

    def __init__(self, url: str, path: str, *, size: int, memory_limit: str, on_refresh: Refresh | None = None):
        super().__init__(url, size=size, on_refresh=on_refresh)
        self.path = path
        self._memory_limit = memory_limit
        self._lock = threading.Lock()
        self._opening = threading.Lock()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._db: duckdb.DuckDBPyConnection | None = None
        self._free: list[DuckDBWarehouse] = []
        self._lent = 0
        self._draining = False
        self._problem: tuple[type[UnavailableError], str] | None = (UnavailableError, "the warehouse is opening")
        self._version: Hashable | None = None
        self._monitor = threading.Thread(target=self._watch, name="footfall-read-pool", daemon=True)
        self._logged = ""

    def start(self) -> None:
        self._tick()
        self._monitor.start()

    def problem(self) -> UnavailableError | None:
        kind = self._problem
        if kind is None:
            return None
        if kind[1] == BUSY and self._db is None and _intent.writer_pid(self.path) is None:
            return None  # the writer has gone: the next checkout opens the file again
        return OverloadedError(kind[1], retry_after=2) if kind[0] is OverloadedError else kind[0](kind[1])

    def checkout(self) -> Warehouse:
        for _ in range(2):
            found = self.checkout_now()
            if found is not None:
                return found
            if self._db is not None:
                raise OverloadedError(f"all {self.size} read connections are busy; retry shortly")
            self._reopen()  # closed for a writer that has gone since: open again now, not at the next look
        raise self.problem() or UnavailableError("the warehouse cannot be opened")

    def checkout_now(self) -> DuckDBWarehouse | None:
        with self._lock:
            if self._draining:
                raise OverloadedError(BUSY, retry_after=2)
            if self._db is None or not self._free:
                return None
            self._lent += 1
            return self._free.pop()

    def checkin(self, warehouse: Warehouse) -> None:
        with self._lock:
            self._lent -= 1
            if self._db is not None and isinstance(warehouse, DuckDBWarehouse):
                self._free.append(warehouse)
            if self._draining and self._lent == 0:
                self._wake.set()  # the monitor closes the file now, not at its next look

    def data_version(self) -> Hashable | None:
        """While the file is open (read-only, so unchanged): its version then; while closed: its version now."""
        return self._version if self._db is not None else _file_version(self.path)

    def close(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._monitor.is_alive():
            self._monitor.join(timeout=5)
        with self._lock:
            db, self._db, self._free = self._db, None, []
            self._problem = (UnavailableError, "the server is stopping")
        _close(db)

    def _watch(self) -> None:
        while not self._stop.is_set():
            self._wake.wait(_POLL)
            self._wake.clear()
            if not self._stop.is_set():
                self._tick()

    def _tick(self) -> None:
        """One look: let go of the file for an announced writer, or open it again once the writer is gone."""
        writer = _intent.writer_pid(self.path) if self.path != ":memory:" else None
        closing = None
        with self._lock:
            if writer is not None and self._db is not None and not self._draining:
                self._draining = True
                self._problem = (OverloadedError, BUSY)
                log.info("%s announced a write: closing read connections", _intent.describe_process(writer))
            if writer is None and self._draining and self._db is not None:  # the writer gave up before we let go
                self._draining, self._problem = False, None
            if self._draining and self._lent == 0 and self._db is not None:
                closing, self._db, self._free, self._draining = self._db, None, [], False
        _close(closing)
        if writer is None and self._db is None:
            self._reopen()

    def _reopen(self) -> None:
        with self._opening:
            if self._db is None and (self.path == ":memory:" or _intent.writer_pid(self.path) is None):
                self._open()

    def _open(self) -> None:
        try:
            read_only = self.path != ":memory:"  # (an in-memory database cannot be opened read-only)
            # opened on a lowered thread: DuckDB's worker threads inherit its priority (docs/serving.md)
            db = lowered(lambda: duckdb.connect(self.path, read_only=read_only))
            db.execute(f"SET memory_limit = '{self._memory_limit}'")
            cursors = [DuckDBWarehouse.over(db.cursor(), url=self.url, background=True) for _ in range(self.size)]
        except duckdb.Error as exc:
            self._cannot_open(str(exc))
            return
        version = _file_version(self.path)
        self._refreshed(cursors[0])
        with self._lock:
            self._db, self._free, self._lent = db, cursors, 0
            self._draining, self._problem, self._version = False, None, version
        if self._logged:
            log.info("read connections open again")
            self._logged = ""

    def _cannot_open(self, detail: str) -> None:
        """Keep why the file cannot be opened: held by a writer (busy), or missing or broken (unavailable)."""
        held = "lock" in detail.lower() or "different configuration" in detail
        with self._lock:
            self._problem = (OverloadedError, BUSY) if held else (UnavailableError, "the warehouse cannot be opened")
        line = detail.strip().splitlines()[0] if detail.strip() else "unknown error"
        if line != self._logged:  # once per distinct reason, with the detail only the server's log shows
            log.warning("cannot open the DuckDB warehouse read-only: %s", line)
            self._logged = line


def _file_version(path: str) -> Hashable | None:
    """Size and modification time of the database file and its WAL: they change whenever the data does."""
    parts: list[tuple[int, int] | None] = []
    for name in (path, f"{path}.wal"):
        try:
            stat = os.stat(name)
        except OSError:
            parts.append(None)
            continue
        parts.append((stat.st_size, stat.st_mtime_ns))
    return tuple(parts) if path != ":memory:" else None


def _close(db: duckdb.DuckDBPyConnection | None) -> None:
    if db is not None:
        with suppress(duckdb.Error):
            db.close()
