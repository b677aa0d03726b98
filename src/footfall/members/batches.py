"""The membership inbox's files on disk: what was processed, batch outputs, the archive and the quarantine.

Under `out`: `manifest.json` (the SHA-256 of every processed file and the batches),
`successful/` and `unsuccessful/` (`applications_<batch>.csv`), `archive/<batch>/` (inputs,
moved), `quarantine/<stamp>/` (files that cannot be a batch's input, each with `<file>.reason.txt`).
A batch's output files are staged (`outputs.StagedOutputs`, tagged with the batch) and renamed
once the batch is committed; a run that died leaves pending files the next run finishes (its
batch was committed) or removes (it was not).
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from footfall.errors import InputError
from footfall.outputs import recover_outputs
from footfall.warehouse import Warehouse

__all__ = ["Manifest", "archive", "finish_pending", "quarantine"]


@dataclass
class Manifest:
    """Processed files (by content digest) and committed batches: manifest.json, and the warehouse's
    `member_files` when there is one (there, the batch's transaction is the commit)."""

    files: dict[str, dict[str, str]] = field(default_factory=dict)
    batches: list[str] = field(default_factory=list)
    stale: bool = False  # the warehouse holds a batch the file lacks (a run died after its commit)

    @classmethod
    def read(cls, out: Path, warehouse: Warehouse | None) -> Manifest:
        """The manifest file, completed with what the warehouse committed (a run may have died in between)."""
        path = out / "manifest.json"
        manifest = cls()
        if path.exists():
            try:
                raw: dict[str, Any] = json.loads(path.read_text())
            except ValueError as exc:
                raise InputError(f"{path}: unreadable manifest ({exc})") from None
            manifest = cls(raw.get("files", {}), raw.get("batches", []))
        if warehouse is not None:
            from footfall.reports._sql import report_sql

            for digest, name, batch in warehouse.query(report_sql("member_files")).rows():
                manifest.files.setdefault(digest, {"file": name, "batch": batch})
                if batch not in manifest.batches:
                    manifest.batches.append(batch)
                    manifest.stale = True
        return manifest

    def add(self, batch: str, files: dict[str, Path]) -> None:
        """Record a committed batch and its files."""
        for digest, path in files.items():
            self.files[digest] = {"file": path.name, "batch": batch}
        self.batches.append(batch)

    def write(self, out: Path) -> None:
        """Replace manifest.json atomically."""
        tmp = out / f".manifest.json.{os.getpid()}.tmp"
        tmp.write_text(json.dumps({"files": self.files, "batches": self.batches}, indent=1))
        tmp.replace(out / "manifest.json")


def finish_pending(out: Path, manifest: Manifest) -> None:
    """Publish the pending outputs of committed batches, remove the other pending files, and remove
    batch files no committed batch owns."""
    known = set(manifest.batches)
    for name in ("successful", "unsuccessful"):
        recover_outputs(out / name, known.__contains__)
        for path in (out / name).iterdir():
            if path.name.startswith(".") or path.stem.removeprefix("applications_") not in known:
                path.unlink()


def archive(paths: list[Path], folder: Path) -> None:
    """Move `paths` into `folder`, never overwriting (a repeated name gets `.2`, `.3`, ...)."""
    if not paths:
        return
    folder.mkdir(parents=True, exist_ok=True)
    for path in paths:
        target = folder / path.name
        n = 1
        while target.exists():
            n += 1
            target = folder / f"{path.stem}.{n}{path.suffix}"
        shutil.move(path, target)


def quarantine(path: Path, reason: str, folder: Path) -> None:
    """Move a file that cannot be processed out of the inbox, with its reason beside it."""
    archive([path], folder)
    (folder / f"{path.name}.reason.txt").write_text(reason + "\n")
