"""What every answer carries and every request must pass: security headers and the trusted-host check.

The host check defends a server on loopback against DNS rebinding (a page on another site whose
name the attacker points at 127.0.0.1 would otherwise read the API from a visitor's browser):
a request must name this server (the address it listens on, a loopback name, or one of
`FOOTFALL_ALLOWED_HOSTS`). The headers forbid framing, MIME sniffing, referrers and any script
that is not a file of this server (docs/serving.md#what-every-answer-carries).
"""

from __future__ import annotations

import ipaddress
import socket
from contextlib import suppress

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from footfall.api.errors import send_error

__all__ = ["CSP", "Liveness", "SecurityHeaders", "TrustedHosts", "allowed_hosts", "is_loopback"]

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",  # no inline script anywhere: pages load their scripts as files
        "style-src 'self' 'unsafe-inline'",  # Plotly, Swagger UI and ReDoc set styles from script
        "img-src 'self' data: blob:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "worker-src 'self' blob:",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
_HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
]
_HEADER_NAMES = frozenset(name for name, _ in _HEADERS)
_LOOPBACK_NAMES = ["localhost", "127.0.0.1", "::1"]
_WILDCARDS = {"", "0.0.0.0", "::"}


class SecurityHeaders:
    """ASGI middleware adding the security headers to every HTTP answer (errors and static files too)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                kept = [(k, v) for k, v in message.get("headers", []) if k.lower() not in _HEADER_NAMES]
                message = {**message, "headers": kept + _HEADERS}
            await send(message)

        await self.app(scope, receive, with_headers)


class Liveness:
    """ASGI middleware answering `GET /health` itself, before routing: the cheapest answer the server gives,
    so a saturated server still answers its health checks first (the route stays, for the API documents)."""

    def __init__(self, app: ASGIApp, *, body: bytes) -> None:
        self.app = app
        self.start: Message = {
            "type": "http.response.start",
            "status": 200,
            "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())],
        }
        self.body: Message = {"type": "http.response.body", "body": body}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"] == "/health" and scope["method"] in ("GET", "HEAD"):
            await send(self.start)
            await send(self.body if scope["method"] == "GET" else {"type": "http.response.body", "body": b""})
            return
        await self.app(scope, receive, send)


class TrustedHosts:
    """ASGI middleware answering 400 to a request whose Host names another server; `GET /health` is answered
    whatever the Host (a load balancer's health check names the target's address, and the answer tells nothing)."""

    def __init__(self, app: ASGIApp, *, hosts: list[str]) -> None:
        self.app = app
        self.any = "*" in hosts
        self.exact = {h.lower() for h in hosts if not h.startswith("*.")}
        self.suffixes = tuple(h[1:].lower() for h in hosts if h.startswith("*."))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket") or self.any or scope["path"] == "/health":
            await self.app(scope, receive, send)
            return
        host = _host_name(dict(scope.get("headers", [])).get(b"host", b"").decode("latin-1"))
        if host in self.exact or (self.suffixes and host.endswith(self.suffixes)):
            await self.app(scope, receive, send)
            return
        message = f"this server does not answer for host {host[:100]!r}; add it to FOOTFALL_ALLOWED_HOSTS"
        await send_error(send, message, 400)


def allowed_hosts(bind: str, extra: list[str]) -> list[str]:
    """The host names a server listening on `bind` answers for: that address, loopback names, and `extra`.

    Listening on every interface (`0.0.0.0`, `::`) adds this machine's name and addresses.
    """
    hosts = [bind, *_LOOPBACK_NAMES, *extra]
    if bind in _WILDCARDS:
        name = socket.gethostname()
        hosts += [name, socket.getfqdn()]
        with suppress(OSError):
            hosts += [str(info[4][0]) for info in socket.getaddrinfo(name, None)]
    return sorted({h.lower().strip("[]") for h in hosts if h})


def is_loopback(host: str) -> bool:
    """Whether listening on `host` reaches this machine only (`127.0.0.1`, `::1`, `localhost`)."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _host_name(header: str) -> str:
    """The name in a Host header, without its port (`[::1]:8000` → `::1`)."""
    header = header.strip().lower()
    if header.startswith("["):
        return header[1 : header.find("]")] if "]" in header else header
    return header.rsplit(":", 1)[0] if header.count(":") == 1 else header
