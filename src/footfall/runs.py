"""Run summaries: what every pipeline run read, accepted, rejected and wrote, kept in `runs`."""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import polars as pl

from footfall.warehouse import Warehouse

__all__ = ["RunSummary"]


@dataclass
class RunSummary:
    """Counts of one run; `read == accepted + rejected` always holds for line-based inputs."""

    command: str
    inputs: list[str]
    run_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    started_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    read: int = 0
    accepted: int = 0
    rejected: int = 0
    written: int = 0
    details: dict[str, Any] = field(default_factory=dict)
    _clock: float = field(default_factory=time.perf_counter, repr=False)

    @property
    def seconds(self) -> float:
        """Wall time since the run started."""
        return time.perf_counter() - self._clock

    def record(self, warehouse: Warehouse, *, status: str = "ok") -> None:
        """Insert this run's row into `runs` (call inside the run's load transaction)."""
        finished = datetime.now(UTC)
        row = {
            "run_id": self.run_id,
            "command": self.command,
            "status": status,
            "started_at": self.started_at,
            "finished_at": finished,
            "duration_seconds": self.seconds,
            "inputs": json.dumps(self.inputs),
            "rows_read": self.read,
            "rows_accepted": self.accepted,
            "rows_rejected": self.rejected,
            "rows_written": self.written,
            "details": json.dumps(self.details, sort_keys=True, default=str),
        }
        frame = pl.DataFrame([row]).with_columns(pl.col("started_at", "finished_at").cast(pl.Datetime("us", "UTC")))
        warehouse.insert("runs", frame)
