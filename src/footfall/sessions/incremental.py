"""State of incremental sessions runs: what has been read, and the sessions new data can still change.

A stream's state lives in one folder:

- `state.json`: the files already processed (path, size, mtime), the watermark (the newest
  event instant seen), the retain cutoff, the next `seq` (file order continues across runs)
  and the settings the state was built with (gap, lateness, mapping, warehouse);
- `events.arrow`: every event of every session that ends at or after the retain cutoff (web-shop
  streams), or `open.arrow`: those sessions' mergeable summaries (`summaries.py`, HTTP logs:
  a busy user's session can span the day, and its summary is one row where its events are many);
- `closed/*.arrow`: the report rows that no later run can change (sessions ending before the
  retain cutoff), one file appended per run; with this run's rows they are the report over all
  data seen so far.

Both are uncompressed Arrow IPC files: the state is rewritten every run, and IPC writes and
(memory-mapped) reads are several times faster than Parquet.

Why this is exact. New events are accepted only at or after `watermark - lateness`; an event
at `t` can only join a session that ends after `t - gap`; so sessions ending before
`watermark - lateness - gap` (the retain cutoff) are final. Each run re-sessionizes the
retained events together with the new ones: the result replaces exactly the report rows that
end at or after the previous cutoff (adding events only ever merges sessions, so no new
session ends earlier). Summaries give the same result as the events they stand for.
A run over hourly files therefore produces the report of one run over
all of them, provided no line is later than the lateness; later lines are rejected with the
reason `late` (a full run over the files includes them).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import polars as pl

from footfall.errors import InputError
from footfall.readers.lines import REJECT_SCHEMA
from footfall.warehouse import Warehouse

__all__ = [
    "DEFAULT_LATENESS",
    "SessionState",
    "file_digest",
    "late_rejects",
    "newest",
    "open_sessions",
    "retained_events",
]

DEFAULT_LATENESS = timedelta(hours=1)
_VERSION = 2  # 2: HTTP-log streams keep session summaries (open.arrow), not events


@dataclass
class SessionState:
    """The state of one stream; `SessionState.empty()` is a full run (nothing seen, nothing kept)."""

    kind: str
    settings: dict[str, Any]
    folder: Path | None = None
    files: dict[str, list[int]] = field(default_factory=dict)
    watermark: datetime | None = None
    retain_from: datetime | None = None
    next_seq: int = 0
    events: pl.DataFrame | None = None
    summaries: pl.DataFrame | None = None

    @classmethod
    def empty(cls, kind: str) -> SessionState:
        """No state: every input is new, nothing is late, the whole report is rebuilt."""
        return cls(kind, {})

    @classmethod
    def for_run(
        cls, folder: Path | None, kind: str, *, gap: timedelta, lateness: timedelta, **settings: Any
    ) -> SessionState:
        """The saved state in `folder` (an incremental run) or an empty one (`folder=None`: a full run)."""
        if folder is None:
            return cls.empty(kind)
        us = timedelta(microseconds=1)
        return cls.load(folder, kind, {"gap_us": gap // us, "lateness_us": lateness // us, **settings})

    @classmethod
    def load(cls, folder: Path, kind: str, settings: dict[str, Any]) -> SessionState:
        """The state in `folder` (empty when there is none); an error if it was built differently."""
        meta_path = folder / "state.json"
        if not meta_path.exists():
            return cls(kind, settings, folder)
        try:
            meta = json.loads(meta_path.read_text())
        except (OSError, ValueError) as exc:
            raise InputError(f"{meta_path}: unreadable incremental state ({exc})") from None
        if meta.get("version") != _VERSION or meta.get("kind") != kind:
            raise InputError(f"{meta_path}: not the state of a {kind} stream (version {meta.get('version')})")
        for name, value in settings.items():
            if meta["settings"].get(name) != value:
                raise InputError(
                    f"{meta_path}: the state was built with {name}={meta['settings'].get(name)!r}, this run has "
                    f"{value!r}; use the same settings, or a new --state folder for a full recompute"
                )
        return cls(
            kind,
            settings,
            folder,
            files=meta["files"],
            watermark=_instant(meta["watermark"]),
            retain_from=_instant(meta["retain_from"]),
            next_seq=meta["next_seq"],
            events=_read_if_there(folder / "events.arrow"),
            summaries=_read_if_there(folder / "open.arrow"),
        )

    @property
    def incremental(self) -> bool:
        """Whether this state persists (False for a full run)."""
        return self.folder is not None

    def new_inputs(self, paths: list[Path]) -> tuple[list[Path], list[Path]]:
        """(files not processed before, files already processed); a processed file that changed is an error."""
        new, seen = [], []
        for path in paths:
            known = self.files.get(str(path.resolve()))
            if known is None:
                new.append(path)
            elif known == _identity(path):
                seen.append(path)
            else:
                raise InputError(
                    f"{path}: already processed by an earlier incremental run and changed since; "
                    "an incremental run only takes new files (run without --incremental to recompute)"
                )
        return new, seen

    def late_cutoff(self) -> datetime | None:
        """Events before this instant are late (`watermark - lateness`); None when nothing was seen."""
        if self.watermark is None or not self.incremental:
            return None
        return self.watermark - timedelta(microseconds=self.settings["lateness_us"])

    def split_late(self, events: pl.DataFrame, *, among: pl.Expr | None = None) -> tuple[pl.DataFrame, pl.DataFrame]:
        """(on-time events, late events): late = before `late_cutoff()` (and matching `among`, if given)."""
        cutoff = self.late_cutoff()
        if cutoff is None:
            return events, events.clear()
        late = pl.col("ts") < cutoff if among is None else among & (pl.col("ts") < cutoff)
        flags = events.select(late.fill_null(False)).to_series()
        if not flags.any():  # the usual case: one pass, no copy
            return events, events.clear()
        return events.filter(~flags), events.filter(flags)

    def report_rows_kept(self) -> pl.LazyFrame | None:
        """The report rows this run cannot change (ending before the retain cutoff), or None."""
        if not self.incremental:
            return None
        assert self.folder is not None
        parts = sorted((self.folder / "closed").glob("*.arrow"))
        return pl.scan_ipc(parts) if parts else None

    def advance(self, processed: list[Path], newest: datetime | None, events_read: int) -> None:
        """Record processed files, the new watermark and the next `seq` (call after reading)."""
        for path in processed:
            self.files[str(path.resolve())] = _identity(path)
        if newest is not None and (self.watermark is None or newest > self.watermark):
            self.watermark = newest
        self.next_seq += events_read

    def retain_cutoff(self, gap: timedelta) -> datetime | None:
        """Sessions ending at or after this instant may still change (`watermark - lateness - gap`)."""
        cutoff = self.late_cutoff()
        return None if cutoff is None else cutoff - gap

    def is_open(self, gap: timedelta) -> pl.Expr:
        """A session is open while its last event is within one gap of the newest event seen."""
        return open_sessions(self.watermark, gap)

    def delete_recomputed(self, warehouse: Warehouse, table: str) -> None:
        """Delete the sessions this run recomputes: all, or those ending at or after the retain cutoff."""
        if self.retain_from is None:
            warehouse.execute(f"DELETE FROM {table}")
        else:
            warehouse.execute(f"DELETE FROM {table} WHERE session_end >= :cutoff", {"cutoff": self.retain_from})

    def details(self, seen: list[Path], late: int) -> dict[str, object]:
        """What the run summary shows about the incremental state (nothing for a full run)."""
        if not self.incremental:
            return {}
        return {
            "incremental_state": str(self.folder),
            "skipped_already_processed": [str(p) for p in seen],
            "late_lines": late,
            "lateness_seconds": self.settings["lateness_us"] / 1e6,
            "watermark": self.watermark.isoformat() if self.watermark else None,
        }

    def stage(
        self,
        report: pl.LazyFrame,
        *,
        gap: timedelta,
        events: pl.DataFrame | None = None,
        summaries: pl.DataFrame | None = None,
    ) -> pl.DataFrame:
        """Write the next state to a temp folder (`commit` swaps it in): retained `events` or open
        `summaries`, and the rows of this run's `report` that became final as a new closed part
        (returned)."""
        assert self.folder is not None
        self.folder.parent.mkdir(parents=True, exist_ok=True)
        tmp = self._staging()
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir()
        for name, kept in (("events", events), ("open", summaries)):
            if kept is not None:
                kept.write_ipc(tmp / f"{name}.arrow", compression="uncompressed")
        (tmp / "closed").mkdir()
        for part in (self.folder / "closed").glob("*.arrow"):  # earlier parts never change: link, not copy
            os.link(part, tmp / "closed" / part.name)
        cutoff = self.retain_cutoff(gap)
        final = report.filter(pl.col("session_end") < cutoff).collect() if cutoff else report.clear().collect()
        if final.height:
            final.write_ipc(tmp / "closed" / f"{self.part_name()}.arrow", compression="uncompressed")
        meta = {
            "version": _VERSION,
            "kind": self.kind,
            "settings": self.settings,
            "files": self.files,
            "watermark": self.watermark.isoformat() if self.watermark else None,
            "retain_from": cutoff.isoformat() if cutoff else None,
            "next_seq": self.next_seq,
            "saved_at": datetime.now(UTC).isoformat(),
        }
        (tmp / "state.json").write_text(json.dumps(meta, indent=1))
        return final

    def part_name(self) -> str:
        """The name of the closed part this run adds (ordered like the runs)."""
        return f"{self.next_seq:020d}"

    def commit(self) -> None:
        """Swap the staged state in (as the warehouse transaction's `then`, or in `interrupts.committing`)."""
        assert self.folder is not None
        old = self.folder.with_name(f".{self.folder.name}.{os.getpid()}.old")
        if self.folder.exists():
            self.folder.replace(old)
        self._staging().replace(self.folder)
        shutil.rmtree(old, ignore_errors=True)

    def discard(self) -> None:
        """Remove a staged state that will not be committed (the run failed)."""
        if self.folder is not None:
            shutil.rmtree(self._staging(), ignore_errors=True)

    def _staging(self) -> Path:
        assert self.folder is not None
        return self.folder.with_name(f".{self.folder.name}.{os.getpid()}.tmp")


def retained_events(
    events: pl.DataFrame, sessions: pl.DataFrame, *, user: str, cutoff: datetime | None
) -> pl.DataFrame:
    """The events of the sessions that end at or after `cutoff` (a user's sessions never overlap)."""
    if cutoff is None:
        return events.clear()
    first = sessions.filter(pl.col("session_end") >= cutoff).group_by(user).agg(_from=pl.col("session_start").min())
    return events.join(first, on=user).filter(pl.col("ts") >= pl.col("_from")).drop("_from")


def late_rejects(late: pl.DataFrame, raw: pl.Expr, cutoff: datetime | None, lateness: timedelta) -> pl.DataFrame:
    """Late events as reject rows (reason `late`), with the line rebuilt from its parsed fields."""
    detail = f"more than {_human(lateness)} before the newest event already processed; a full run includes it"
    if cutoff is not None:
        detail += f" (accepted from {cutoff.isoformat().replace('+00:00', 'Z')})"
    rows = late.select(
        "source_file", "line_number", reason=pl.lit("late"), detail=pl.lit(f"field timestamp: {detail}"), raw=raw
    )
    return rows.cast(REJECT_SCHEMA)


def open_sessions(latest: datetime | None, gap: timedelta) -> pl.Expr:
    """`open`: the session's last event is within one gap of `latest`, the newest event seen."""
    return pl.lit(False) if latest is None else pl.col("session_end") > latest - gap


def newest(current: datetime | None, events: pl.DataFrame) -> datetime | None:
    """The later of `current` and the newest `ts` in `events`."""
    latest = events["ts"].max() if events.height else None
    assert latest is None or isinstance(latest, datetime)
    if latest is None or (current is not None and current >= latest):
        return current
    return latest


def file_digest(path: Path) -> str:
    """The SHA-256 of a small settings file (the mapping), so a changed mapping is noticed."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _read_if_there(path: Path) -> pl.DataFrame | None:
    return pl.read_ipc(path) if path.exists() else None


def _identity(path: Path) -> list[int]:
    stat = path.stat()
    return [stat.st_size, stat.st_mtime_ns]


def _instant(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def _human(delta: timedelta) -> str:
    seconds = int(delta.total_seconds())
    for unit, size in (("h", 3600), ("m", 60)):
        if seconds and seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"
