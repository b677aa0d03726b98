"""Serving that cannot wedge: admission, the wait for a connection, request timeouts, a writer taking the file.

Each test drives `Serving` over a real read pool, on DuckDB and on PostgreSQL.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Iterator

import pytest
from starlette.concurrency import run_in_threadpool

from footfall.api.serving import Serving
from footfall.errors import OverloadedError, UnavailableError, WarehouseError
from footfall.warehouse import ReadPool, connect, read_pool
from footfall.warehouse._intent import announce, intent_path, withdraw

SLOW = {
    "duckdb": "SELECT count(*) AS n FROM range(1000000000000) a",
    "postgres": "SELECT pg_sleep(30) AS n",
}


@pytest.fixture
def pool(warehouse_url: str) -> Iterator[ReadPool]:
    """A started pool of one connection over a migrated, empty warehouse of each kind."""
    connect(warehouse_url).close()
    started = read_pool(warehouse_url, size=1, timeout=5, statement_timeout=0.5)
    started.start()
    yield started
    started.close()


def test_over_the_limit_is_refused_at_once_and_a_waiter_gives_up_after_the_pool_timeout(pool: ReadPool) -> None:
    serving = Serving(pool, max_in_flight=2, pool_timeout=0.4, request_timeout=5)

    async def scenario() -> None:
        release = asyncio.Event()

        async def hold() -> None:
            async with serving.lease():  # holds the only connection
                await release.wait()

        holder = asyncio.create_task(hold())  # each request is a task of its own, as in the server
        await asyncio.sleep(0.05)
        waiter = asyncio.create_task(_lease_once(serving))
        await asyncio.sleep(0.05)
        started = time.monotonic()
        with pytest.raises(OverloadedError) as refused:
            await asyncio.create_task(_lease_once(serving))
        assert time.monotonic() - started < 0.05 and refused.value.headers() == {"Retry-After": "1"}
        with pytest.raises(OverloadedError, match=r"no free warehouse connection within 0\.4 s"):
            await waiter
        release.set()
        await holder
        assert await asyncio.create_task(_lease_once(serving)) == 1 and serving.in_flight == 0

    asyncio.run(scenario())


def test_a_query_past_the_request_timeout_is_stopped_and_is_a_503(pool: ReadPool) -> None:
    serving = Serving(pool, max_in_flight=4, pool_timeout=1, request_timeout=0.5)

    async def scenario() -> float:
        started = time.monotonic()
        with pytest.raises(UnavailableError, match=r"longer than 0\.5 s \(FOOTFALL_REQUEST_TIMEOUT\)") as stopped:
            async with serving.lease() as warehouse:
                await run_in_threadpool(warehouse.query, SLOW[pool.dialect])
        assert stopped.value.status == 503 and "Retry-After" in stopped.value.headers()
        async with serving.lease() as warehouse:  # the connection still works
            assert (await run_in_threadpool(warehouse.query, "SELECT 1 AS ok"))["ok"][0] == 1
        return time.monotonic() - started

    assert asyncio.run(scenario()) < 5


def test_pooled_sessions_are_read_only(pool: ReadPool) -> None:
    warehouse = pool.checkout()
    try:
        with pytest.raises(WarehouseError, match=r"(?i)read.only"):
            warehouse.execute("CREATE TABLE never_made (i INTEGER)")
    finally:
        pool.checkin(warehouse)


def test_the_duckdb_pool_lets_go_of_the_file_for_an_announced_writer(tmp_path: object) -> None:
    """A writer announces itself; the pool refuses new leases, closes once the last one is back, reopens after."""
    url = f"duckdb:///{tmp_path}/w.duckdb"
    with connect(url) as wh:
        wh.execute("CREATE TABLE t (i INTEGER)")
    pool = read_pool(url, size=2, timeout=5, statement_timeout=5)
    pool.start()
    try:
        before = pool.data_version()
        lent = pool.checkout()
        announce(f"{tmp_path}/w.duckdb")  # this process, alive: as a pipeline's connect() does
        _wait_for(lambda: pool.problem() is not None)
        busy = pool.problem()
        assert isinstance(busy, OverloadedError) and busy.headers() == {"Retry-After": "2"}
        assert str(tmp_path) not in str(busy) and str(os.getpid()) not in str(busy) and "python" not in str(busy)
        with pytest.raises(OverloadedError, match="a pipeline is writing"):
            pool.checkout()
        assert lent.query("SELECT count(*) AS n FROM t")["n"][0] == 0  # in-flight work finishes
        pool.checkin(lent)
        withdraw(f"{tmp_path}/w.duckdb")
        with connect(url) as wh:  # opens only once the pool has closed the file
            wh.execute("INSERT INTO t VALUES (1)")
        assert not intent_path(f"{tmp_path}/w.duckdb").exists()
        again = pool.checkout()  # reopens at once, not at the next look
        assert again.query("SELECT count(*) AS n FROM t")["n"][0] == 1
        assert pool.data_version() != before
        pool.checkin(again)
    finally:
        pool.close()


async def _lease_once(serving: Serving) -> int:
    async with serving.lease() as warehouse:
        return int((await run_in_threadpool(warehouse.query, "SELECT 1 AS ok"))["ok"][0])


def _wait_for(condition: object, seconds: float = 3) -> None:
    deadline = time.monotonic() + seconds
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)
