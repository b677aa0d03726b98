"""A real Spark standalone cluster on 127.0.0.1 for the tests: a master and two workers, each its own process.

PySpark's wheel carries Spark's jars and `bin/spark-class`, so `SPARK_HOME=<site-packages>/pyspark`
runs the same `Master` and `Worker` a data centre does. Each process starts in its own session
(`start_new_session=True`) and is stopped by its process group id, which takes the executors a
worker launched with it.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import pyspark

import footfall

SPARK_HOME = Path(pyspark.__file__).parent
SRC = Path(footfall.__file__).resolve().parents[1]  # executors import this checkout's footfall
WORKER_MEMORY = "512m"
EXECUTOR_CONF = ("spark.executor.memory=512m", "spark.sql.shuffle.partitions=4", "spark.task.maxFailures=8")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Cluster:
    """A running standalone cluster: its master URL, and the worker processes (to kill one)."""

    folder: Path
    worker_memory: str = WORKER_MEMORY
    port: int = field(default_factory=free_port)
    ui_port: int = field(default_factory=free_port)
    master: subprocess.Popen[bytes] | None = None
    workers: list[subprocess.Popen[bytes]] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"spark://127.0.0.1:{self.port}"

    def start(self, workers: int = 2, timeout: float = 180) -> None:
        self.master = self._spawn(
            "master",
            "org.apache.spark.deploy.master.Master",
            "--host", "127.0.0.1", "--port", str(self.port), "--webui-port", str(self.ui_port),
        )  # fmt: skip
        for i in range(workers):
            self.workers.append(self._spawn(
                f"worker{i}",
                "org.apache.spark.deploy.worker.Worker", self.url,
                "--host", "127.0.0.1", "--cores", "1", "--memory", self.worker_memory,
                "--webui-port", str(free_port()), "--work-dir", str(self.folder / f"work{i}"),
            ))  # fmt: skip
        deadline = time.monotonic() + timeout
        while self.alive_workers() < workers:
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"the Spark cluster did not start in {timeout:.0f} s; logs in {self.folder}")
            time.sleep(1)

    def alive_workers(self) -> int:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.ui_port}/json/", timeout=5) as answer:
                state = json.load(answer)
        except OSError:
            return 0
        return sum(w.get("state") == "ALIVE" for w in state.get("workers", []))

    def kill_worker(self, index: int) -> None:
        """SIGKILL a worker and the executor it launched (its whole process group), as a lost machine."""
        os.killpg(self.workers[index].pid, signal.SIGKILL)
        self.workers[index].wait()

    def stop(self) -> None:
        for proc in [*self.workers, *([self.master] if self.master else [])]:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()

    def _spawn(self, name: str, *args: str) -> subprocess.Popen[bytes]:
        env = {
            **os.environ,
            "SPARK_HOME": str(SPARK_HOME),
            "SPARK_LOCAL_IP": "127.0.0.1",
            "SPARK_LOG_DIR": str(self.folder),
            "PYSPARK_PYTHON": sys.executable,
            "PYTHONPATH": str(SRC),
        }
        with (self.folder / f"{name}.log").open("wb") as log:  # the child keeps its own copy of the descriptor
            return subprocess.Popen(
                [str(SPARK_HOME / "bin" / "spark-class"), *args],
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
