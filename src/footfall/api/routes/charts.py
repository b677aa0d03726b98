"""`GET /api/charts/...`: the rows behind every dashboard chart, from the same report functions as the CLI.

Every endpoint answers `{"chart": name, "rows": [...]}` and takes the dashboard's filters where
they apply: `from`, `to` (local dates, both included), `campaign`, `reward`, `tz` (IANA zone).
Empty filter values (as a submitted form sends them) mean "no filter".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, Literal

import polars as pl
from fastapi import APIRouter, Query, Request
from pydantic import BaseModel

from footfall.api.access import requires
from footfall.api.deps import FiltersDep, WarehouseDep
from footfall.api.errors import error_responses
from footfall.auth import Role
from footfall.reports import covid, engagement, http_sessions, members, sales, shop, vouchers
from footfall.reports.filters import Filters
from footfall.warehouse import Warehouse

router = APIRouter(
    prefix="/api/charts",
    tags=["charts"],
    dependencies=[requires(Role.viewer)],
    responses=error_responses(400, 401, 403, 404, 503),
)
PERSONAL = [requires(Role.analyst)]  # names, membership ids, a named user's history (docs/serving.md#roles)
UNCACHED = frozenset({"/api/charts/recommendations/items"})  # follows the model registry, not the warehouse


class Chart(BaseModel):
    """One chart's rows, each an object of column → value."""

    chart: str
    rows: list[dict[str, Any]]


def _chart(name: str, frame: pl.DataFrame) -> Chart:
    """The rows as JSON values: money (NUMERIC) as numbers, not strings."""
    return Chart(chart=name, rows=frame.with_columns(pl.col(pl.Decimal).cast(pl.Float64)).to_dicts())


@dataclass(frozen=True)
class FilteredChart:
    """A chart whose rows are one report run with the dashboard's filters and no other parameter."""

    name: str  # the route's name (in its OpenAPI operation id)
    path: str  # below /api/charts; its last part names the chart
    summary: str
    description: str
    report: Callable[[Warehouse, Filters], pl.DataFrame]


def _add_filtered_charts(*charts: FilteredChart) -> None:
    """A GET route per chart: the filters in, `{"chart": ..., "rows": ...}` out."""
    for spec in charts:
        router.add_api_route(
            spec.path,
            _filtered_endpoint(spec),
            methods=["GET"],
            response_model=Chart,
            summary=spec.summary,
            description=spec.description,
            name=spec.name,
        )


def _filtered_endpoint(spec: FilteredChart) -> Callable[[Warehouse, Filters], Chart]:
    name = spec.path.rsplit("/", 1)[-1]

    def endpoint(wh: WarehouseDep, f: FiltersDep) -> Chart:
        return _chart(name, spec.report(wh, f))

    return endpoint


# Engagement (HTTP-log sessions)


@router.get("/engagement/active-users", response_model=Chart, summary="Active users per day or week")
def active_users(wh: WarehouseDep, f: FiltersDep, period: Literal["day", "week"] = "day") -> Chart:
    """`period_start, active_users, sessions` per local day or ISO week."""
    return _chart("active-users", engagement.active_users(wh, f, period=period))


_add_filtered_charts(
    FilteredChart(
        "sessions_per_user",
        "/engagement/sessions-per-user",
        "Sessions per user (histogram)",
        "`sessions_per_user, users` buckets.",
        engagement.sessions_per_user,
    ),
    FilteredChart(
        "session_length",
        "/engagement/session-length",
        "Session length (histogram)",
        "`session_length, sessions` buckets.",
        engagement.session_length,
    ),
    FilteredChart(
        "weekday_hour",
        "/engagement/weekday-hour",
        "Sessions by local weekday and hour",
        "`weekday, weekday_name, hour, sessions`, all 7 × 24 cells in the chosen zone.",
        engagement.sessions_by_weekday_hour,
    ),
    FilteredChart(
        "new_returning",
        "/engagement/new-returning",
        "New and returning users per day",
        "`day, new_users, returning_users`.",
        engagement.new_vs_returning,
    ),
    FilteredChart(
        "retention",
        "/engagement/retention",
        "Weekly retention cohorts",
        "`cohort_week, cohort_users, week_number, active_users, retention`.",
        engagement.retention_cohorts,
    ),
)


# Rewards (vouchers)

_add_filtered_charts(
    FilteredChart(
        "vouchers_over_time",
        "/rewards/over-time",
        "Vouchers issued and redeemed per day",
        "`day, issued, redeemed`.",
        vouchers.vouchers_over_time,
    ),
    FilteredChart(
        "by_reward",
        "/rewards/by-reward",
        "Redemption by reward",
        "Issued, redeemed, redemption rate, median hours to redeem, per reward; most redeemed first.",
        vouchers.vouchers_by_reward,
    ),
    FilteredChart(
        "by_campaign",
        "/rewards/by-campaign",
        "Redemption by campaign",
        "Issued, redeemed, redemption rate, median hours to redeem, per campaign.",
        vouchers.vouchers_by_campaign,
    ),
    FilteredChart(
        "weekly",
        "/rewards/weekly",
        "Week-over-week change",
        "`week_start, issued, redeemed, issued_pct_change, redeemed_pct_change`.",
        vouchers.vouchers_weekly,
    ),
)


