"""A DuckDB writer announces itself: `<file>.write-intent` holds its pid while it opens and writes the file.

DuckDB lets a process open a file for writing only while no other process has it open, and
`footfall serve` keeps it open read-only between requests. So a writer (any `connect()` that
is not read-only) writes this file *before* it tries to open the database and removes it when
it closes; a server that sees it, from a live process, stops lending connections, closes the
file as soon as its queries in flight end, and reopens it once the intent is gone. The model:
docs/serving.md#sharing-a-duckdb-file-with-pipelines.
"""

from __future__ import annotations

import os
import re
from contextlib import suppress
from pathlib import Path

__all__ = ["announce", "describe_process", "holder_pid", "intent_path", "withdraw", "writer_pid"]

_SUFFIX = ".write-intent"


def intent_path(database: str | Path) -> Path:
    """Where the writer of `database` announces itself."""
    return Path(f"{database}{_SUFFIX}")


def announce(database: str | Path, *, overwrite: bool = True) -> None:
    """Say that this process is about to write `database` (atomically; `overwrite=False` keeps another's)."""
    path = intent_path(database)
    if not overwrite and writer_pid(database) is not None:
        return
    temporary = path.with_name(f".{path.name}.{os.getpid()}")
    temporary.write_text(f"{os.getpid()}\n", encoding="ascii")
    os.replace(temporary, path)


def withdraw(database: str | Path) -> None:
    """Remove this process's announcement (another writer's, written meanwhile, stays)."""
    path = intent_path(database)
    if _read_pid(path) == os.getpid():
        with suppress(FileNotFoundError):
            path.unlink()


def writer_pid(database: str | Path) -> int | None:
    """The pid of a live process that announced it writes `database`, or None (none, or it died)."""
    pid = _read_pid(intent_path(database))
    return pid if pid is not None and _alive(pid) else None


def holder_pid(duckdb_message: str) -> int | None:
    """The pid DuckDB names in a lock error (`Conflicting lock is held in ... (PID 123)`)."""
    found = re.search(r"\(PID (\d+)\)", duckdb_message)
    return int(found.group(1)) if found else None


def describe_process(pid: int) -> str:
    """`'footfall logs sessions' (pid 123)`: a process in words a user recognises."""
    try:
        args = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return f"process {pid}"
    words = [a.decode(errors="replace") for a in args if a]
    if "footfall" in words or any(w.endswith("/footfall") for w in words):
        start = next(i for i, w in enumerate(words) if w == "footfall" or w.endswith("/footfall"))
        command = ["footfall", *[w for w in words[start + 1 : start + 3] if not w.startswith("-")]]
    else:
        command = [Path(words[0]).name] if words else []
    return f"'{' '.join(command) or 'unknown'}' (pid {pid})"


def _read_pid(path: Path) -> int | None:
    try:
        text = path.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        return None
    return int(text) if text.isdigit() else None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's live process
    return True
