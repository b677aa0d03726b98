"""Load report SQL files shipped in `footfall/reports/sql/`, with the one local-date filter expanded.

`{{ on_local_dates(column) }}` stands for the report contract's date filter (docs/reports.md): the
UTC instant `column` falls on a local date from `:date_from` to `:date_to` (both included, either
may be null) in the zone `:tz` — local midnight to local midnight, whatever the offset that day.

`{{ weekday_hour_matrix(measure) }}` stands for the CTEs `counts`, `cells` and `final` that count
the rows of a CTE `local_times(local_ts)` per local day of week (1 = Monday) and hour, every one
of the 7 × 24 cells present (0 where none), as `weekday, weekday_name, hour, <measure>`.
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources

__all__ = ["report_sql"]

_MACRO = re.compile(r"\{\{\s*(on_local_dates|weekday_hour_matrix)\(\s*([\w.]+)\s*\)\s*\}\}")
_ON_LOCAL_DATES = (
    "(cast(:date_from as date) is null or {col} >= cast(:date_from as timestamp) at time zone :tz)\n"
    "      and (cast(:date_to as date) is null\n"
    "           or {col} < (cast(:date_to as timestamp) + interval '1 day') at time zone :tz)"
)


_WEEKDAY_HOUR_MATRIX = """counts as (
    select
        cast(extract(isodow from local_ts) as integer) as weekday,
        cast(extract(hour from local_ts) as integer) as hour_of_day,
        count(*) as n
    from local_times
    group by 1, 2
),
cells as (
    select cast(d.weekday as integer) as weekday, cast(h.hour_of_day as integer) as hour_of_day
    from generate_series(1, 7) as d(weekday)
    cross join generate_series(0, 23) as h(hour_of_day)
),
final as (
    select
        c.weekday,
        case c.weekday when 1 then 'Mon' when 2 then 'Tue' when 3 then 'Wed' when 4 then 'Thu'
                       when 5 then 'Fri' when 6 then 'Sat' else 'Sun' end as weekday_name,
        c.hour_of_day as "hour",
        coalesce(n.n, 0) as {measure}
    from cells c
    left join counts n on n.weekday = c.weekday and n.hour_of_day = c.hour_of_day
)"""
_EXPANSIONS = {"on_local_dates": _ON_LOCAL_DATES.replace("{col}", "{arg}"), "weekday_hour_matrix": _WEEKDAY_HOUR_MATRIX}


@cache
def report_sql(name: str) -> str:
    """The text of `sql/<name>.sql`, its `{{ ... }}` macros written out."""
    text = (resources.files("footfall.reports") / "sql" / f"{name}.sql").read_text("utf-8")
    return _MACRO.sub(lambda m: _expand(m.group(1), m.group(2)), text)


def _expand(macro: str, arg: str) -> str:
    template = _EXPANSIONS[macro]
    return template.replace("{arg}", arg).replace("{measure}", arg)
