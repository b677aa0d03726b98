"""The model a running server answers with: the registry's current version, reloaded when it changes.

Each request checks the `current` pointer (one small file read); a new version is loaded and
prepared once, in a thread of its own, and swapped in when ready. If the new version cannot be
loaded (a corrupt file), the server keeps answering with the model it has and logs why.
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
    """The registry's current model, swapped without restart when the pointer moves.

    The first version is loaded in the caller (a server's warm-up thread); later versions load in a
    thread of their own while requests keep the version they have, so a swap never stalls them.
    """

    def __init__(self, root: Path) -> None:
        self.registry = Registry(root)
        self._loaded: Loaded | None = None
        self._failed: str | None = None
        self._loading: str | None = None  # the version a swap thread is loading
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
        if loaded is None:
            with self._lock:
                return self._loaded or self._load(wanted)
        if wanted not in (loaded.version, self._failed, self._loading):
            self._loading = wanted
            threading.Thread(target=self._swap, args=(wanted,), name="footfall-model-swap", daemon=True).start()
        return loaded

    def _swap(self, wanted: str) -> None:
        """Load `wanted` in this thread and swap it in; keep the current model if it cannot be loaded."""
        with self._lock:
            try:
                self._load(wanted)
            except UnavailableError:
                pass
            finally:
                self._loading = None

    def _load(self, wanted: str) -> Loaded:
        """Load and prepare `wanted`, then answer with it (called holding the lock)."""
        kept = self._loaded
        try:
            version, model, items = self.registry.load(wanted)
            model.prepare()  # the first request after a swap answers as fast as the rest
        except (FootfallError, OSError, pl.exceptions.PolarsError) as exc:
            self._failed = wanted
            log.warning("keeping model %s: cannot load %s (%s)", kept.version if kept else None, wanted, exc)
            if kept is None:
                raise UnavailableError(f"the current model {wanted} cannot be loaded ({exc})") from None
            return kept
        self._loaded = Loaded(version, model, dict(zip(items["item_id"], items["title"], strict=True)))
        self._failed = None
        log.info("serving model %s", version)
        return self._loaded
