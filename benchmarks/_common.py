"""Helpers shared by the benchmarks: a cache folder, peak memory, a plain-text table."""

from __future__ import annotations

import resource
from pathlib import Path

CACHE = Path(__file__).resolve().parent / ".cache"


def cache_dir() -> Path:
    """Where generated inputs are kept between runs (ignored by git)."""
    CACHE.mkdir(exist_ok=True)
    return CACHE


def peak_rss_mib_of_children() -> float:
    """Peak resident memory of finished child processes, in MiB."""
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def table(title: str, header: list[str], rows: list[list[object]]) -> str:
    """A plain-text table."""
    cells = [header] + [
        [f"{c:,.2f}" if isinstance(c, float) else f"{c:,}" if isinstance(c, int) else str(c) for c in row]
        for row in rows
    ]
    widths = [max(len(r[i]) for r in cells) for i in range(len(header))]
    lines = [title, "  ".join(h.ljust(w) for h, w in zip(cells[0], widths, strict=True))]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(c.rjust(w) for c, w in zip(r, widths, strict=True)) for r in cells[1:]]
    return "\n".join(lines)
