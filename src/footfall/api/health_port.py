"""A second listener that answers only `GET /health`, from its own thread (docs/serving.md#the-health-port).

On the main port a health check waits its turn in the event loop behind every request already
read: with 200 connections saturating the server that is the time to answer 200 requests. This
listener answers on another port from a thread of its own, which gets the interpreter within
a millisecond (`footfall serve` sets the switch interval), so a load balancer's or an
orchestrator's check is answered at once however busy the main port is. It is not a blind
"the process exists": the event loop beats every 100 ms, and when it has not beaten for
`stalled_after` seconds (a wedged loop) the answer is a 503 saying so.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

__all__ = ["STALLED_AFTER", "HealthListener", "LoopHeartbeat"]

BEAT_SECONDS = 0.1
STALLED_AFTER = 5.0  # seconds without a beat that make the answer a 503


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
        handler = _handler(body, heartbeat, stalled_after)
        self.server = ThreadingHTTPServer((host, port), handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, name="footfall-health", daemon=True)

    def start(self) -> None:
        """Answer from now on."""
        self.thread.start()

    def stop(self) -> None:
        """Stop answering and close the port."""
        self.server.shutdown()
        self.server.server_close()


def _handler(body: bytes, heartbeat: LoopHeartbeat, stalled_after: float) -> type[BaseHTTPRequestHandler]:
    class Health(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def version_string(self) -> str:
            return "footfall"

        def do_GET(self) -> None:
            self._answer(with_body=True)

        def do_HEAD(self) -> None:
            self._answer(with_body=False)

        def log_message(self, format: str, *args: object) -> None:
            """Health checks come every few seconds from every balancer: not logged."""

        def _answer(self, *, with_body: bool) -> None:
            if self.path.split("?", 1)[0] != "/health":
                status, payload = 404, _error("this port answers GET /health only; the API is on the main port")
            elif (silent := heartbeat.silence()) >= stalled_after:
                status, payload = 503, _error(f"the server's event loop has not run for {silent:.1f} s")
            else:
                status, payload = 200, body
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.send_header("Cache-Control", "no-store")
            self.send_header("X-Content-Type-Options", "nosniff")
            self.end_headers()
            if with_body:
                self.wfile.write(payload)

    return Health


def _error(message: str) -> bytes:
    return json.dumps({"error": message}, separators=(",", ":")).encode()
