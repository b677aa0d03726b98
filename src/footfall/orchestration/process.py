"""Run the Dagster UI and daemon (`dagster dev`) on loopback with footfall's definitions, and stop them by pid.

The instance lives in `<data dir>/dagster` (DAGSTER_HOME): run history, schedules' and sensors'
state. Its `dagster.yaml` lets one run at a time, as a DuckDB warehouse takes one writer.
"""

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from footfall.api.process import wait_until_answers

__all__ = [
    "INSTANCE_YAML",
    "STOP_SECONDS",
    "descendants",
    "orchestrator_in_background",
    "prepare_home",
    "running",
    "start_orchestrator",
    "stop_orchestrator",
    "wait_for",
]

STOP_SECONDS = 8.0  # Ctrl-C: `dagster dev` gets this long to stop its processes, then they are killed

DEFINITIONS_MODULE = "footfall.orchestration.definitions"
INSTANCE_YAML = """\
# written by `footfall orchestrate`: one run at a time (a DuckDB warehouse takes one writer)
concurrency:
  runs:
    max_concurrent_runs: 1
telemetry:
  enabled: false
"""


def prepare_home(home: Path) -> Path:
    """Create DAGSTER_HOME with footfall's `dagster.yaml` (kept if the user wrote their own)."""
    home.mkdir(parents=True, exist_ok=True)
    config = home / "dagster.yaml"
    if not config.exists():
        config.write_text(INSTANCE_YAML)
    return home


def start_orchestrator(*, port: int, home: Path, env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
    """Start `dagster dev` on 127.0.0.1:`port` in its own session (stop it with `stop_orchestrator`)."""
    command = [sys.executable, "-m", "dagster", "dev", "-m", DEFINITIONS_MODULE, "-h", "127.0.0.1", "-p", str(port)]
    return subprocess.Popen(
        command,
        env={**os.environ, **(env or {}), "DAGSTER_HOME": str(prepare_home(home).resolve())},
        start_new_session=True,
    )


def wait_for(proc: subprocess.Popen[bytes]) -> int:
    """Wait until `proc` exits, in short waits: a Ctrl-C that lands on one of the library threads (Polars',
    jemalloc's) does not interrupt a blocking wait of the main thread, so the main thread must look often."""
    while True:
        try:
            return proc.wait(timeout=0.25)
        except subprocess.TimeoutExpired:
            continue


def stop_orchestrator(proc: subprocess.Popen[bytes], *, timeout: float = STOP_SECONDS) -> None:
    """Ask `dagster dev` to shut down its webserver, daemon and code server (SIGINT); after `timeout`
    seconds kill whatever of its process tree is left (even a child in a session of its own)."""
    family = descendants(proc.pid)
    if proc.poll() is None:
        proc.send_signal(signal.SIGINT)
        with suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=timeout)
    with suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)  # its children, if any outlived it
    for pid in family:
        with suppress(ProcessLookupError, PermissionError):
            os.kill(pid, signal.SIGKILL)
    proc.wait(timeout=10)
    deadline = time.monotonic() + 3
    while any(running(pid) for pid in family) and time.monotonic() < deadline:
        time.sleep(0.05)


def descendants(pid: int) -> list[int]:
    """Every process below `pid`, through Linux's /proc children lists (none found elsewhere)."""
    found, todo = [], [pid]
    while todo:
        for task in Path(f"/proc/{todo.pop()}/task").glob("*"):
            with suppress(OSError):
                children = [int(c) for c in (task / "children").read_text().split()]
                found += children
                todo += children
    return found


def running(pid: int) -> bool:
    """Whether `pid` is a live process (not gone, not a zombie waiting to be reaped)."""
    try:
        return not Path(f"/proc/{pid}/stat").read_text().split(") ")[1].startswith("Z")
    except (OSError, IndexError):
        return False


@contextmanager
def orchestrator_in_background(
    *, port: int, home: Path, env: dict[str, str] | None = None, timeout: float = 180.0
) -> Iterator[str]:
    """Yield the base URL of a running `dagster dev`; stopped by pid on exit."""
    proc = start_orchestrator(port=port, home=home, env=env)
    try:
        base = f"http://127.0.0.1:{port}"
        wait_until_answers(proc, f"{base}/server_info", timeout=timeout, what="the Dagster webserver")
        yield base
    finally:
        stop_orchestrator(proc)
