"""Model files without pickle: skops archives whose types are checked before loading.

A file holds JSON metadata (the model's name, parameters and everything plain) and one
scikit-learn estimator (or None). Loading refuses any type outside scikit-learn and NumPy, so a
tampered file cannot run code on the server.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from footfall.errors import InputError

__all__ = ["SkopsArtifact", "load_artifact", "load_skops", "save_skops"]

TRUSTED_PREFIXES = ("sklearn.", "numpy.")


def save_skops(path: Path, meta: dict[str, Any], estimator: Any) -> None:
    """Write `meta` (JSON-able) and `estimator` to `path`."""
    import skops.io as sio

    path.write_bytes(sio.dumps({"meta": json.dumps(meta, default=_plain), "estimator": estimator}))


def load_skops(path: Path) -> tuple[dict[str, Any], Any]:
    """(meta, estimator) from a file `save_skops` wrote; a one-line error for anything else."""
    import skops.io as sio

    try:
        blob = path.read_bytes()
        untrusted = sio.get_untrusted_types(data=blob)
        foreign = [t for t in untrusted if not t.startswith(TRUSTED_PREFIXES)]
        if foreign:
            raise InputError(f"{path}: refusing to load types {', '.join(foreign)}")
        state = sio.loads(blob, trusted=untrusted)
        return json.loads(state["meta"]), state["estimator"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise InputError(f"{path}: not a footfall model file ({exc})") from None
    except Exception as exc:  # skops raises its own errors for a corrupt archive (zipfile, its audit)
        if isinstance(exc, InputError):
            raise
        raise InputError(f"{path}: not a footfall model file ({type(exc).__name__})") from None


def _plain(value: Any) -> Any:
    """NumPy scalars and arrays as plain JSON values."""
    return value.tolist() if hasattr(value, "tolist") else str(value)


@dataclass
class SkopsArtifact:
    """A registry artifact: a name, plain metadata and an optional estimator."""

    name: str
    meta: dict[str, Any]
    estimator: Any = None

    def save(self, path: Path) -> None:
        """Write it with `save_skops`."""
        save_skops(path, {"name": self.name, **self.meta}, self.estimator)


def load_artifact(path: Path) -> SkopsArtifact:
    """A `SkopsArtifact` back from its file."""
    meta, estimator = load_skops(path)
    return SkopsArtifact(str(meta.pop("name")), meta, estimator)
