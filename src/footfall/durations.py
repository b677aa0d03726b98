"""Parse human durations such as `5m`, `90s`, `1h30m` (used for session gaps and lateness)."""

from __future__ import annotations

import re
from datetime import timedelta

from footfall.errors import InputError

__all__ = ["format_duration", "parse_duration"]

_UNITS = {"us": 0.000001, "ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400}
_PART = re.compile(r"(\d+(?:\.\d+)?)(us|ms|s|m|h|d)")


def parse_duration(text: str, *, param: str = "gap") -> timedelta:
    """A positive duration from text like `5m`, `300s`, `1h30m`, `250ms`; a unit is required."""
    cleaned = text.strip().lower()
    parts = _PART.findall(cleaned)
    if not cleaned or "".join(n + u for n, u in parts) != cleaned:
        raise InputError(
            f"bad {{param}} {text!r}: give a number with a unit (us, ms, s, m, h, d), e.g. 5m, 300s, 1h30m",
            param=param,
        )
    seconds = sum(float(n) * _UNITS[u] for n, u in parts)
    if seconds <= 0:
        raise InputError(f"bad {{param}} {text!r}: it must be longer than zero", param=param)
    return timedelta(seconds=seconds)


def format_duration(value: timedelta) -> str:
    """The shortest text `parse_duration` reads back as `value`, e.g. `5m` or `1h30m`."""
    micros = value // timedelta(microseconds=1)
    if micros % 1000:
        return f"{micros}us"
    ms = micros // 1000
    if ms % 1000:
        return f"{ms}ms"
    out, rest = [], ms // 1000
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        if rest >= size:
            out.append(f"{rest // size}{unit}")
            rest %= size
    return "".join(out) or "0s"
