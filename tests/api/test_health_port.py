"""The health port, the access log and the lowered query threads (docs/serving.md): a real `footfall serve`."""

from __future__ import annotations

import asyncio
import io
import json
import os
import re
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from footfall.api.access_log import AccessLog, LineBuffer
from footfall.api.health_port import HealthListener, LoopHeartbeat
from footfall.api.loadgen import burst
from footfall.api.process import free_port, serve_in_background
from footfall.sessions.shop_pipeline import run_shop_sessions
from footfall.warehouse import connect
from footfall.warehouse._priority import NICE, lowered
from tests.api.test_load import FRESH, assert_answered, orders
from tests.reports.test_shop_metrics import EVEN
from tests.shop.factories import write_events


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str, Path]]:
    """`footfall serve` over DuckDB with FOOTFALL_HEALTH_PORT set: (main URL, health URL, server log)."""
    folder = tmp_path_factory.mktemp("health-port")
    url = f"duckdb:///{folder / 'w.duckdb'}"
    with connect(url) as wh:
        run_shop_sessions([write_events(folder / "e.jsonl", *EVEN)], gap=timedelta(minutes=30), warehouse=wh)
    port, log = free_port(), folder / "serve.log"
    with serve_in_background(url, log=log, env={"FOOTFALL_HEALTH_PORT": str(port)}) as base:
        yield base, f"http://127.0.0.1:{port}", log


def get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=5) as answer:
            return answer.status, answer.read()
    except urllib.error.HTTPError as refused:
        return refused.code, refused.read()


def test_the_health_port_answers_health_as_the_main_port_does_and_nothing_else(served: tuple[str, str, Path]) -> None:
    base, health, _ = served
    assert get(f"{health}/health") == get(f"{base}/health") == (200, b'{"status":"ok","warehouse":"duckdb"}')
    status, body = get(f"{health}/metrics/orders")
    assert status == 404 and "GET /health only" in json.loads(body)["error"]


def test_the_health_port_answers_while_the_main_port_is_saturated(served: tuple[str, str, Path]) -> None:
    base, health, _ = served

    async def scenario() -> tuple[list[int], list[object]]:
        load = asyncio.create_task(burst(base, [orders(i) for i in range(200)], timeout=30, headers=FRESH))
        checks = []
        while not load.done():
            checks.append((await asyncio.to_thread(get, f"{health}/health"))[0])
            await asyncio.sleep(0.02)
        return checks, await load

    checks, answers = asyncio.run(scenario())
    assert checks and set(checks) == {200}
    assert_answered(answers)  # type: ignore[arg-type]


def test_every_request_gets_an_access_log_line(served: tuple[str, str, Path]) -> None:
    base, _, log = served
    marker = f"n={time.monotonic_ns()}"
    assert get(f"{base}/metrics/orders?from=2022-01-01&{marker}")[0] == 200
    assert get(f"{base}/nowhere?{marker}")[0] == 404
    time.sleep(1.0)  # the log is written every half second
    lines = [line for line in log.read_text().splitlines() if marker in line]
    assert len(lines) == 2, lines
    assert re.fullmatch(
        r'INFO: +127\.0\.0\.1:\d+ - "GET /metrics/orders\?from=2022-01-01&n=\d+ HTTP/1\.1" 200 [\d.]+ms', lines[0]
    )
    assert '"GET /nowhere?' in lines[1] and lines[1].split('" ')[1].startswith("404 ")


def test_a_stalled_event_loop_makes_the_health_port_answer_503() -> None:
    heartbeat, port = LoopHeartbeat(), free_port()
    listener = HealthListener("127.0.0.1", port, body=b"{}", heartbeat=heartbeat, stalled_after=5.0)
    listener.start()
    try:
        assert get(f"http://127.0.0.1:{port}/health") == (200, b"{}")
        heartbeat.last -= 30  # the loop has not run for 30 s
        status, body = get(f"http://127.0.0.1:{port}/health")
        assert status == 503 and "has not run for 29." in json.loads(body)["error"]
    finally:
        listener.stop()


def test_the_access_log_cannot_be_fed_a_line_of_the_requests_making() -> None:
    out = io.StringIO()
    buffer = LineBuffer(out)
    app = AccessLog(Starlette(routes=[Route("/{p:path}", lambda _: PlainTextResponse("x"))]), buffer=buffer)
    with TestClient(app) as client:
        client.get("/a%0a%0dINFO: forged")
    buffer.flush()
    assert out.getvalue().count("\n") == 1 and "forged" in out.getvalue()


def test_health_port_equal_to_the_main_port_is_a_one_line_error(tmp_path: Path) -> None:
    port = str(free_port())
    command = [sys.executable, "-m", "footfall", "serve", "--port", port, "--health-port", port]
    done = subprocess.run(
        [*command, "--warehouse", f"duckdb:///{tmp_path / 'w.duckdb'}"], capture_output=True, text=True
    )
    assert done.returncode == 2 and "--health-port" in done.stderr and len(done.stderr.strip().splitlines()) == 1


def test_queries_run_on_lowered_threads_and_the_caller_is_never_lowered() -> None:
    def nice() -> int:
        return os.getpriority(os.PRIO_PROCESS, threading.get_native_id())

    before = nice()
    assert lowered(nice) == min(19, before + NICE)
    assert nice() == before


def test_a_client_that_sends_nothing_or_in_pieces_does_not_hold_the_health_port() -> None:
    import socket

    heartbeat, port = LoopHeartbeat(), free_port()
    listener = HealthListener("127.0.0.1", port, body=b'{"status":"ok"}', heartbeat=heartbeat, stalled_after=5.0)
    listener.start()
    try:
        silent = socket.create_connection(("127.0.0.1", port))  # connects and never sends
        slow = socket.create_connection(("127.0.0.1", port))
        slow.sendall(b"GET /hea")
        assert get(f"http://127.0.0.1:{port}/health") == (200, b'{"status":"ok"}')  # answered meanwhile
        slow.sendall(b"lth HTTP/1.1\r\nHost: x\r\n\r\n")
        answer = slow.recv(4096)
        assert answer.startswith(b"HTTP/1.1 200 OK\r\n") and answer.endswith(b'{"status":"ok"}')
        assert silent.recv(10) == b""  # closed after READ_SECONDS without a request
        silent.close()
        slow.close()
    finally:
        listener.stop()
