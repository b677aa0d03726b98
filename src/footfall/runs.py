"""Run summaries: what every pipeline run read, accepted, rejected and wrote, kept in `runs` (docs/runs.md)."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime

import polars as pl

from footfall.warehouse import Warehouse

__all__ = ["IncrementalDetails", "RunDetails", "RunSummary", "committed_in"]


@dataclass(slots=True)
class IncrementalDetails:
    """What an incremental run adds to its summary: its state and what it skipped or rejected as late."""

    state: str
    skipped_already_processed: list[str]
    late_lines: int
    lateness_seconds: float
    watermark: str | None


@dataclass(slots=True)
class RunDetails:
    """What a run's summary says beyond its counts; stored as JSON in `runs.details` (unset fields left out).

    `warehouse` is the URL's display form, without a password (`warehouse.display_url`).
    """

    warehouse: str | None = None
    output: str | None = None
    rejects_output: str | None = None
    reject_reasons: dict[str, int] = field(default_factory=dict)
    engine: str | None = None
    runner: str | None = None
    gap_seconds: float | None = None
    partitions: int | None = None
    anonymous_events: int | None = None
    incremental: IncrementalDetails | None = None
    codec: str | None = None
    source_files: list[str] | None = None
    tables: dict[str, dict[str, int]] = field(default_factory=dict)
    columns: dict[str, str] | None = None
    locations: int | None = None
    batch: str | None = None
    already_processed: list[str] | None = None
    quarantined: dict[str, str] | None = None
    reference_date: str | None = None
    successful: str | None = None
    unsuccessful: str | None = None

    def to_json(self) -> str:
        """The details as JSON text, unset fields left out."""
        values = {k: v for k, v in asdict(self).items() if v is not None and v != {}}
        return json.dumps(values, sort_keys=True, default=str)


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
    details: RunDetails = field(default_factory=RunDetails)
    _clock: float = field(default_factory=time.perf_counter, repr=False)

    @property
    def seconds(self) -> float:
        """Wall time since the run started."""
        return time.perf_counter() - self._clock

    def count_rejects(self, reasons: pl.Series) -> None:
        """Record how many rejects gave each reason (`details.reject_reasons`)."""
        self.details.reject_reasons = dict(sorted(reasons.value_counts().iter_rows()))

    def record(self, warehouse: Warehouse, *, status: str = "ok") -> None:
        """Insert this run's row into `runs` (call inside the run's load transaction)."""
        self.details.warehouse = warehouse.display_url
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
            "details": self.details.to_json(),
        }
        frame = pl.DataFrame([row]).with_columns(pl.col("started_at", "finished_at").cast(pl.Datetime("us", "UTC")))
        warehouse.insert("runs", frame)


def committed_in(warehouse: Warehouse | None) -> Callable[[str], bool]:
    """Whether a run committed, as the warehouse knows it (without one: no run did — the caller's own
    commit point decides)."""
    if warehouse is None:
        return lambda run_id: False
    from footfall.reports._sql import report_sql

    sql = report_sql("run_exists")
    return lambda run_id: bool(warehouse.query(sql, {"run_id": run_id})["n"][0])
