"""Output folders staged like `footfall.outputs.StagedOutputs` files: written under a pending name by
Spark, renamed into place after the run's warehouse commit, removed if the run did not commit.

A pending folder is `.<name>.<tag>.spark-pending` beside its final name; `publish` writes the same
commit marker `StagedOutputs` does (`.<tag>.commit`), moves the old folder aside, renames, then
removes the old one and the marker. `recover_folders` finishes what a killed run left: a pending
folder of a committed run (marker, or the warehouse holds the run) is put in place, others removed.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

from footfall.outputs import StagedOutputs

__all__ = ["StagedFolders", "recover_folders"]

_SUFFIX = ".spark-pending"


class StagedFolders(StagedOutputs):
    """`StagedOutputs` that also stages whole folders (`folder`)."""

    def __init__(self, *, tag: str) -> None:
        super().__init__(tag=tag)
        self._folders: list[tuple[Path, Path]] = []

    def __enter__(self) -> StagedFolders:
        return self

    def folder(self, path: Path) -> Path:
        """A pending folder name beside `path` to write into (it must not exist yet)."""
        pending = path.with_name(f".{path.name}.{self.tag}{_SUFFIX}")
        shutil.rmtree(pending, ignore_errors=True)
        self._folders.append((pending, path))
        return pending

    def publish(self) -> None:
        """Rename every staged folder, then every staged file, into place."""
        markers = {path.parent / f".{self.tag}.commit" for _, path in self._folders}
        for marker in markers:
            marker.write_text(self.tag)
        for pending, path in self._folders:
            _swap(pending, path)
        self._folders.clear()
        super().publish()
        for marker in markers:
            marker.unlink(missing_ok=True)

    def discard(self) -> None:
        """Remove staged folders and files that were not published."""
        for pending, _ in self._folders:
            shutil.rmtree(pending, ignore_errors=True)
        self._folders.clear()
        super().discard()


def recover_folders(folder: Path, committed: Callable[[str], bool]) -> None:
    """Put in place the pending folders of runs that committed; remove the others (run before `recover_outputs`,
    which removes the markers)."""
    if not folder.is_dir():
        return
    marked = {m.name[1:].removesuffix(".commit") for m in folder.glob(".*.commit")}
    for pending in sorted(folder.glob(f".*{_SUFFIX}")):
        final, _, tag = pending.name[1:].removesuffix(_SUFFIX).rpartition(".")
        if final and (tag in marked or committed(tag)):
            _swap(pending, folder / final)
        else:
            shutil.rmtree(pending, ignore_errors=True)


def _swap(pending: Path, path: Path) -> None:
    """Replace `path` (a folder or file, if any) by the folder `pending`."""
    old = path.with_name(f".{path.name}.replaced")
    shutil.rmtree(old, ignore_errors=True)
    if path.is_dir():
        path.rename(old)
    elif path.exists():
        path.unlink()
    pending.rename(path)
    shutil.rmtree(old, ignore_errors=True)
