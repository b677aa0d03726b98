"""Generate a plausible COVID-19 daily case series for Singapore (OWID or JHU CSSE layout).

Waves shaped like Singapore's: the 2020 dormitory outbreak, small 2021 waves, Delta in late
2021, Omicron early 2022 and two later 2022 waves; weekly reporting rhythm and noise.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import numpy as np
import polars as pl

__all__ = ["generate_covid"]

# (peak day offset from 2020-01-23, peak daily cases, width in days)
_WAVES = [
    (90, 900, 18),
    (200, 120, 30),
    (470, 40, 20),
    (620, 3300, 25),
    (755, 17000, 14),
    (905, 9000, 20),
    (1005, 8500, 18),
]
START = date(2020, 1, 23)


def generate_covid(
    out: Path, *, days: int = 1074, seed: int = 0, layout: str = "owid", location: str = "Singapore"
) -> int:
    """Write the series to `out` (`owid`: location,date,new_cases,total_cases; `jhu`: wide); return rows written."""
    rng = np.random.default_rng(seed)
    t = np.arange(days)
    level = np.full(days, 0.5)
    for peak, height, width in _WAVES:
        level += height * np.exp(-0.5 * ((t - peak) / width) ** 2)
    weekday = np.array([(START + timedelta(days=int(d))).weekday() for d in t])
    level *= np.where(weekday == 6, 0.75, np.where(weekday == 0, 1.15, 1.0))
    new = rng.poisson(level * rng.lognormal(0, 0.12, days)).astype(np.int64)
    total = np.cumsum(new)
    dates = [START + timedelta(days=int(d)) for d in t]
    out.parent.mkdir(parents=True, exist_ok=True)
    if layout == "jhu":
        row: dict[str, object] = {"Province/State": "", "Country/Region": location, "Lat": 1.2833, "Long": 103.8333}
        row |= {f"{d.month}/{d.day}/{d.strftime('%y')}": int(v) for d, v in zip(dates, total, strict=True)}
        pl.DataFrame([row]).write_csv(out)
        return 1
    pl.DataFrame({"location": location, "date": dates, "new_cases": new, "total_cases": total}).write_csv(out)
    return days
