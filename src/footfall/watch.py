"""Watch inputs for new files: what a long-lived incremental run takes on each look.

A file is ready once its size and modification time are the same at two looks in a row (a
file still being written or copied is left for a later look). Files are handed over once,
in name order, which is the order hourly files are named in; hidden files (`.name`) and
temporary ones (`*.tmp`, `*.part`) are never taken, so a writer that may pause for longer
than one look writes to `name.part` (or `.name`) and renames the file when it is complete.
A file that changes after it was handed over is reported once, not read again.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from footfall.errors import FootfallError, InputError
from footfall.runs import RunSummary

__all__ = ["Changed", "Failed", "Look", "Ran", "ready_files", "watch"]

_SKIPPED_SUFFIXES = (".tmp", ".part", ".partial")


@dataclass(frozen=True)
class Look:
    """What one look found: files ready to be read, and files that changed after they were handed over."""

    ready: list[Path]
    changed: list[Path]


@dataclass(frozen=True)
class Ran:
    """A run over newly ready files finished."""

    files: list[Path]
    summary: RunSummary
    seconds: float


@dataclass(frozen=True)
class Failed:
    """A run over newly ready files failed; its state is unchanged and watching goes on."""

    files: list[Path]
    error: FootfallError


@dataclass(frozen=True)
class Changed:
    """A file changed after it was handed over; its new content is not read."""

    path: Path


def watch(
    sources: Sequence[Path],
    *,
    every: float,
    run: Callable[[list[Path]], RunSummary],
    report: Callable[[Ran | Failed | Changed], None],
    sleep: Callable[[float], None] = time.sleep,
) -> None:
    """Forever (until interrupted): `run` on each look's newly ready files, every `every` seconds, one
    process for every hour (no start-up cost per run); `report` hears of each run, failure and change."""
    from footfall.interrupts import start_run

    if every <= 0:
        raise InputError(f"{{param}} takes a positive number of seconds, got {every:g}", param="watch")
    for look in ready_files(sources, every=every, sleep=sleep):
        for path in look.changed:
            report(Changed(path))
        if not look.ready:
            continue
        started = time.perf_counter()
        start_run()
        try:
            summary = run(look.ready)
        except FootfallError as exc:
            report(Failed(look.ready, exc))
            continue
        report(Ran(look.ready, summary, time.perf_counter() - started))


def ready_files(
    sources: Sequence[Path], *, every: float, sleep: Callable[[float], None] = time.sleep
) -> Iterator[Look]:
    """Forever: every `every` seconds, what became ready among the files of `sources` (files, or folders' files).

    The first look hands over every file already there (an incremental run skips the ones its
    state has seen); later looks hand over new files once they stop changing. A missing
    source is an error at the first look, not later.
    """
    for source in sources:
        if not source.exists():
            raise InputError(f"{source}: no such file or folder")
    handed: dict[Path, tuple[int, int]] = {}
    last_seen: dict[Path, tuple[int, int]] = {}
    first = True
    while True:
        now = {path: identity for path in _listing(sources) if (identity := _identity(path)) is not None}
        ready = sorted(p for p, i in now.items() if p not in handed and (first or last_seen.get(p) == i))
        changed = sorted(p for p, i in now.items() if p in handed and handed[p] != i)
        handed.update({path: now[path] for path in ready + changed})
        last_seen = now
        first = False
        yield Look(ready, changed)
        sleep(every)


def _listing(sources: Sequence[Path]) -> list[Path]:
    files: list[Path] = []
    for source in sources:
        candidates = sorted(p for p in source.iterdir() if p.is_file()) if source.is_dir() else [source]
        files += [p for p in candidates if not p.name.startswith(".") and not p.name.endswith(_SKIPPED_SUFFIXES)]
    return files


def _identity(path: Path) -> tuple[int, int] | None:
    try:
        stat = path.stat()
    except OSError:  # removed or renamed since the listing
        return None
    return stat.st_size, stat.st_mtime_ns
