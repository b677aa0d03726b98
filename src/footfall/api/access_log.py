"""The server's access log: one line per answered request, written in batches (docs/serving.md#the-access-log).

uvicorn's own access log builds a `logging` record per request, which costs a quarter of the
event loop's time when the server is saturated. This middleware formats each line with one
f-string, keeps it in a list and writes the list to standard error every half second (and on
shutdown), so logging every request costs the loop little more than appending a string.
A line reads like uvicorn's, with the time taken:
`INFO:     127.0.0.1:50412 - "GET /metrics/orders?from=2022-01-01 HTTP/1.1" 200 3.1ms`.
"""

from __future__ import annotations

import asyncio
import sys
import time
from typing import TextIO

from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["AccessLog", "LineBuffer"]

FLUSH_SECONDS = 0.5


class LineBuffer:
    """Lines kept in memory and written to `stream` (default standard error) at most every half second."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream
        self.lines: list[str] = []
        self._flusher: asyncio.TimerHandle | None = None

    def add(self, line: str) -> None:
        """Keep a line; it is written within half a second (the caller runs in the event loop)."""
        self.lines.append(line)
        if self._flusher is None:
            self._flusher = asyncio.get_running_loop().call_later(FLUSH_SECONDS, self.flush)

    def flush(self) -> None:
        """Write the lines kept so far."""
        if self._flusher is not None:
            self._flusher.cancel()
            self._flusher = None
        if self.lines:
            text, self.lines = "".join(self.lines), []
            stream = self.stream or sys.stderr
            stream.write(text)
            stream.flush()


class AccessLog:
    """ASGI middleware adding one access-log line per HTTP request to `buffer`."""

    def __init__(self, app: ASGIApp, *, buffer: LineBuffer) -> None:
        self.app = app
        self.buffer = buffer

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 0

        async def logged(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, logged)
        finally:
            self._add(scope, status, time.perf_counter() - started)

    def _add(self, scope: Scope, status: int, seconds: float) -> None:
        client = scope.get("client")
        where = f"{client[0]}:{client[1]}" if client else "-"
        query = scope.get("query_string", b"")
        target = scope.get("raw_path", b"").decode("latin-1") or scope["path"]
        if query:
            target += "?" + query.decode("latin-1")
        if not target.isprintable():  # no request can write a line of its own into the log
            target = target.encode("unicode_escape").decode("ascii")
        version = scope.get("http_version", "1.1")
        answered = str(status) if status else "no answer"
        self.buffer.add(
            f'INFO:     {where} - "{scope["method"]} {target} HTTP/{version}" {answered} {seconds * 1000:.1f}ms\n'
        )
