"""The dashboard's filters, shared by its report functions: a local date range, campaign, reward, time zone."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

import polars as pl

from footfall.errors import InputError
from footfall.readers.timestamps import check_time_zone
from footfall.reports._sql import report_sql
from footfall.warehouse import Warehouse

__all__ = ["DEFAULT_TZ", "Filters", "run_report"]

DEFAULT_TZ = "Asia/Singapore"


@dataclass(frozen=True)
class Filters:
    """Local dates `date_from`..`date_to` (both included, in `tz`); None means no bound or no filter."""

    date_from: date | None = None
    date_to: date | None = None
    campaign: str | None = None
    reward: str | None = None
    tz: str = DEFAULT_TZ

    def __post_init__(self) -> None:
        check_time_zone(self.tz)
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise InputError(f"bad date range: from {self.date_from} is after to {self.date_to}")

    def params(self, **extra: Any) -> dict[str, Any]:
        """The SQL parameters every dashboard report takes, plus `extra`."""
        return {
            "date_from": self.date_from,
            "date_to": self.date_to,
            "campaign": self.campaign or None,
            "reward": self.reward or None,
            "tz": self.tz,
            **extra,
        }


_PLACEHOLDER = re.compile(r"(?<![:\w]):([A-Za-z_]\w*)")


def run_report(warehouse: Warehouse, name: str, filters: Filters, **extra: Any) -> pl.DataFrame:
    """Run `sql/<name>.sql` with the filters (and `extra` parameters) its placeholders name."""
    sql = report_sql(name)
    used = set(_PLACEHOLDER.findall(sql))
    return warehouse.query(sql, {k: v for k, v in filters.params(**extra).items() if k in used})