@router.get("/rewards/segments", response_model=Chart, summary="Vouchers by user segment")
def segments(
    wh: WarehouseDep, f: FiltersDep, dimension: Literal["gender", "age_band", "country", "city"] = "gender"
) -> Chart:
    """`segment, users, issued, redeemed, redemption_rate` by gender, age band, country or city."""
    return _chart("segments", vouchers.vouchers_by_segment(wh, f, dimension=dimension))


# Sessions (HTTP log)

_add_filtered_charts(
    FilteredChart(
        "sessions_daily",
        "/sessions/daily",
        "Sessions and attribution per day",
        "`day, sessions, sessions_with_reward, reward_driven_sessions, attribution_rate`.",
        http_sessions.sessions_daily,
    )
)


@router.get("/sessions/campaigns", response_model=Chart, summary="Attribution by campaign")
def session_campaigns(wh: WarehouseDep, f: FiltersDep, n: Annotated[int, Query(ge=1, le=1000)] = 15) -> Chart:
    """The `n` campaigns viewed in most sessions, with their attribution rate."""
    return _chart("campaigns", http_sessions.campaign_attribution(wh, f).head(n))


@router.get("/sessions/rewards", response_model=Chart, summary="Top rewards issued in sessions")
def session_rewards(wh: WarehouseDep, f: FiltersDep, n: Annotated[int, Query(ge=1, le=1000)] = 15) -> Chart:
    """The `n` rewards issued in most sessions."""
    return _chart("rewards", http_sessions.top_session_rewards(wh, f).head(n))


# Shop

_add_filtered_charts(
    FilteredChart(
        "shop_orders",
        "/shop/orders",
        "Order metrics",
        "One row: median visits and session minutes before the first order (see GET /metrics/orders).",
        lambda wh, f: pl.DataFrame([shop.order_metrics(wh, f)]),
    ),
    FilteredChart(
        "shop_funnel",
        "/shop/funnel",
        "Funnel: view → cart → order",
        "`step, sessions, share` for sessions, page views, cart adds, orders.",
        shop.shop_funnel,
    ),
    FilteredChart(
        "shop_referrers",
        "/shop/referrers",
        "Session duration by referrer",
        "`referrer, sessions, median_duration_minutes, p90_duration_minutes, order_rate`.",
        shop.referrer_metrics,
    ),
)


# Members and sales


@router.get("/members/batches", response_model=Chart, summary="Applications per batch")
def member_batches(wh: WarehouseDep, f: FiltersDep) -> Chart:
    """`batch, label` (its number and local time in `tz`), `processed_at, applications, successful, unsuccessful,
    success_rate`."""
    return _chart("batches", members.application_batches(wh, tz=f.tz))


@router.get("/members/rejection-reasons", response_model=Chart, summary="Top rejection reasons")
def rejection_reasons(wh: WarehouseDep, n: Annotated[int, Query(ge=1, le=100)] = 10) -> Chart:
    """`reason, applications`, commonest first."""
    return _chart("rejection-reasons", members.rejection_reasons(wh, n=n))


@router.get("/members/top-members", response_model=Chart, summary="Top members by spending", dependencies=PERSONAL)
def top_members(wh: WarehouseDep, n: Annotated[int, Query(ge=1, le=1000)] = 10) -> Chart:
    """`rank, membership_id, first_name, last_name, orders, total_spent`."""
    return _chart("top-members", sales.top_members(wh, n=n))


@router.get("/members/top-items", response_model=Chart, summary="Top items by times bought")
def top_items(wh: WarehouseDep, n: Annotated[int, Query(ge=1, le=1000)] = 10) -> Chart:
    """`rank, item_id, name, manufacturer, times_bought, quantity`."""
    return _chart("top-items", sales.top_items(wh, n=n))


# Recommendations


@router.get("/recommendations/history", response_model=Chart, summary="A user's vouchers", dependencies=PERSONAL)
def history(
    wh: WarehouseDep, user: Annotated[str, Query(min_length=1)], n: Annotated[int, Query(ge=1, le=1000)] = 20
) -> Chart:
    """The user's vouchers, newest first."""
    return _chart("history", vouchers.voucher_history(wh, user, limit=n))


@router.get(
    "/recommendations/items",
    response_model=Chart,
    summary="The current model's recommendations",
    dependencies=PERSONAL,
)
def recommended(
    request: Request, user: Annotated[str, Query(min_length=1)], n: Annotated[int, Query(ge=1, le=1000)] = 10
) -> Chart:
    """`rank, item_id, title, score, cold_start` from the registry's current model (503 when there is none);
    `cold_start` when the model did not know the user and answered with popular items."""
    loaded = request.app.state.models.get()
    rec = loaded.model.recommend(user, n)
    rows = [
        {
            "rank": i + 1,
            "item_id": item,
            "title": loaded.titles.get(item),
            "score": score,
            "model": loaded.version,
            "cold_start": rec.cold_start,
        }
        for i, (item, score) in enumerate(zip(rec.items, rec.scores, strict=True))
    ]
    return Chart(chart="items", rows=rows)


# COVID-19


@router.get("/covid/cases", response_model=Chart, summary="COVID-19 cases over time")
def covid_cases(wh: WarehouseDep, f: FiltersDep, location: str = "Singapore") -> Chart:
    """`date, new_cases, new_cases_7day_mean, total_cases` of `location`."""
    return _chart("cases", covid.covid_cases(wh, f, location=location))
