"""The model registry: versioned model artifacts with their evaluation, and a `current` pointer.

Layout: `<root>/versions/<version>/{model.npz, evaluation.json, items.parquet}` and
`<root>/current` (a file holding one version name). A version is written under a temp name and
renamed; promoting replaces `current` atomically, so a reader sees the old model or the new one,
never half of either.
"""

from __future__ import annotations

import json
import os
import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import polars as pl

from footfall.errors import InputError
from footfall.recsys.models import Model, load_model

__all__ = ["Registry"]


class Registry:
    """Versioned models under `root`."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def register(self, model: Model, evaluation: dict[str, Any], items: pl.DataFrame | None = None) -> str:
        """Store a trained model with its evaluation; returns the new version's name."""
        version = f"{datetime.now(UTC):%Y%m%dT%H%M%S%fZ}-{model.name}"
        folder = self.root / "versions" / version
        tmp = folder.with_name(f".{version}.tmp")
        tmp.mkdir(parents=True)
        try:
            model.save(tmp / "model.npz")
            (tmp / "evaluation.json").write_text(json.dumps(evaluation, indent=1))
            (
                items if items is not None else pl.DataFrame(schema={"item_id": pl.String, "title": pl.String})
            ).write_parquet(tmp / "items.parquet")
            tmp.replace(folder)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        return version

    def promote(self, version: str) -> None:
        """Make `version` the current model (an atomic replace of the pointer)."""
        if not (self.root / "versions" / version / "model.npz").is_file():
            raise InputError(f"{self.root}: no model version {version!r}")
        tmp = self.root / f".current.{os.getpid()}.tmp"
        tmp.write_text(version)
        tmp.replace(self.root / "current")

    def current(self) -> str:
        """The current version's name, or a one-line error when nothing was promoted."""
        pointer = self.root / "current"
        if not pointer.is_file():
            raise InputError(f"{self.root}: no current model; train one with `footfall recsys train --promote`")
        return pointer.read_text().strip()

    def versions(self) -> list[str]:
        """All stored versions, oldest first."""
        folder = self.root / "versions"
        return sorted(p.name for p in folder.iterdir() if not p.name.startswith(".")) if folder.is_dir() else []

    def evaluation(self, version: str) -> dict[str, Any]:
        """The evaluation figures stored with `version`."""
        result: dict[str, Any] = json.loads((self.root / "versions" / version / "evaluation.json").read_text())
        return result

    def load(self, version: str = "current") -> tuple[str, Model, pl.DataFrame]:
        """(version, model, item titles) of `version` (`current` follows the pointer)."""
        name = self.current() if version == "current" else version
        folder = self.root / "versions" / name
        if not folder.is_dir():
            raise InputError(f"{self.root}: no model version {name!r}")
        return name, load_model(folder / "model.npz"), pl.read_parquet(folder / "items.parquet")
