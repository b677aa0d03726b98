"""Serving that cannot wedge: admission, connection leases and per-request timeouts (docs/serving.md).

A request that reads the warehouse is admitted in the event loop, without a worker thread:
when `max_in_flight` such requests are already running or waiting, or the warehouse is busy
(a pipeline writes a DuckDB file) or unreachable, it is answered 503 with `Retry-After` at
once. An admitted request waits (in the loop, not in a thread) up to `pool_timeout` seconds
for one of the pool's connections; only then does its handler take a worker thread, so at
most `pool size` threads ever wait on the warehouse and `/health` always has the loop. A
timer stops the request's queries after `request_timeout` seconds (DuckDB `interrupt()`;
PostgreSQL's own `statement_timeout`), and the answer is a 503.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from contextvars import ContextVar

from starlette.concurrency import run_in_threadpool

from footfall.errors import OverloadedError, UnavailableError, WarehouseError
from footfall.warehouse import ReadPool, Warehouse

__all__ = ["Serving"]

_admitted: ContextVar[bool] = ContextVar("footfall_admitted", default=False)


class Serving:
    """Lends the pool's connections to admitted requests; everything here runs in the event loop."""

    def __init__(self, pool: ReadPool, *, max_in_flight: int, pool_timeout: float, request_timeout: float) -> None:
        self.pool = pool
        self.max_in_flight = max_in_flight
        self.pool_timeout = pool_timeout
        self.request_timeout = request_timeout
        self.in_flight = 0
        self._slots: asyncio.Semaphore | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def refusal(self) -> UnavailableError | None:
        """Why a new warehouse request would be refused right now (at the limit, busy, unavailable), or None."""
        if self.in_flight >= self.max_in_flight:
            return OverloadedError(f"the server is answering {self.in_flight} warehouse requests; retry shortly")
        return self.pool.problem()

    @contextmanager
    def admission(self) -> Iterator[None]:
        """Admit the request being handled (or raise the refusal): it counts as in flight until the block ends.

        The response cache admits a request before routing it, which costs far less than routing a
        request only to refuse it; `lease` then finds it admitted.
        """
        if _admitted.get():
            yield
            return
        refused = self.refusal()
        if refused is not None:
            raise refused
        self.in_flight += 1
        token = _admitted.set(True)
        try:
            yield
        finally:
            _admitted.reset(token)
            self.in_flight -= 1

    @asynccontextmanager
    async def lease(self) -> AsyncIterator[Warehouse]:
        """A connection for this request, or a 503 at once; its queries are stopped after the timeout."""
        with self.admission():
            slots = self._semaphore()
            try:
                await asyncio.wait_for(slots.acquire(), self.pool_timeout)
            except TimeoutError:
                waited = f"{self.pool_timeout:g} s (FOOTFALL_POOL_TIMEOUT)"
                raise OverloadedError(f"no free warehouse connection within {waited}; retry shortly") from None
            try:
                async with self._connection() as warehouse:
                    yield warehouse
            finally:
                slots.release()

    @asynccontextmanager
    async def _connection(self) -> AsyncIterator[Warehouse]:
        ready = self.pool.checkout_now()
        warehouse = ready if ready is not None else await run_in_threadpool(self.pool.checkout)
        expired = False

        def expire() -> None:
            nonlocal expired
            expired = True
            warehouse.interrupt()

        timer = asyncio.get_running_loop().call_later(self.request_timeout, expire)
        try:
            yield warehouse
        except WarehouseError as exc:
            if expired or "statement timeout" in str(exc):
                raise UnavailableError(
                    f"the request ran longer than {self.request_timeout:g} s (FOOTFALL_REQUEST_TIMEOUT) and was "
                    "stopped; ask for less (e.g. a shorter date range) or retry later"
                ) from None
            raise
        finally:
            timer.cancel()
            self.pool.checkin(warehouse)

    def _semaphore(self) -> asyncio.Semaphore:
        """One slot per pooled connection, made in the running loop (a test may run apps in several loops)."""
        loop = asyncio.get_running_loop()
        if self._slots is None or self._loop is not loop:
            self._slots, self._loop = asyncio.Semaphore(self.pool.size), loop
        return self._slots
