"""A small asyncio HTTP/1.1 client that opens many connections at once: the load test and `benchmarks/serve.py`.

Its own client (not wrk) so that one process can hold 200 connections on a report endpoint while
it times `/health` on another, and record every answer's status, `Retry-After` and latency.
A request that gets no complete answer within its timeout counts as a hang (status None).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

__all__ = ["Answer", "burst", "hammer", "probe"]


@dataclass(frozen=True)
class Answer:
    """One request's outcome: status (None: no answer in time), seconds, and the headers that matter here."""

    status: int | None
    seconds: float
    retry_after: str | None = None
    cache: str | None = None
    started: float = 0.0


class _Connection:
    """One keep-alive connection to the server."""

    def __init__(self, base: str) -> None:
        parts = urlsplit(base)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def get(self, path: str, headers: dict[str, str], timeout: float) -> Answer:
        started = time.perf_counter()
        try:
            status, head = await asyncio.wait_for(self._exchange(path, headers), timeout)
        except (TimeoutError, OSError, asyncio.IncompleteReadError, ValueError):
            self.close()
            return Answer(None, time.perf_counter() - started, started=started)
        seconds = time.perf_counter() - started
        return Answer(status, seconds, head.get("retry-after"), head.get("x-cache"), started)

    async def _exchange(self, path: str, headers: dict[str, str]) -> tuple[int, dict[str, str]]:
        if self.writer is None or self.reader is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        lines = [f"GET {path} HTTP/1.1", f"Host: {self.host}:{self.port}", *(f"{k}: {v}" for k, v in headers.items())]
        self.writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))
        await self.writer.drain()
        head = (await self.reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
        status = int(head[0].split(" ", 2)[1])
        fields = {k.strip().lower(): v.strip() for k, _, v in (h.partition(":") for h in head[1:] if h)}
        await self.reader.readexactly(int(fields.get("content-length", "0")))
        if fields.get("connection", "").lower() == "close":
            self.close()
        return status, fields

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


async def burst(base: str, paths: list[str], *, timeout: float, headers: dict[str, str] | None = None) -> list[Answer]:
    """Open one connection per path, all at once, and send each its request; every answer (or hang)."""

    async def one(path: str) -> Answer:
        connection = _Connection(base)
        try:
            return await connection.get(path, headers or {}, timeout)
        finally:
            connection.close()

    return list(await asyncio.gather(*(one(p) for p in paths)))


async def hammer(
    base: str,
    path: Callable[[int], str],
    *,
    connections: int,
    seconds: float,
    timeout: float,
    headers: dict[str, str] | None = None,
    stop: asyncio.Event | None = None,
) -> list[Answer]:
    """`connections` keep-alive connections sending requests back to back for `seconds` (or until `stop` is set),
    path(i) for the i-th request."""
    deadline = time.perf_counter() + seconds
    counter = iter(range(1 << 62))

    async def loop() -> list[Answer]:
        connection, answers = _Connection(base), []
        while time.perf_counter() < deadline and not (stop is not None and stop.is_set()):
            answers.append(await connection.get(path(next(counter)), headers or {}, timeout))
        connection.close()
        return answers

    done = await asyncio.gather(*(loop() for _ in range(connections)))
    return [answer for answers in done for answer in answers]


async def probe(
    base: str, path: str, *, every: float, seconds: float, timeout: float, stop: asyncio.Event | None = None
) -> list[Answer]:
    """Ask `path` every `every` seconds for `seconds` (or until `stop` is set), each on a new connection, as a
    health checker does."""
    answers, deadline = [], time.perf_counter() + seconds
    while time.perf_counter() < deadline and not (stop is not None and stop.is_set()):
        answers += await burst(base, [path], timeout=timeout)
        await asyncio.sleep(every)
    return answers
