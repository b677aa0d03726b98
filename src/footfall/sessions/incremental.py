"""State of incremental sessions runs: what has been read, and the sessions new data can still change.

A stream's state lives in one folder, as versions of which one is current (`state_folder.py`:
committed by one atomic rename, finished or dropped after a kill); a version holds:

- `state.json`: the files already processed (path, size, mtime and the SHA-256 of the content:
  a file is known by its content, so a re-copied or renamed identical file is skipped, and a
  changed one is refused; size and mtime only spare re-reading a file that was not touched),
  the watermark (the newest event instant seen), the retain cutoff, the next `seq` (file order
  continues across runs) and the settings the state was built with (`StreamSettings`: gap,
  lateness, mapping, the warehouse's display URL — never a password);
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
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, fields
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import polars as pl

from footfall.errors import InputError
from footfall.readers.lines import REJECT_SCHEMA
from footfall.runs import IncrementalDetails
from footfall.sessions.state_folder import StateFolder
from footfall.warehouse import Warehouse, redact_url

__all__ = [
    "KnownFile",
    "SessionState",
    "StreamSettings",
    "file_digest",
    "late_rejects",
    "newest",
    "open_sessions",
    "retained_events",
]

_VERSION = 3  # 2: HTTP-log streams keep session summaries (open.arrow); 3: files known by content
_US = timedelta(microseconds=1)


@dataclass(frozen=True, kw_only=True)
class StreamSettings:
    """What a stream's state was built with; a run with other settings is refused (it would not be exact)."""

    gap_us: int
    lateness_us: int
    mapping_sha256: str | None = None
    warehouse: str | None = None  # the display URL: no password is ever stored
    dataset: str | None = None

    @classmethod
    def of(cls, *, gap: timedelta, lateness: timedelta, **rest: str | None) -> StreamSettings:
        """Settings from durations (kept in whole microseconds)."""
        return cls(gap_us=gap // _US, lateness_us=lateness // _US, **rest)

    @property
    def lateness(self) -> timedelta:
        return self.lateness_us * _US

    def refuse_other(self, saved: dict[str, Any], where: Path) -> None:
        """A one-line error naming the first setting that differs from the `saved` ones."""
        for item in fields(self):
            ours, theirs = getattr(self, item.name), saved.get(item.name)
            if item.name == "warehouse" and isinstance(theirs, str):
                theirs = redact_url(theirs)  # a version-2 state kept the URL as given
            if theirs != ours:
                raise InputError(
                    f"{where}: the state was built with {item.name}={theirs!r}, this run has {ours!r}; use the "
                    "same settings, or a new {param} folder for a full recompute",
                    param="state_dir",
                )


@dataclass(frozen=True)
class KnownFile:
    """A processed input: its content's SHA-256, and the size and mtime it had then (to skip re-hashing)."""

    size: int
    mtime_ns: int
    sha256: str

    @classmethod
    def of(cls, path: Path, *, sha256: str | None = None) -> KnownFile:
        """The file as it is now (hashed unless the digest is given)."""
        stat = path.stat()
        return cls(stat.st_size, stat.st_mtime_ns, sha256 or file_digest(path))

    def unchanged(self, path: Path) -> bool:
        """Whether the file still has the size and mtime it had (then its content is taken as the same)."""
        stat = path.stat()
        return (stat.st_size, stat.st_mtime_ns) == (self.size, self.mtime_ns)


@dataclass
class SessionState:
    """The state of one stream; `SessionState.empty()` is a full run (nothing seen, nothing kept)."""

    kind: str
    settings: StreamSettings | None = None
    folder: Path | None = None
    files: dict[str, KnownFile] = field(default_factory=dict)
    watermark: datetime | None = None
    retain_from: datetime | None = None
    next_seq: int = 0
    events: pl.DataFrame | None = None
    summaries: pl.DataFrame | None = None
    version: Path | None = None  # the current version's folder (None: nothing committed yet)
    _fresh: dict[str, KnownFile] = field(default_factory=dict, repr=False)
    _staged: str | None = field(default=None, repr=False)  # the run whose version `stage` wrote

    @classmethod
    def empty(cls, kind: str) -> SessionState:
        """No state: every input is new, nothing is late, the whole report is rebuilt."""
        return cls(kind)

    @classmethod
    def load(
        cls, folder: Path, kind: str, settings: StreamSettings, *, committed: Callable[[str], bool] | None = None
    ) -> SessionState:
        """The state in `folder` (empty when there is none); an error if it was built differently.

        A version a killed run left is finished first when `committed(run_id)` (the warehouse holds
        that run), else dropped."""
        store = StateFolder(folder)
        store.recover(committed or (lambda run_id: False))
        version = store.current()
        if version is None:
            return cls(kind, settings, folder)
        meta_path = version / "state.json"
        try:
            meta = json.loads(meta_path.read_text())
        except (OSError, ValueError) as exc:
            raise InputError(f"{meta_path}: unreadable incremental state ({exc})") from None
        if meta.get("version") not in (2, _VERSION) or meta.get("kind") != kind:
            raise InputError(f"{meta_path}: not the state of a {kind} stream (version {meta.get('version')})")
        settings.refuse_other(meta["settings"], meta_path)
        return cls(
            kind,
            settings,
            folder,
            files={name: _known(entry) for name, entry in meta["files"].items()},
            watermark=_instant(meta["watermark"]),
            retain_from=_instant(meta["retain_from"]),
            next_seq=meta["next_seq"],
            events=_read_if_there(version / "events.arrow"),
            summaries=_read_if_there(version / "open.arrow"),
            version=version,
        )

    @property
    def incremental(self) -> bool:
        """Whether this state persists (False for a full run)."""
        return self.folder is not None

    def new_inputs(self, paths: list[Path]) -> tuple[list[Path], list[Path]]:
        """(files not processed before, files already processed), known by content; a processed file
        whose content changed is an error. A full run takes every file without reading it."""
        if not self.incremental:
            return list(paths), []
        digests = {known.sha256 for known in self.files.values()}
        new, seen = [], []
        for path in paths:
            name, known = str(path.resolve()), self.files.get(str(path.resolve()))
            if known is not None and known.unchanged(path):
                seen.append(path)
                continue
            now = KnownFile.of(path)
            self._fresh[name] = now
            if now.sha256 in digests:
                seen.append(path)  # the same content again (re-copied, renamed, or twice in this run)
            elif known is not None:
                raise InputError(
                    f"{path}: already processed by an earlier incremental run and its content changed since; "
                    "an incremental run only takes new files (a full run recomputes everything)"
                )
            else:
                new.append(path)
            digests.add(now.sha256)
        return new, seen

    def late_cutoff(self) -> datetime | None:
        """Events before this instant are late (`watermark - lateness`); None when nothing was seen."""
        if self.watermark is None or not self.incremental:
            return None
        assert self.settings is not None
        return self.watermark - self.settings.lateness

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
        if self.version is None:
            return None
        parts = sorted((self.version / "closed").glob("*.arrow"))
        return pl.scan_ipc(parts) if parts else None

    def advance(self, processed: Sequence[Path], newest: datetime | None, events_read: int) -> None:
        """Record processed files (and the new stat of files seen again), the new watermark and the next
        `seq` (call after reading)."""
        self.files.update(self._fresh)
        for path in processed:
            self.files.setdefault(str(path.resolve()), KnownFile.of(path))
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

    def details(self, seen: list[Path], late: int) -> IncrementalDetails | None:
        """What the run summary shows about the incremental state (nothing for a full run)."""
        if not self.incremental:
            return None
        assert self.settings is not None
        return IncrementalDetails(
            state=str(self.folder),
            skipped_already_processed=[str(p) for p in seen],
            late_lines=late,
            lateness_seconds=self.settings.lateness.total_seconds(),
            watermark=self.watermark.isoformat() if self.watermark else None,
        )

    def stage(
        self,
        report: pl.LazyFrame,
        *,
        gap: timedelta,
        run_id: str,
        events: pl.DataFrame | None = None,
        summaries: pl.DataFrame | None = None,
    ) -> pl.DataFrame:
        """Write run `run_id`'s version of the state (`commit` makes it current): retained `events` or
        open `summaries`, and the rows of this run's `report` that became final as a new closed part
        (returned)."""
        assert self.folder is not None
        store = StateFolder(self.folder)
        tmp = store.staging(run_id)
        for name, kept in (("events", events), ("open", summaries)):
            if kept is not None:
                kept.write_ipc(tmp / f"{name}.arrow", compression="uncompressed")
        (tmp / "closed").mkdir()
        for part in (self.version / "closed").glob("*.arrow") if self.version else []:
            os.link(part, tmp / "closed" / part.name)  # earlier parts never change: link, not copy
        cutoff = self.retain_cutoff(gap)
        final = report.filter(pl.col("session_end") < cutoff).collect() if cutoff else report.clear().collect()
        if final.height:
            final.write_ipc(tmp / "closed" / f"{self.part_name()}.arrow", compression="uncompressed")
        (tmp / "state.json").write_text(json.dumps(self._meta(cutoff, run_id), indent=1))
        store.seal(run_id)
        self._staged = run_id
        return final

    def _meta(self, cutoff: datetime | None, run_id: str) -> dict[str, Any]:
        return {
            "version": _VERSION,
            "kind": self.kind,
            "run_id": run_id,
            "previous_run": self.committed_run(),
            "settings": asdict(self.settings) if self.settings else {},
            "files": {name: asdict(known) for name, known in self.files.items()},
            "watermark": self.watermark.isoformat() if self.watermark else None,
            "retain_from": cutoff.isoformat() if cutoff else None,
            "next_seq": self.next_seq,
            "saved_at": datetime.now(UTC).isoformat(),
        }

    def part_name(self) -> str:
        """The name of the closed part this run adds (ordered like the runs)."""
        return f"{self.next_seq:020d}"

    def commit(self) -> None:
        """Make the staged version current (as the warehouse transaction's `then`, or in `interrupts.committing`)."""
        assert self.folder is not None and self._staged is not None
        StateFolder(self.folder).commit(self._staged)

    def committed_run(self) -> str | None:
        """The run whose version is current (None: none, or the layout before versions)."""
        if self.version is None or not (self.version / "state.json").is_file():
            return None
        try:
            return json.loads((self.version / "state.json").read_text()).get("run_id")  # type: ignore[no-any-return]
        except (OSError, ValueError):
            return None

    def discard(self) -> None:
        """Remove a staged version that will not be committed (the run failed)."""
        if self.folder is not None and self._staged is not None:
            StateFolder(self.folder).discard(self._staged)


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
    """The SHA-256 of a file's content (inputs and the mapping), read in blocks."""
    with path.open("rb") as stream:
        return hashlib.file_digest(stream, "sha256").hexdigest()


def _read_if_there(path: Path) -> pl.DataFrame | None:
    return pl.read_ipc(path) if path.exists() else None


def _known(entry: dict[str, Any] | list[int]) -> KnownFile:
    """A processed file as the state holds it (a version-2 state: [size, mtime] without a digest)."""
    if isinstance(entry, list):
        return KnownFile(entry[0], entry[1], "")
    return KnownFile(**entry)


def _instant(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def _human(delta: timedelta) -> str:
    seconds = int(delta.total_seconds())
    for unit, size in (("h", 3600), ("m", 60)):
        if seconds and seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"
