"""The skeleton every sessions pipeline follows: read → split late → partition → sessionize → stage → load.

`SessionsRun` reads parsed batches into user partitions, counting every line once (`read =
accepted + rejected`) and turning lines older than an incremental stream's lateness into rejects
with the reason `late`. What is sessionized, and how, is each pipeline's own (`http_pipeline`,
`shop_pipeline`). `publish` ends every run the same way: the warehouse load and the run's record
in one transaction, then the incremental state and the output files — so a report file never
shows a run the warehouse does not hold (docs/sessions.md, "What a run changes, and when").
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import polars as pl

from footfall.errors import InputError
from footfall.interrupts import committing
from footfall.outputs import StagedOutputs
from footfall.readers.lines import REJECT_SCHEMA, ParsedBatch
from footfall.runs import RunSummary
from footfall.sessions.incremental import SessionState, late_rejects, newest
from footfall.sessions.partitions import EventPartitions
from footfall.warehouse import Warehouse

__all__ = ["Progress", "RunResults", "SessionsRun", "each_partition", "load_results", "publish", "refuse_empty"]

Progress = Callable[[int], None]


@dataclass
class SessionsRun:
    """One run of a sessions pipeline: its summary, and what reading its inputs found."""

    summary: RunSummary
    state: SessionState
    gap: timedelta
    progress: Progress | None = None
    latest: datetime | None = None
    _rejects: list[pl.DataFrame] = field(default_factory=list)
    _late: list[pl.DataFrame] = field(default_factory=list)

    def read(
        self,
        batches: Iterable[ParsedBatch],
        into: EventPartitions,
        *,
        prepare: Callable[[pl.DataFrame], pl.DataFrame],
        late_among: pl.Expr | None = None,
    ) -> None:
        """Count each batch, keep its late events (those matching `late_among`) aside, partition the rest."""
        for batch in batches:
            summary = self.summary
            summary.accepted += batch.events.height
            summary.rejected += batch.rejects.height
            summary.read += batch.events.height + batch.rejects.height
            fresh, late = self.state.split_late(batch.events, among=late_among)
            self._late.append(late)
            self.latest = newest(self.latest, fresh)
            into.add(prepare(fresh))
            self._rejects.append(batch.rejects)
            if self.progress is not None:
                self.progress(batch.bytes_read)

    def rejects(self, late_line: pl.Expr) -> tuple[pl.DataFrame, int]:
        """(every reject of the run, late lines included — rebuilt by `late_line` —, how many were late)."""
        late = pl.concat(self._late) if self._late else None
        parts = list(self._rejects)
        late_count = late.height if late is not None else 0
        if late is not None and late_count:
            assert self.state.settings is not None
            parts.append(late_rejects(late, late_line, self.state.late_cutoff(), self.state.settings.lateness))
            self.summary.accepted -= late_count
            self.summary.rejected += late_count
        rejects = pl.concat(parts).sort("source_file", "line_number") if parts else pl.DataFrame(schema=REJECT_SCHEMA)
        self.summary.count_rejects(rejects["reason"])
        return rejects, late_count

    def check_not_empty(self, files: Sequence[Path], *, allow_empty: bool) -> None:
        """A full run that accepted nothing fails before it replaces anything (unless `allow_empty`)."""
        if not self.state.incremental:
            refuse_empty(self.summary, files, allow_empty=allow_empty)


def refuse_empty(summary: RunSummary, files: Sequence[Path], *, allow_empty: bool) -> None:
    """A one-line error when a full run accepted no line (its inputs are empty or all rejected), unless
    `allow_empty`: replacing every session with nothing is rarely what was meant."""
    if allow_empty or summary.accepted:
        return
    named = ", ".join(map(str, files[:3])) + (f" and {len(files) - 3} more" if len(files) > 3 else "")
    if not summary.read:
        why = f"{named}: no lines to read (empty)"
    else:
        top = ", ".join(f"{reason} {count:,}" for reason, count in _top(summary.details.reject_reasons))
        why = f"{named}: all {summary.read:,} lines were rejected ({top}); is it the right kind of file?"
    raise InputError(
        f"{why}; nothing was changed (set {{param}} to replace the results with an empty run)", param="allow_empty"
    )


def _top(reasons: dict[str, int], n: int = 3) -> list[tuple[str, int]]:
    return sorted(reasons.items(), key=lambda item: -item[1])[:n]


def each_partition(events: EventPartitions, work: Callable[[pl.DataFrame], pl.DataFrame]) -> Iterator[pl.DataFrame]:
    """`work` on each partition, in order: two at a time while they are in memory anyway (the cores
    are not both busy inside one partition's sort and aggregations), one by one when spilled (memory
    is bounded by one partition)."""
    if events.spills:
        yield from map(work, events)
        return
    with ThreadPoolExecutor(max_workers=2, thread_name_prefix="footfall-sessions") as pool:
        yield from pool.map(work, events)


@dataclass(frozen=True)
class RunResults:
    """What a sessions run loads: its events and sessions (each by partition) and its rejects."""

    events: Iterable[pl.DataFrame]
    rejects: pl.DataFrame
    sessions: Iterable[pl.DataFrame]


Write = Callable[[Warehouse, RunSummary, RunResults, SessionState], None]


def load_results(
    warehouse: Warehouse | None,
    summary: RunSummary,
    results: RunResults,
    *,
    write: Write,
    state: SessionState,
    outputs: StagedOutputs | None = None,
) -> None:
    """`publish` a run whose table writes are `write(warehouse, summary, results, state)`."""
    publish(
        summary,
        warehouse=warehouse,
        load=lambda into: write(into, summary, results, state),
        outputs=outputs or StagedOutputs(tag=summary.run_id),
        state=state,
    )


def publish(
    summary: RunSummary,
    *,
    warehouse: Warehouse | None,
    load: Callable[[Warehouse], None],
    outputs: StagedOutputs,
    state: SessionState,
) -> None:
    """End a run: `load` and the run's record in one warehouse transaction; after its COMMIT, the
    incremental state swapped in and the staged output files renamed into place (never cut by Ctrl-C).
    Without a warehouse the state and the files are the commit. A failure leaves everything as it was."""

    committed = False

    def after_commit() -> None:
        nonlocal committed
        committed = True  # from here on the run's outputs are its results: never discarded
        if state.incremental:
            state.commit()
        outputs.publish()

    try:
        if warehouse is None:
            with committing():
                after_commit()
            return
        with warehouse.transaction(then=after_commit):
            load(warehouse)
            summary.record(warehouse)
    finally:
        if not committed:
            outputs.discard()
            state.discard()
