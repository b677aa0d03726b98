"""Start and stop the Spark session a sessions run uses, with footfall's settings and one-line errors.

Defaults (each can be overridden by a `spark.key=value` setting): no web UI, session time zone
UTC (reports are in UTC), Parquet instants written as microseconds (not INT96); executors' Python is
the one running footfall unless PYSPARK_PYTHON says otherwise. On a `local[N]` master, where one JVM
is driver and executors, `spark.sql.shuffle.partitions` is 4 per core (Spark's 200 means 200 shuffle
files per map task and 200 reduce tasks queued on a few cores; adaptive execution still merges small
ones). A `spark://host:port` master is checked with a plain TCP connect first: Spark itself would
retry registering for minutes. The JVM's own output (start-up lines, warnings, its log) goes to
`spark_log_path()`, not to the terminal, so a mistake is one line: when the JVM refuses to
start, that line carries the JVM's own reason.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING

from footfall.errors import InputError, UnavailableError

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

__all__ = ["DEFAULTS", "local_defaults", "spark_log_path", "spark_session"]

DEFAULTS = {
    "spark.app.name": "footfall",
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.sql.session.timeZone": "UTC",
    "spark.sql.parquet.outputTimestampType": "TIMESTAMP_MICROS",
    "spark.sql.sources.partitionOverwriteMode": "static",
    "spark.sql.execution.arrow.maxRecordsPerBatch": "20000",
}
_CONNECT_SECONDS = 5.0
_SPARK_LOG = re.compile(r"^(\d\d/\d\d/\d\d \d\d:|Using Spark's default log4j|Setting default log level|WARNING: )")
_LOCAL = re.compile(r"^local(?:\[(\d+|\*)(?:,\d+)?\])?$")


@contextmanager
def spark_session(master: str, conf: dict[str, str] | None = None) -> Iterator[SparkSession]:
    """A Spark session on `master`; one already running on the same master is reused and left running."""
    from pyspark.sql import SparkSession

    active = SparkSession.getActiveSession()
    if active is not None and active.sparkContext.master == master:
        yield active
        return
    check_master(master)
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)  # PySpark takes the executors' Python only from here
    settings = {**DEFAULTS, **local_defaults(master), **(conf or {})}
    builder = SparkSession.builder.master(master)
    for key, value in settings.items():
        builder = builder.config(key, value)
    ctrl_c = signal.getsignal(signal.SIGINT)  # SparkContext installs its own handler and leaves it after stop()
    log = spark_log_path()
    try:
        with log.open("wb") as out, _stderr_to(out.fileno()):  # the JVM inherits it: its lines go to the log
            session = builder.getOrCreate()
    except Exception as exc:  # Spark's own refusal of a setting: its message, on one line
        _restore(ctrl_c)
        exited = "JAVA_GATEWAY_EXITED" in str(exc) or "gateway process exited" in str(exc)
        why = (_jvm_refusal(log) if exited else "") or one_line(exc)
        raise InputError(f"Spark did not start on {master}: {why}", param="spark_conf") from None
    session.sparkContext.setLogLevel("ERROR")
    try:
        yield session
    finally:
        session.stop()
        _restore(ctrl_c)


def spark_log_path() -> Path:
    """Where the JVM's own output goes (its start-up lines, warnings and errors): a file per footfall process."""
    return Path(tempfile.gettempdir()) / f"footfall-spark-{os.getpid()}.log"


@contextmanager
def _stderr_to(fd: int) -> Iterator[None]:
    """Point this process's standard error (file descriptor 2) at `fd` for the block: children started in it
    keep `fd` as theirs."""
    sys.stderr.flush()
    saved = os.dup(2)
    os.dup2(fd, 2)
    try:
        yield
    finally:
        sys.stderr.flush()
        os.dup2(saved, 2)
        os.close(saved)


def _jvm_refusal(log: Path) -> str:
    """The JVM's own reason for not starting (`Invalid maximum heap size: -Xmxabc`), from its output, or ''."""
    generic = ("Error: Could not create the Java Virtual Machine", "Error: A fatal exception")
    with suppress(OSError):
        for line in log.read_text(errors="replace").splitlines():
            line = line.strip()
            if line and not line.startswith(generic) and not _SPARK_LOG.match(line):
                return line[:400]
    return ""


def local_defaults(master: str) -> dict[str, str]:
    """Footfall's defaults for a `local`, `local[N]`, `local[*]` or `local[N,F]` master (none for others)."""
    found = _LOCAL.match(master)
    if found is None:
        return {}
    cores = found.group(1) or "1"
    count = (os.cpu_count() or 1) if cores == "*" else int(cores)
    return {"spark.sql.shuffle.partitions": str(max(4 * count, 4))}


def _restore(handler: Callable[[int, FrameType | None], object] | int | None) -> None:
    """Put back the Ctrl-C handler footfall had before Spark started (where one can be set: the main thread)."""
    if handler is not None and signal.getsignal(signal.SIGINT) is not handler:
        with suppress(ValueError):  # not the main thread: nothing was changed there
            signal.signal(signal.SIGINT, handler)


def check_master(master: str) -> None:
    """A one-line error naming `master` when a standalone master (`spark://h:p[,h2:p2]`) answers on no address."""
    if not master.startswith("spark://"):
        return
    failures = []
    for address in master.removeprefix("spark://").split(","):
        host, _, port = address.rpartition(":")
        try:
            with socket.create_connection((host, int(port)), timeout=_CONNECT_SECONDS):
                return
        except (OSError, ValueError) as exc:
            failures.append(f"{address}: {exc.strerror if isinstance(exc, OSError) and exc.strerror else exc}")
    raise UnavailableError(f"the Spark master {master} cannot be reached ({'; '.join(failures)})", param="master")


def one_line(exc: BaseException) -> str:
    """The first meaningful line of a Spark/Java error, without the Java class prefix and stack."""
    java = getattr(exc, "java_exception", None)  # py4j's error wraps the Java one, whose message is the cause
    text = str(java.toString() if java is not None else exc).strip()
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith(("at ", "JVM stacktrace", "Traceback")):
            text = line
            break
    head, sep, rest = text.partition(": ")
    if sep and "." in head and " " not in head:  # a Java class name: org.apache.spark.SparkException
        text = rest
    return text[:400]
