"""A real server under load, on DuckDB and PostgreSQL: every request answered, `/health` still quick; a pipeline
writing the same DuckDB file while requests keep coming; the cache's invalidation when data changes."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest

from footfall.api.loadgen import Answer, burst, hammer
from footfall.api.process import serve_in_background
from footfall.sessions.shop_pipeline import run_shop_sessions
from footfall.warehouse import connect
from tests.conftest import drop_schema, make_schema
from tests.reports.test_shop_metrics import EVEN
from tests.shop.factories import write_events

FRESH = {"Cache-Control": "no-cache"}  # every request asks the warehouse (the cache would answer most)


@pytest.fixture(scope="module", params=["duckdb", pytest.param("postgres", marks=pytest.mark.postgres)])
def served(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """`footfall serve` over a warehouse of each kind holding the EVEN journeys: (base URL, warehouse URL)."""
    folder = tmp_path_factory.mktemp(f"load-{request.param}")
    if request.param == "duckdb":
        url = f"duckdb:///{folder / 'w.duckdb'}"
    else:
        url = make_schema(request.getfixturevalue("postgres_url"))
    with connect(url) as wh:
        run_shop_sessions([write_events(folder / "e.jsonl", *EVEN)], gap=timedelta(minutes=30), warehouse=wh)
    try:
        with serve_in_background(url, log=folder / "serve.log") as base:
            yield base, url
    finally:
        if request.param == "postgres":
            drop_schema(request.getfixturevalue("postgres_url"), url)


@pytest.fixture
def server(served: tuple[str, str]) -> str:
    return served[0]


@pytest.fixture
def served_url(served: tuple[str, str]) -> str:
    return served[1]


def orders(i: int) -> str:
    """A different question each time: from-dates over a year, four zones."""
    zone = ("UTC", "Asia/Singapore", "Europe/London", "America/New_York")[i % 4]
    return f"/metrics/orders?from={date(2022, 1, 1) + timedelta(days=i % 365)}&tz={zone}"


def assert_answered(answers: list[Answer]) -> Counter[int | None]:
    """Every request got a 200, or a 503 with Retry-After; none hung."""
    statuses = Counter(a.status for a in answers)
    assert set(statuses) <= {200, 503}, statuses
    assert all(a.retry_after and a.retry_after.isdigit() for a in answers if a.status == 503)
    return statuses


def test_200_requests_at_once_are_all_answered_and_health_stays_quick(server: str) -> None:
    async def scenario() -> tuple[list[Answer], list[Answer]]:
        answers = await burst(server, [orders(i) for i in range(200)], timeout=30, headers=FRESH)
        return answers, await burst(server, ["/health"], timeout=1)

    started = time.monotonic()
    answers, health = asyncio.run(scenario())
    statuses = assert_answered(answers)
    assert statuses[200] >= 4, statuses  # the pool's connections did answer
    assert max(a.seconds for a in answers if a.status == 503) < 5  # a refusal is fast, never queued behind work
    assert time.monotonic() - started < 30
    assert health[0].status == 200 and health[0].seconds < 1


def test_a_pipeline_writes_the_duckdb_file_while_requests_keep_coming(tmp_path: Path) -> None:
    url = f"duckdb:///{tmp_path / 'w.duckdb'}"
    with connect(url) as wh:
        run_shop_sessions([write_events(tmp_path / "e.jsonl", *EVEN)], gap=timedelta(minutes=30), warehouse=wh)
    more = write_events(tmp_path / "f.jsonl", *EVEN[:3])
    command = [sys.executable, "-m", "footfall", "shop", "sessions", str(more), "--warehouse", url]
    with serve_in_background(url, log=tmp_path / "serve.log") as base:

        async def scenario() -> tuple[list[Answer], list[int]]:
            stop = asyncio.Event()
            load = asyncio.create_task(
                hammer(base, orders, connections=16, seconds=120, timeout=15, headers=FRESH, stop=stop)
            )
            codes = []
            for _ in range(2):  # two runs, back to back, while the load goes on
                done = await asyncio.to_thread(subprocess.run, command, capture_output=True, timeout=60, env=os.environ)
                codes.append(done.returncode)
            await asyncio.sleep(0.5)  # and answered after them
            stop.set()
            return await load, codes

        answers, codes = asyncio.run(scenario())
    assert codes == [0, 0]
    statuses = assert_answered(answers)
    assert statuses[200] > 50 and statuses[503] > 0, statuses  # answered before, between and after the writes
    log = (tmp_path / "serve.log").read_text()
    assert "announced a write: closing read connections" in log


def test_new_data_is_never_hidden_behind_a_cached_answer(server: str, served_url: str, tmp_path: Path) -> None:
    async def ask() -> tuple[Answer, Answer]:
        first = (await burst(server, ["/metrics/orders?tz=Europe/Paris&from=2022-01-01"], timeout=10))[0]
        again = (await burst(server, ["/metrics/orders?from=2022-01-01&tz=Europe/Paris"], timeout=10))[0]
        return first, again

    first, again = asyncio.run(ask())
    assert (first.cache, again.cache) == ("miss", "hit")  # parameters in any order are one entry
    with connect(served_url) as wh:
        run_shop_sessions([write_events(tmp_path / "g.jsonl", *EVEN[:3])], gap=timedelta(minutes=30), warehouse=wh)
    deadline = time.monotonic() + 3  # DuckDB: at once; PostgreSQL: the version is read at most once a second
    while (
        latest := asyncio.run(burst(server, ["/metrics/orders?tz=Europe/Paris&from=2022-01-01"], timeout=10))[0]
    ).cache == "hit":
        assert time.monotonic() < deadline, "a cached answer outlived the data it was computed from"
        time.sleep(0.2)
    assert latest.status == 200


def test_identical_requests_in_flight_ask_the_warehouse_once(server: str) -> None:
    answers = asyncio.run(burst(server, ["/metrics/orders?from=2022-02-02"] * 20, timeout=10))
    assert Counter(a.status for a in answers) == {200: 20}
    assert Counter(a.cache for a in answers)["miss"] <= 2  # the rest share its answer or hit the cache
