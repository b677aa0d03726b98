"""`GET /metrics/orders` and `GET /metrics/referrers`: the web shop's conversion metrics.

The routes are `async`: the report runs in a worker thread, and the small answer is checked
against its model in the event loop (a synchronous route would take a second thread hop for
that, which costs more than the check on a busy machine).
"""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict
from starlette.concurrency import run_in_threadpool

from footfall.api.access import requires
from footfall.api.deps import DatesDep, WarehouseDep
from footfall.api.errors import error_responses
from footfall.auth import Role
from footfall.reports.shop import order_metrics, referrer_metrics

router = APIRouter(
    prefix="/metrics",
    tags=["metrics"],
    dependencies=[requires(Role.viewer)],
    responses=error_responses(400, 401, 403, 404, 503),
)


class OrderMetrics(BaseModel):
    """Visits and time before a customer's first order; null when there is no data."""

    model_config = ConfigDict(extra="forbid")

    median_visits_before_order: float | None
    median_session_duration_minutes_before_order: float | None


class ReferrerMetrics(BaseModel):
    """Session length by the referrer domain of a session's first page view."""

    referrer: str
    sessions: int
    median_duration_minutes: float
    p90_duration_minutes: float
    order_rate: float


@router.get("/orders", response_model=OrderMetrics, summary="Visits and time before the first order")
async def orders(wh: WarehouseDep, dates: DatesDep) -> OrderMetrics:
    """For each customer with an order, the sessions strictly before the first session holding an order.

    `median_visits_before_order`: median over ordering customers of that count (0 included).
    `median_session_duration_minutes_before_order`: median duration in minutes of all those
    sessions (null when there are none). `from`/`to` keep customers whose first order session
    started on those local dates in `tz`. Sessions: a customer's events with gaps under the
    session gap of the shop pipeline (default 30 minutes). Definition: docs/shop-schema.md.
    """
    return OrderMetrics(**await run_in_threadpool(order_metrics, wh, dates))


@router.get("/referrers", response_model=list[ReferrerMetrics], summary="Session length by referrer domain")
async def referrers(wh: WarehouseDep, dates: DatesDep) -> list[ReferrerMetrics]:
    """Sessions, median and 90th-percentile duration (minutes) and order rate per referrer domain,
    over sessions that started on the local dates `from`..`to` in `tz`."""
    return [ReferrerMetrics(**row) for row in (await run_in_threadpool(referrer_metrics, wh, dates)).to_dicts()]
