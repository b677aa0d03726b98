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

from footfall.errors import InputError

__all__ = ["Look", "ready_files"]

_SKIPPED_SUFFIXES = (".tmp", ".part", ".partial")


@dataclass(frozen=True)
class Look:
    """What one look found: files ready to be read, and files that changed after they were handed over."""

    ready: list[Path]
    changed: list[Path]


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
