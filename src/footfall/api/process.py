"""Run `footfall serve` in a child process on a free loopback port (for tests, benchmarks, the demo)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from footfall.errors import InputError, UnavailableError

__all__ = ["check_port_free", "free_port", "serve_in_background", "wait_until_answers"]


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def check_port_free(host: str, port: int) -> None:
    """A one-line error when nothing could listen on `host`:`port` (in use, or not an address of this machine)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise InputError(
            f"bad {{param}} {host!r}: not an address of this machine ({exc.strerror})", param="host"
        ) from None
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as exc:
            raise InputError(
                f"cannot listen on {host}:{port}: {exc.strerror}; pick another {{param}} (or stop what uses it)",
                param="port",
            ) from None


@contextmanager
def serve_in_background(
    warehouse_url: str,
    *,
    timeout: float = 30.0,
    env: dict[str, str] | None = None,
    log: Path | None = None,
    host: str = "127.0.0.1",
) -> Iterator[str]:
    """Yield the base URL of a `footfall serve` child; it runs in its own session and is stopped by pid.

    `env` adds environment variables (e.g. `FOOTFALL_DATA_DIR`, where the model registry is); `log`
    receives the server's output; `host` is where it listens (it is reached on 127.0.0.1).
    """
    port = free_port()
    out = log.open("ab") if log is not None else None
    command = [sys.executable, "-m", "footfall", "serve", "--host", host, "--port", str(port)]
    with tempfile.TemporaryFile() as errors:
        proc = subprocess.Popen(
            [*command, "--warehouse", warehouse_url],
            stdout=out or subprocess.DEVNULL,
            stderr=subprocess.STDOUT if out else errors,
            start_new_session=True,
            env={**os.environ, **(env or {})},
        )
        base = f"http://127.0.0.1:{port}"
        try:
            wait_until_answers(proc, f"{base}/health", timeout=timeout, what="footfall serve", errors=errors)
            yield base
        finally:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)
            if out is not None:
                out.close()


def wait_until_answers(
    proc: subprocess.Popen[bytes], url: str, *, timeout: float, what: str, errors: IO[bytes] | None = None
) -> None:
    """Return when `url` answers; a one-line error (with the child's last error line) when `proc` exits or times out."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                said = _last_line(errors)
                raise UnavailableError(f"{what} did not answer on {url}" + (f": {said}" if said else "")) from None
            time.sleep(0.1)


def _last_line(errors: IO[bytes] | None) -> str:
    """The last non-blank line a child wrote to `errors` (empty when none)."""
    if errors is None:
        return ""
    errors.seek(0)
    lines = [line.strip() for line in errors.read().decode("utf-8", "replace").splitlines() if line.strip()]
    return lines[-1] if lines else ""
