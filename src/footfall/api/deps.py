"""Request dependencies: a pooled warehouse connection (admitted, leased, timed), the report filters.

`WarehouseDep` is asynchronous: admission and the wait for a connection happen in the event
loop (`footfall.api.serving`), so a request over the limit costs no worker thread, and the
route's own (synchronous) code runs in a thread only once it holds a connection.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date
from typing import Annotated

from fastapi import Depends, Query, Request
from pydantic import BeforeValidator

from footfall.api.serving import Serving
from footfall.reports.filters import Filters, parse_date
from footfall.warehouse import Warehouse

__all__ = ["DatesDep", "FiltersDep", "WarehouseDep", "get_filters", "get_warehouse"]


async def get_warehouse(request: Request) -> AsyncIterator[Warehouse]:
    """A pooled read connection for this request, or a 503 with Retry-After at once."""
    serving: Serving = request.app.state.serving
    async with serving.lease() as warehouse:
        yield warehouse


WarehouseDep = Annotated[Warehouse, Depends(get_warehouse)]


# The report filters of a request (the one report contract, `reports.filters.Filters`): local dates in
# the report zone `tz` (default FOOTFALL_REPORT_TZ); an empty value (as a submitted form sends it) is no filter.
DateFrom = Annotated[
    date | None,
    BeforeValidator(lambda v: parse_date(v, param="date_from")),
    Query(alias="from", description="First local date (YYYY-MM-DD, in `tz`), included."),
]
DateTo = Annotated[
    date | None,
    BeforeValidator(lambda v: parse_date(v, param="date_to")),
    Query(alias="to", description="Last local date (YYYY-MM-DD, in `tz`), included."),
]
Zone = Annotated[
    str | None,
    Query(max_length=64, description="Report time zone, an IANA name (default: the server's FOOTFALL_REPORT_TZ)."),
]


async def get_dates(date_from: DateFrom = None, date_to: DateTo = None, tz: Zone = None) -> Filters:
    """A request's date range and zone; a bad value is a one-line 400 naming the parameter."""
    return Filters(date_from=date_from, date_to=date_to, **({"tz": tz} if tz else {}))


async def get_filters(
    date_from: DateFrom = None,
    date_to: DateTo = None,
    campaign: Annotated[
        str | None, Query(max_length=200, description="Campaign (vouchers: name; HTTP log: id).")
    ] = None,
    reward: Annotated[str | None, Query(max_length=200, description="Reward id.")] = None,
    tz: Zone = None,
) -> Filters:
    """A request's dashboard filters; a bad value is a one-line 400 naming the parameter."""
    zone = {"tz": tz} if tz else {}
    return Filters(date_from=date_from, date_to=date_to, campaign=campaign or None, reward=reward or None, **zone)


DatesDep = Annotated[Filters, Depends(get_dates)]
FiltersDep = Annotated[Filters, Depends(get_filters)]
