"""Load report SQL files shipped in `footfall/reports/sql/`, with the one local-date filter expanded.

`{{ on_local_dates(column) }}` stands for the report contract's date filter (docs/reports.md): the
UTC instant `column` falls on a local date from `:date_from` to `:date_to` (both included, either
may be null) in the zone `:tz` — local midnight to local midnight, whatever the offset that day.
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources

__all__ = ["report_sql"]

_MACRO = re.compile(r"\{\{\s*on_local_dates\(\s*([\w.]+)\s*\)\s*\}\}")
_ON_LOCAL_DATES = (
    "(cast(:date_from as date) is null or {col} >= cast(:date_from as timestamp) at time zone :tz)\n"
    "      and (cast(:date_to as date) is null\n"
    "           or {col} < (cast(:date_to as timestamp) + interval '1 day') at time zone :tz)"
)


@cache
def report_sql(name: str) -> str:
    """The text of `sql/<name>.sql`, its `{{ on_local_dates(column) }}` filters written out."""
    text = (resources.files("footfall.reports") / "sql" / f"{name}.sql").read_text("utf-8")
    return _MACRO.sub(lambda m: _ON_LOCAL_DATES.format(col=m.group(1)), text)
