"""A second listener that answers only `GET /health`, from its own thread (docs/serving.md#the-health-port).

On the main port a health check waits its turn in the event loop behind every request already
read: with 200 connections saturating the server that is the time to answer 200 requests. This
listener answers on another port from a thread of its own: one `select` loop over plain
sockets, a handful of interpreter steps per check (no per-request thread, no header parsing
beyond the request line), so it needs the GIL only briefly and gets it within a millisecond
(`footfall serve` sets the switch interval): a load balancer's or an orchestrator's check is
answered at once however busy the main port is. It is not a blind
"the process exists": the event loop beats every 100 ms, and when it has not beaten for
`stalled_after` seconds (a wedged loop) the answer is a 503 saying so.
"""

from __future__ import annotations

import asyncio
import json
import selectors
import socket
import threading
import time
from contextlib import suppress

__all__ = ["STALLED_AFTER", "HealthListener", "LoopHeartbeat"]

BEAT_SECONDS = 0.1
STALLED_AFTER = 5.0  # seconds without a beat that make the answer a 503
MAX_HEAD = 8192  # bytes of a request's line and headers; more is answered 431
READ_SECONDS = 2.0  # a connection that has not sent its request by then is closed
Waiting = dict[socket.socket, tuple[bytearray, float]]  # open connections: what they sent, when they must have


class LoopHeartbeat:
    """The time the event loop last ran a callback of ours; started from inside the loop."""

    def __init__(self) -> None:
        self.last = time.monotonic()
        self._handle: asyncio.TimerHandle | None = None

    def start(self) -> None:
        """Beat every 100 ms in the running loop."""
        self.last = time.monotonic()
        self._handle = asyncio.get_running_loop().call_later(BEAT_SECONDS, self._beat)

    def stop(self) -> None:
        """Stop beating."""
        if self._handle is not None:
            self._handle.cancel()

    def silence(self) -> float:
        """Seconds since the loop last beat, beyond the beat's own interval."""
        return max(0.0, time.monotonic() - self.last - BEAT_SECONDS)

    def _beat(self) -> None:
        self.last = time.monotonic()
        self._handle = asyncio.get_running_loop().call_later(BEAT_SECONDS, self._beat)


class HealthListener:
    """`GET /health` on `host:port` from a daemon thread: the main port's body while the loop beats, else 503."""

    def __init__(self, host: str, port: int, *, body: bytes, heartbeat: LoopHeartbeat, stalled_after: float) -> None:
        self.body, self.heartbeat, self.stalled_after = body, heartbeat, stalled_after
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
        self.sock = socket.socket(family, kind, proto)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(address)
        self.sock.listen(128)
        self.sock.setblocking(False)
        self._stop = threading.Event()
        self.thread = threading.Thread(target=self._run, name="footfall-health", daemon=True)

    def start(self) -> None:
        """Answer from now on."""
        self.thread.start()

    def stop(self) -> None:
        """Stop answering and close the port."""
        self._stop.set()
        if self.thread.is_alive():
            self.thread.join(timeout=5)
        self.sock.close()

    def _run(self) -> None:
        waiting: Waiting = {}
        with selectors.DefaultSelector() as selector:
            selector.register(self.sock, selectors.EVENT_READ)
            while not self._stop.is_set():
                for key, _ in selector.select(0.25):
                    if key.fileobj is self.sock:
                        self._accept(selector, waiting)
                    else:
                        self._read(selector, waiting, key.fileobj)  # type: ignore[arg-type]
                now = time.monotonic()
                for late in [c for c, (_, deadline) in waiting.items() if deadline < now]:
                    _close(selector, waiting, late)
            for left in list(waiting):
                _close(selector, waiting, left)

    def _accept(self, selector: selectors.BaseSelector, waiting: Waiting) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except (BlockingIOError, InterruptedError):
                return
            except OSError:  # too many open files and the like: the check fails, the next one may not
                return
            conn.setblocking(False)
            waiting[conn] = (bytearray(), time.monotonic() + READ_SECONDS)
            selector.register(conn, selectors.EVENT_READ)

    def _read(
        self,
        selector: selectors.BaseSelector,
        waiting: Waiting,
        conn: socket.socket,
    ) -> None:
        try:
            chunk = conn.recv(MAX_HEAD)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            chunk = b""
        head = waiting[conn][0]
        head += chunk
        if chunk and b"\r\n\r\n" not in head and len(head) <= MAX_HEAD:
            return
        if chunk:
            with suppress(OSError):
                conn.send(self._answer(bytes(head)))  # a few hundred bytes: the socket's buffer takes them at once
        _close(selector, waiting, conn)

    def _answer(self, head: bytes) -> bytes:
        """The whole HTTP answer to a request whose line and headers are `head`."""
        method, _, rest = head.partition(b" ")
        target = rest.split(b" ", 1)[0].split(b"?", 1)[0]
        if len(head) > MAX_HEAD:
            status, payload = 431, _error("the request's headers are too large")
        elif method not in (b"GET", b"HEAD") or target != b"/health":
            status, payload = 404, _error("this port answers GET /health only; the API is on the main port")
        elif (silent := self.heartbeat.silence()) >= self.stalled_after:
            status, payload = 503, _error(f"the server's event loop has not run for {silent:.1f} s")
        else:
            status, payload = 200, self.body
        reason = {200: "OK", 404: "Not Found", 431: "Request Header Fields Too Large", 503: "Service Unavailable"}
        lines = [
            f"HTTP/1.1 {status} {reason[status]}",
            "Content-Type: application/json",
            f"Content-Length: {len(payload)}",
            "Cache-Control: no-store",
            "X-Content-Type-Options: nosniff",
            "Connection: close",
        ]
        start = ("\r\n".join(lines) + "\r\n\r\n").encode()
        return start + (payload if method != b"HEAD" else b"")


def _close(selector: selectors.BaseSelector, waiting: Waiting, conn: socket.socket) -> None:
    waiting.pop(conn, None)
    with suppress(KeyError, ValueError):
        selector.unregister(conn)
    conn.close()


def _error(message: str) -> bytes:
    return json.dumps({"error": message}, separators=(",", ":")).encode()
