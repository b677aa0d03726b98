"""The model a running server answers with: the registry's current version, reloaded when it changes.

Each request checks the `current` pointer (one small file read); a new version is loaded once and
swapped in under a lock. If the new version cannot be loaded (a corrupt file), the server keeps
answering with the model it has and logs why.
"""

from __future__ import annotations

import logging
import threading
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from footfall.errors import FootfallError, InputError, UnavailableError
from footfall.recsys.models import Model
from footfall.recsys.registry import Registry

__all__ = ["CurrentModel", "Loaded"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Loaded:
    """A model version in memory, with its item titles by id."""

    version: str
    model: Model
    titles: dict[str, str]


class CurrentModel:
    """The registry's current model, reloaded without restart when the pointer moves."""

    def __init__(self, root: Path) -> None:
        self.registry = Registry(root)
        self._loaded: Loaded | None = None
        self._failed: str | None = None
        self._lock = threading.Lock()

    def warm(self) -> None:
        """Load and prepare the current version now (a server's start, in a thread), so no request waits for it."""
        with suppress(UnavailableError):
            self.get()

    def get(self) -> Loaded:
        """The model to answer with; an error only when no model was ever loaded."""
        try:
            wanted = self.registry.current()
        except InputError as exc:
            if self._loaded is None:
                raise UnavailableError(f"no model to serve: {exc}") from None
            return self._loaded
        loaded = self._loaded
        if loaded is not None and (loaded.version == wanted or self._failed == wanted):
            return loaded
        with self._lock:
            if self._loaded is not None and self._loaded.version == wanted:
                return self._loaded
            try:
                version, model, items = self.registry.load(wanted)
                model.prepare()  # the first request after a swap answers as fast as the rest
            except (FootfallError, OSError, pl.exceptions.PolarsError) as exc:
                self._failed = wanted
                log.warning("keeping model %s: cannot load %s (%s)", loaded.version if loaded else None, wanted, exc)
                if loaded is None:
                    raise UnavailableError(f"the current model {wanted} cannot be loaded ({exc})") from None
                return loaded
            self._loaded = Loaded(version, model, dict(zip(items["item_id"], items["title"], strict=True)))
            self._failed = None
            log.info("serving model %s", version)
            return self._loaded
