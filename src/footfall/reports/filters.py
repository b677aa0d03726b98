"""The one report contract: the filters every shared report takes, and the one way to run a report SQL file.

Dates are local calendar dates in the report time zone `tz` (both included); the data is stored
in UTC and converted in SQL. `tz` defaults to the `FOOTFALL_REPORT_TZ` setting. Definitions of
each report are in its SQL file (`reports/sql/<name>.sql`) and in docs/reports.md.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import polars as pl

from footfall.errors import InputError
from footfall.reports._sql import report_sql
from footfall.warehouse import Warehouse
from footfall.zones import check_time_zone

__all__ = ["FilteredReport", "Filters", "parse_date", "report_tz", "run_report"]


def report_tz() -> str:
    """The report time zone setting (`FOOTFALL_REPORT_TZ`)."""
    from footfall.config import get_settings

    return get_settings().report_tz


@dataclass(frozen=True, kw_only=True)
class Filters:
    """Local dates `date_from`..`date_to` (both included, in `tz`); None means no bound or no filter."""

    date_from: date | None = None
    date_to: date | None = None
    campaign: str | None = None
    reward: str | None = None
    tz: str = field(default_factory=report_tz)

    def __post_init__(self) -> None:
        check_time_zone(self.tz, param="tz")
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise InputError(
                f"bad date range: {{param}} {self.date_from} is after the last date {self.date_to}", param="date_from"
            )

    def params(self, **extra: Any) -> dict[str, Any]:
        """The SQL parameters every report takes, plus `extra`."""
        return {
            "date_from": self.date_from,
            "date_to": self.date_to,
            "campaign": self.campaign or None,
            "reward": self.reward or None,
            "tz": self.tz,
            **extra,
        }

    def require(self, *names: str) -> Filters:
        """These filters, or a one-line error naming the first of `names` that is not set."""
        for name in names:
            if getattr(self, name) is None:
                raise InputError("{param} is required for this report", param=name)
        return self


def parse_date(text: str | date | None, *, param: str) -> date | None:
    """A calendar date from `YYYY-MM-DD` text (empty: None), or a one-line error naming `param`."""
    if text is None or isinstance(text, date):
        return text
    if not text.strip():
        return None
    try:
        return date.fromisoformat(text.strip()) if len(text.strip()) == 10 else _not_a_date(text, param)
    except ValueError:
        return _not_a_date(text, param)


def _not_a_date(text: str, param: str) -> date:
    shown = text if len(text) <= 40 else text[:40] + "…"
    raise InputError(f"bad {{param}} {shown!r}: use a date like 2024-03-01", param=param)


_PLACEHOLDER = re.compile(r"(?<![:\w]):([A-Za-z_]\w*)")


def run_report(warehouse: Warehouse, name: str, filters: Filters, **extra: Any) -> pl.DataFrame:
    """Run `sql/<name>.sql` with the filters (and `extra` parameters) its placeholders name."""
    sql = report_sql(name)
    used = set(_PLACEHOLDER.findall(sql))
    return warehouse.query(sql, {k: v for k, v in filters.params(**extra).items() if k in used})


@dataclass(frozen=True)
class FilteredReport:
    """A report that is one SQL file, `sql/<sql>.sql`, run with the report filters and nothing else.

    Called as a function, `report(warehouse, filters)`; `columns` says what its rows hold."""

    sql: str
    columns: str

    def __call__(self, warehouse: Warehouse, filters: Filters) -> pl.DataFrame:
        """The report's rows for `filters`."""
        return run_report(warehouse, self.sql, filters)
