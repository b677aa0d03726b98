"""The customer models a running server answers with: each family's current registry version, reloaded on change.

Every request reads the family's `current` pointer (one small file); a new version is loaded once
and swapped in under a lock. A version that cannot be loaded is logged and the server keeps the
one it has; with none loaded, the request is a 503 (no model is not the caller's mistake).
"""

from __future__ import annotations

import logging
import threading
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from footfall.errors import FootfallError, InputError, UnavailableError
from footfall.ml.registry import FAMILIES, ml_registry

__all__ = ["CurrentMlModels", "LoadedMl"]

log = logging.getLogger(__name__)
_TABLES = {"segments": ("assignments",)}  # tables a family's requests read, loaded with the version


@dataclass(frozen=True)
class LoadedMl:
    """One family's current version in memory: the model, its evaluation, its tables (e.g. assignments)."""

    version: str
    model: Any
    evaluation: dict[str, Any]
    tables: dict[str, pl.DataFrame]


class CurrentMlModels:
    """The current version of each ml family under `models_root/ml/`."""

    def __init__(self, models_root: Path) -> None:
        self.models_root = models_root
        self._loaded: dict[str, LoadedMl] = {}
        self._lock = threading.Lock()

    def warm(self) -> None:
        """Load every family's current version now (a server's start, in a thread), so no request waits for it."""
        for family in FAMILIES:
            with suppress(UnavailableError):
                self.get(family)

    def get(self, family: str) -> LoadedMl:
        """The family's current version; an UnavailableError (503) when there is none to serve."""
        registry = ml_registry(family, models_root=self.models_root)
        loaded = self._loaded.get(family)
        try:
            wanted = registry.current()
        except InputError as exc:
            if loaded is None:
                raise UnavailableError(f"no {family} model to serve: {exc}") from None
            return loaded
        if loaded is not None and loaded.version == wanted:
            return loaded
        with self._lock:
            try:
                version, model = registry.load_artifact(wanted)
                tables = {name: registry.table(version, name) for name in _TABLES.get(family, ())}
                fresh = LoadedMl(version, model, registry.evaluation(version), tables)
            except (FootfallError, OSError, pl.exceptions.PolarsError) as exc:
                log.warning("keeping %s model %s: cannot load %s (%s)", family, loaded and loaded.version, wanted, exc)
                if loaded is None:
                    raise UnavailableError(f"the current {family} model {wanted} cannot be loaded ({exc})") from None
                return loaded
            self._loaded[family] = fresh
            return fresh
