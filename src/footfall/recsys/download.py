"""Fetch a MovieLens archive from GroupLens, check it against the published MD5, unpack it once."""

from __future__ import annotations

import hashlib
import shutil
import tempfile
import urllib.error
import urllib.request
import zipfile
from pathlib import Path

from footfall.errors import InputError

__all__ = ["MOVIELENS", "download_movielens"]

# GroupLens publishes an .md5 beside each archive; these are those values.
MOVIELENS: dict[str, tuple[str, str]] = {
    "ml-100k": ("https://files.grouplens.org/datasets/movielens/ml-100k.zip", "0e33842e24a9c977be4e0107933c0723"),
    "ml-1m": ("https://files.grouplens.org/datasets/movielens/ml-1m.zip", "c4d9eecfca2ab87c1945afe126590906"),
}


def download_movielens(dataset: str, dest: Path, *, url: str | None = None, md5: str | None = None) -> Path:
    """`dest/<dataset>` with the unpacked files, downloaded and verified unless already there."""
    if dataset not in MOVIELENS:
        raise InputError(f"unknown data set {dataset!r}: use one of {', '.join(MOVIELENS)}")
    target = dest / dataset
    if any((target / name).is_file() for name in ("ratings.dat", "u.data")):
        return target
    official_url, official_md5 = MOVIELENS[dataset]
    url, md5 = url or official_url, md5 or official_md5
    dest.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=dest, prefix=f".{dataset}-") as tmp:
        archive = Path(tmp) / f"{dataset}.zip"
        try:
            with urllib.request.urlopen(url, timeout=30) as response, archive.open("wb") as out:
                shutil.copyfileobj(response, out, length=1 << 20)
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise InputError(
                f"cannot download {url} ({reason}): this machine looks offline; fetch the zip elsewhere, "
                "unzip it and pass its folder as {param}",
                param="path",
            ) from None
        digest = _md5(archive)
        if digest != md5:
            raise InputError(f"{url}: checksum mismatch (MD5 {digest}, expected {md5}); the download was discarded")
        unpacked = Path(tmp) / "unpacked"
        try:
            with zipfile.ZipFile(archive) as zipped:
                zipped.extractall(unpacked)
        except zipfile.BadZipFile as exc:
            raise InputError(f"{url}: not a zip archive ({exc})") from None
        inner = unpacked / dataset
        (inner if inner.is_dir() else unpacked).rename(target)  # the archive's top folder, or its root
    return target


def _md5(path: Path) -> str:
    """The file's MD5, read in blocks (GroupLens publishes MD5s)."""
    digest = hashlib.md5(usedforsecurity=False)
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
