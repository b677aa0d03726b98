"""Ctrl-C and commits: a commit (with what must change along with it) is never cut in half, and
after an interrupt the CLI can say truthfully whether the run in progress had committed."""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["committing", "run_committed", "start_run"]

_run_committed = False


def start_run() -> None:
    """A new run begins: it has committed nothing yet."""
    global _run_committed
    _run_committed = False


def run_committed() -> bool:
    """Whether the current run has completed a commit."""
    return _run_committed


@contextmanager
def committing(*, marks_run: bool = True) -> Iterator[None]:
    """Commit inside: Ctrl-C waits until the block ends (then is raised), and a block that ends
    normally marks the run as committed (unless `marks_run=False`). Signals reach only the main
    thread; elsewhere it only marks."""
    global _run_committed
    if threading.current_thread() is not threading.main_thread():
        yield
        _run_committed = _run_committed or marks_run
        return
    pending: list[int] = []
    previous = signal.signal(signal.SIGINT, lambda signum, frame: pending.append(signum))
    try:
        yield
    except BaseException:
        signal.signal(signal.SIGINT, previous)
        raise
    _run_committed = _run_committed or marks_run
    signal.signal(signal.SIGINT, previous)
    if pending:
        raise KeyboardInterrupt
