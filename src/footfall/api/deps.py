"""Request dependencies: one warehouse connection per app, shared by requests one at a time.

Opening a DuckDB file costs ~30 ms, too much per request; but DuckDB lets only one process
write while any other holds the file open. So the app keeps one connection (read-only for
DuckDB), lends it to one request at a time, and closes it after `IDLE_SECONDS` without
requests, letting pipelines in other processes write between bursts of traffic.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import date
from typing import Annotated

from fastapi import Depends, Query, Request
from pydantic import BeforeValidator

from footfall.errors import WarehouseError
from footfall.reports.filters import Filters, parse_date
from footfall.warehouse import Warehouse, connect

__all__ = [
    "IDLE_SECONDS",
    "DatesDep",
    "FiltersDep",
    "SharedWarehouse",
    "WarehouseDep",
    "get_filters",
    "get_warehouse",
]

IDLE_SECONDS = 2.0


class SharedWarehouse:
    """A lazily opened connection lent to one request at a time and closed when idle."""

    def __init__(self, url: str, *, idle_seconds: float = IDLE_SECONDS) -> None:
        self.url = url
        self.idle_seconds = idle_seconds
        self._lock = threading.Lock()
        self._warehouse: Warehouse | None = None
        self._last_used = 0.0
        self._stop = threading.Event()
        self._reaper: threading.Thread | None = None

    @contextmanager
    def use(self) -> Iterator[Warehouse]:
        """The connection, exclusively, for the duration of the block."""
        with self._lock:
            if self._warehouse is None:
                self._warehouse = connect(self.url, migrate=False, read_only=self.url.startswith("duckdb"))
                self._start_reaper()
            try:
                yield self._warehouse
            except WarehouseError:
                self._close()  # the connection may be broken: reopen on the next request
                raise
            finally:
                self._last_used = time.monotonic()

    def close(self) -> None:
        """Close the connection and stop the idle reaper (at app shutdown)."""
        self._stop.set()
        with self._lock:
            self._close()

    def _close(self) -> None:
        if self._warehouse is not None:
            with suppress(Exception):
                self._warehouse.close()
            self._warehouse = None

    def _start_reaper(self) -> None:
        if self._reaper is None or not self._reaper.is_alive():
            self._reaper = threading.Thread(target=self._reap, name="footfall-warehouse-reaper", daemon=True)
            self._reaper.start()

    def _reap(self) -> None:
        while not self._stop.wait(self.idle_seconds / 4):
            idle = time.monotonic() - self._last_used > self.idle_seconds
            if idle and self._warehouse is not None and self._lock.acquire(blocking=False):
                try:
                    self._close()
                finally:
                    self._lock.release()


def get_warehouse(request: Request) -> Iterator[Warehouse]:
    """The app's shared warehouse connection for this request."""
    shared: SharedWarehouse = request.app.state.warehouse
    with shared.use() as warehouse:
        yield warehouse


WarehouseDep = Annotated[Warehouse, Depends(get_warehouse)]


# The report filters of a request (the one report contract, `reports.filters.Filters`): local dates in
# the report zone `tz` (default FOOTFALL_REPORT_TZ); an empty value (as a submitted form sends it) is no filter.
DateFrom = Annotated[
    date | None,
    BeforeValidator(lambda v: parse_date(v, param="date_from")),
    Query(alias="from", description="First local date (YYYY-MM-DD, in `tz`), included."),
]
DateTo = Annotated[
    date | None,
    BeforeValidator(lambda v: parse_date(v, param="date_to")),
    Query(alias="to", description="Last local date (YYYY-MM-DD, in `tz`), included."),
]
Zone = Annotated[
    str | None,
    Query(max_length=64, description="Report time zone, an IANA name (default: the server's FOOTFALL_REPORT_TZ)."),
]


def get_dates(date_from: DateFrom = None, date_to: DateTo = None, tz: Zone = None) -> Filters:
    """A request's date range and zone; a bad value is a one-line 400 naming the parameter."""
    return Filters(date_from=date_from, date_to=date_to, **({"tz": tz} if tz else {}))


def get_filters(
    date_from: DateFrom = None,
    date_to: DateTo = None,
    campaign: Annotated[
        str | None, Query(max_length=200, description="Campaign (vouchers: name; HTTP log: id).")
    ] = None,
    reward: Annotated[str | None, Query(max_length=200, description="Reward id.")] = None,
    tz: Zone = None,
) -> Filters:
    """A request's dashboard filters; a bad value is a one-line 400 naming the parameter."""
    zone = {"tz": tz} if tz else {}
    return Filters(date_from=date_from, date_to=date_to, campaign=campaign or None, reward=reward or None, **zone)


DatesDep = Annotated[Filters, Depends(get_dates)]
FiltersDep = Annotated[Filters, Depends(get_filters)]
