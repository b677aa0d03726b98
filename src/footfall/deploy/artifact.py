"""The model artifact of a SageMaker endpoint: one registry version packed as `model.tar.gz`.

SageMaker unpacks the artifact into `/opt/ml/model`, which `footfall serve --sagemaker` reads as a
model registry (docs/recsys.md): the archive holds `current` (the version's name) and
`versions/<version>/` with its files, and nothing else from the registry.
"""

from __future__ import annotations

import io
import tarfile
from pathlib import Path

from footfall.recsys.registry import Registry

__all__ = ["pack_version"]


def pack_version(registry: Registry, out: Path, *, version: str | None = None) -> str:
    """Write `out` (gzip tar) holding `version` (None: the current one) as a one-version registry; return its name."""
    name = version or registry.current()
    registry.load(name)  # a one-line InputError for a missing version, and a corrupt model is never shipped
    folder = registry.root / "versions" / name
    tmp = out.with_name(f".{out.name}.tmp")
    try:
        with tarfile.open(tmp, "w:gz") as tar:
            pointer = name.encode()
            info = tarfile.TarInfo("current")
            info.size, info.mode = len(pointer), 0o644
            tar.addfile(info, io.BytesIO(pointer))
            for path in sorted(p for p in folder.rglob("*") if p.is_file()):
                tar.add(path, arcname=f"versions/{name}/{path.relative_to(folder).as_posix()}")
        tmp.replace(out)
    finally:
        tmp.unlink(missing_ok=True)
    return name
