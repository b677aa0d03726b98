"""An incremental stream's state on disk, committed by one atomic rename — and finished after a kill.

Layout of a state folder:

    CURRENT            the name of the committed version (replaced atomically: the commit point)
    v-<run_id>/        a version: state.json, events.arrow or open.arrow, closed/*.arrow
    .v-<run_id>.tmp/   a version being written

A run writes its version under a temporary name, renames it to `v-<run_id>` once complete
(sealed), and after the warehouse committed the run (or, without a warehouse, at once) replaces
CURRENT. A kill at any point leaves CURRENT naming a whole version. `recover` finishes what a
killed run left: the sealed successor of the current version (its `state.json` names the current
run as `previous_run`) whose run the warehouse committed becomes current (the kill fell between
the warehouse's COMMIT and CURRENT); any other version that is not current goes — an older one
left by a cut prune too, though its run committed long ago.
A folder holding `state.json` itself (the layout before versions) is read as the current version.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

__all__ = ["StateFolder"]

_CURRENT = "CURRENT"


class StateFolder:
    """The versions of one stream's state under `root`."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def current(self) -> Path | None:
        """The committed version's folder, or None when nothing was committed."""
        pointer = self.root / _CURRENT
        if pointer.is_file():
            return self.root / pointer.read_text().strip()
        return self.root if (self.root / "state.json").is_file() else None

    def staging(self, run_id: str) -> Path:
        """A fresh folder to write run `run_id`'s version in."""
        tmp = self.root / f".v-{run_id}.tmp"
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        return tmp

    def seal(self, run_id: str) -> None:
        """The version is complete: give it its name (it is not current until `commit`)."""
        (self.root / f".v-{run_id}.tmp").replace(self.root / f"v-{run_id}")

    def commit(self, run_id: str) -> None:
        """Make run `run_id`'s sealed version the current one (one atomic rename), then drop the others."""
        tmp = self.root / f".{_CURRENT}.{run_id}"
        tmp.write_text(f"v-{run_id}\n")
        with open(tmp, "rb") as written:
            os.fsync(written.fileno())
        tmp.replace(self.root / _CURRENT)
        self._prune()

    def discard(self, run_id: str) -> None:
        """Remove run `run_id`'s version unless it is current (the run failed before its commit)."""
        current = self.current()
        for path in (self.root / f".v-{run_id}.tmp", self.root / f"v-{run_id}"):
            if path != current:
                shutil.rmtree(path, ignore_errors=True)

    def recover(self, committed: Callable[[str], bool]) -> str | None:
        """Finish a killed run's commit when `committed(run_id)` says the warehouse holds it; drop the
        rest. Returns the run id of the version made current, if any."""
        if not self.root.is_dir():
            return None
        current = self.current()
        previous = _meta(current).get("run_id") if current is not None else None
        for version in sorted(p for p in self.root.glob("v-*") if p.is_dir() and p != current):
            meta, run_id = _meta(version), version.name.removeprefix("v-")
            if meta.get("run_id") == run_id and meta.get("previous_run") == previous and committed(run_id):
                self.commit(run_id)
                return run_id
        self._prune()
        return None

    def _prune(self) -> None:
        """Remove every version but the current one, and leftovers of writing (the old layout's files too)."""
        current = self.current()
        for path in self.root.iterdir():
            name = path.name
            if path == current or name == _CURRENT:
                continue
            if name.startswith(("v-", ".v-", f".{_CURRENT}.")) or (current != self.root and _legacy(name)):
                shutil.rmtree(path) if path.is_dir() else path.unlink(missing_ok=True)


def _legacy(name: str) -> bool:
    return name in ("state.json", "events.arrow", "open.arrow", "closed")


def _meta(version: Path) -> dict[str, Any]:
    """A version's state.json (empty when it is missing or cut: such a version is never made current)."""
    try:
        meta = json.loads((version / "state.json").read_text())
    except (OSError, ValueError):
        return {}
    return meta if isinstance(meta, dict) else {}
