"""Serving's queries run at a lower CPU priority than its event loop (docs/serving.md).

On a busy machine the event loop (admission, refusals, cached answers, `/health`) competes for
the cores with the queries and with DuckDB's own worker threads. A server's read connections
therefore run each query on a thread of `QUERIES`, whose nice value is `NICE` above the
process's, and open DuckDB from such a thread (its workers inherit the value): the kernel gives
the loop a core first and the queries the rest. Only these threads are lowered, never the loop
or the threads that run routes (a route waiting on a query costs no CPU). Raising one's own
nice value needs no privilege.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import suppress
from typing import TypeVar

__all__ = ["NICE", "lowered"]

NICE = 5
T = TypeVar("T")


def _lower_this_thread() -> None:
    with suppress(OSError, AttributeError):  # (not Linux: priorities stay as they are)
        tid = threading.get_native_id()
        os.setpriority(os.PRIO_PROCESS, tid, min(19, os.getpriority(os.PRIO_PROCESS, tid) + NICE))


QUERIES = ThreadPoolExecutor(max_workers=64, thread_name_prefix="footfall-query", initializer=_lower_this_thread)


def lowered(call: Callable[[], T]) -> T:
    """`call()` on one of the lowered query threads; the caller waits (without using the CPU)."""
    return QUERIES.submit(call).result()
