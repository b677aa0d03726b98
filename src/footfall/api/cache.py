"""The response cache of report endpoints: answered in the event loop, without a worker thread (docs/serving.md).

A GET of a cached path is keyed by its path, its query (parameters in sorted order) and the
caller's role, and stored with the warehouse's data version at the time it was asked: DuckDB,
the size and modification time of the file and its WAL when the server last opened it;
PostgreSQL, the count and newest `finished_at` of `runs` (read at most once a second; every
pipeline run records its run in the transaction of its data). An entry is served only while
the version is the same, so new data is never hidden behind an old answer, and the last
answers stay available while a pipeline holds a DuckDB file. Identical requests that arrive
while the first is being computed wait for its answer instead of each asking the warehouse.
`Cache-Control: no-cache` on a request skips the lookup (the answer is still stored). A request
that must be computed is admitted here (`Serving.admission`): at the limit, or while the warehouse
is busy, it is answered 503 here, before routing.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Callable, Hashable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from footfall.api.errors import send_error
from footfall.errors import UnavailableError

__all__ = ["MAX_ENTRY_BYTES", "ResponseCache"]

MAX_ENTRY_BYTES = 4 * 1024 * 1024  # a larger answer is served but not kept
_FOLLOW_SECONDS = 30.0  # the longest a request waits for an identical one in progress


@dataclass(frozen=True)
class _Answer:
    status: int
    headers: list[tuple[bytes, bytes]]
    body: bytes
    version: Hashable


class ResponseCache:
    """ASGI middleware keeping 200 answers of `paths` in at most `max_bytes` of memory (least recently used go)."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        paths: frozenset[str],
        version: Callable[[], Hashable | None],
        role: Callable[[Scope], str],
        max_bytes: int,
        admission: Callable[[], AbstractContextManager[None]] = nullcontext,
    ) -> None:
        self.app = app
        self.admission = admission
        self.paths = paths
        self.version = version
        self.role = role
        self.max_bytes = max_bytes
        self.size = 0
        self._entries: OrderedDict[tuple[str, str, str], _Answer] = OrderedDict()
        self._pending: dict[tuple[str, str, str], asyncio.Future[_Answer | None]] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET" or scope["path"] not in self.paths or not self.max_bytes:
            await self.app(scope, receive, send)
            return
        version = self.version()
        if version is None:
            await self.app(scope, receive, send)
            return
        key = (scope["path"], _query(scope), self.role(scope))
        found = self._entries.get(key)
        if found is not None and found.version == version and not _no_cache(scope):
            self._entries.move_to_end(key)
            await _send(send, found, b"hit")
            return
        pending = self._pending.get(key)
        if pending is not None:
            shared = await _follow(pending)
            if shared is not None and shared.version == version:
                await _send(send, shared, b"shared")
                return
        try:
            admitted = self.admission()
            admitted.__enter__()
        except UnavailableError as refused:  # answered here, without the cost of routing a request to refuse it
            await send_error(send, str(refused), refused.status, headers=refused.headers())
            return
        try:
            await self._compute(key, version, scope, receive, send)
        finally:
            admitted.__exit__(None, None, None)

    async def _compute(
        self, key: tuple[str, str, str], version: Hashable, scope: Scope, receive: Receive, send: Send
    ) -> None:
        """Run the request, pass the answer on as it comes, and keep it when it is a 200."""
        future: asyncio.Future[_Answer | None] = asyncio.get_running_loop().create_future()
        self._pending.setdefault(key, future)
        start: Message = {}
        body = bytearray()

        async def capture(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message
                message = {**message, "headers": [*message.get("headers", []), (b"x-cache", b"miss")]}
            elif message["type"] == "http.response.body" and len(body) <= MAX_ENTRY_BYTES:
                body.extend(message.get("body", b""))
            await send(message)

        answer = None
        try:
            await self.app(scope, receive, capture)
            if start and len(body) <= MAX_ENTRY_BYTES:
                answer = _Answer(start["status"], list(start.get("headers", [])), bytes(body), version)
        finally:
            if self._pending.get(key) is future:
                del self._pending[key]
            future.set_result(answer)
        if answer is not None and answer.status == 200:
            self._keep(key, answer)

    def _keep(self, key: tuple[str, str, str], answer: _Answer) -> None:
        old = self._entries.pop(key, None)
        self.size -= len(old.body) if old is not None else 0
        self._entries[key] = answer
        self.size += len(answer.body)
        while self.size > self.max_bytes and self._entries:
            _, dropped = self._entries.popitem(last=False)
            self.size -= len(dropped.body)


def _query(scope: Scope) -> str:
    """The query string with its parameters in sorted order (`?b=1&a=2` and `?a=2&b=1` are one entry)."""
    raw = scope.get("query_string", b"").decode("latin-1")
    return urlencode(sorted(parse_qsl(raw, keep_blank_values=True)))


def _no_cache(scope: Scope) -> bool:
    return any(k == b"cache-control" and b"no-cache" in v.lower() for k, v in scope.get("headers", []))


async def _follow(pending: asyncio.Future[_Answer | None]) -> _Answer | None:
    try:
        return await asyncio.wait_for(asyncio.shield(pending), _FOLLOW_SECONDS)
    except TimeoutError:
        return None


async def _send(send: Send, answer: _Answer, how: bytes) -> None:
    headers = [(k, v) for k, v in answer.headers if k.lower() != b"x-cache"] + [(b"x-cache", how)]
    await send({"type": "http.response.start", "status": answer.status, "headers": headers})
    await send({"type": "http.response.body", "body": answer.body})
