"""Where each local day starts: generators put activity in the local daytime of a zone."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np

__all__ = ["local_midnights"]


def local_midnights(first: date, days: int, zone: str | None) -> np.ndarray:
    """The UTC instants (µs) of local midnight in `zone` on `days` days from `first`.

    `zone` None is the report zone (`FOOTFALL_REPORT_TZ`): sample data then looks local to the
    reports that show it.
    """
    if zone is None:
        from footfall.reports.filters import report_tz

        zone = report_tz()
    tz = ZoneInfo(zone)
    local = [datetime.combine(first + timedelta(days=d), datetime.min.time(), tz) for d in range(days)]
    return np.array([int(t.timestamp()) * 1_000_000 for t in local], dtype=np.int64)
