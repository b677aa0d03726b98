"""`GET /api/charts/...`: the rows behind every dashboard chart, from the same report functions as the CLI.

Every endpoint answers `{"chart": name, "rows": [...]}` and takes the dashboard's filters where
they apply: `from`, `to` (local dates, both included), `campaign`, `reward`, `tz` (IANA zone).
Empty filter values (as a submitted form sends them) mean "no filter".
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

import polars as pl
from fastapi import APIRouter, Query, Request
from pydantic import BaseModel

from footfall.api.access import requires
from footfall.api.deps import FiltersDep, WarehouseDep
from footfall.api.errors import error_responses
from footfall.auth import Role
from footfall.reports import covid, engagement, http_sessions, members, sales, shop, vouchers

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


# Engagement (HTTP-log sessions)


@router.get("/engagement/active-users", response_model=Chart, summary="Active users per day or week")
def active_users(wh: WarehouseDep, f: FiltersDep, period: Literal["day", "week"] = "day") -> Chart:
    """`period_start, active_users, sessions` per local day or ISO week."""
    return _chart("active-users", engagement.active_users(wh, f, period=period))


@router.get("/engagement/sessions-per-user", response_model=Chart, summary="Sessions per user (histogram)")
def sessions_per_user(wh: WarehouseDep, f: FiltersDep) -> Chart:
    """`sessions_per_user, users` buckets."""
    return _chart("sessions-per-user", engagement.sessions_per_user(wh, f))


@router.get("/engagement/session-length", response_model=Chart, summary="Session length (histogram)")
def session_length(wh: WarehouseDep, f: FiltersDep) -> Chart:
    """`session_length, sessions` buckets."""
    return _chart("session-length", engagement.session_length(wh, f))


@router.get("/engagement/weekday-hour", response_model=Chart, summary="Sessions by local weekday and hour")
def weekday_hour(wh: WarehouseDep, f: FiltersDep) -> Chart:
    """`weekday, weekday_name, hour, sessions`, all 7 × 24 cells in the chosen zone."""
    return _chart("weekday-hour", engagement.sessions_by_weekday_hour(wh, f))


@router.get("/engagement/new-returning", response_model=Chart, summary="New and returning users per day")
def new_returning(wh: WarehouseDep, f: FiltersDep) -> Chart:
    """`day, new_users, returning_users`."""
    return _chart("new-returning", engagement.new_vs_returning(wh, f))


@router.get("/engagement/retention", response_model=Chart, summary="Weekly retention cohorts")
def retention(wh: WarehouseDep, f: FiltersDep) -> Chart:
    """`cohort_week, cohort_users, week_number, active_users, retention`."""
    return _chart("retention", engagement.retention_cohorts(wh, f))


# Rewards (vouchers)


@router.get("/rewards/over-time", response_model=Chart, summary="Vouchers issued and redeemed per day")
def vouchers_over_time(wh: WarehouseDep, f: FiltersDep) -> Chart:
    """`day, issued, redeemed`."""
    return _chart("over-time", vouchers.vouchers_over_time(wh, f))


@router.get("/rewards/by-reward", response_model=Chart, summary="Redemption by reward")
def by_reward(wh: WarehouseDep, f: FiltersDep) -> Chart:
    """Issued, redeemed, redemption rate, median hours to redeem, per reward; most redeemed first."""
    return _chart("by-reward", vouchers.vouchers_by_reward(wh, f))


@router.get("/rewards/by-campaign", response_model=Chart, summary="Redemption by campaign")
def by_campaign(wh: WarehouseDep, f: FiltersDep) -> Chart:
    """Issued, redeemed, redemption rate, median hours to redeem, per campaign."""
    return _chart("by-campaign", vouchers.vouchers_by_campaign(wh, f))


@router.get("/rewards/weekly", response_model=Chart, summary="Week-over-week change")
def weekly(wh: WarehouseDep, f: FiltersDep) -> Chart:
    """`week_start, issued, redeemed, issued_pct_change, redeemed_pct_change`."""
    return _chart("weekly", vouchers.vouchers_weekly(wh, f))


@router.get("/rewards/segments", response_model=Chart, summary="Vouchers by user segment")
def segments(
    wh: WarehouseDep, f: FiltersDep, dimension: Literal["gender", "age_band", "country", "city"] = "gender"
) -> Chart:
    """`segment, users, issued, redeemed, redemption_rate` by gender, age band, country or city."""
    return _chart("segments", vouchers.vouchers_by_segment(wh, f, dimension=dimension))


# Sessions (HTTP log)


@router.get("/sessions/daily", response_model=Chart, summary="Sessions and attribution per day")
def sessions_daily(wh: WarehouseDep, f: FiltersDep) -> Chart:
    """`day, sessions, sessions_with_reward, reward_driven_sessions, attribution_rate`."""
    return _chart("daily", http_sessions.sessions_daily(wh, f))


@router.get("/sessions/campaigns", response_model=Chart, summary="Attribution by campaign")
def session_campaigns(wh: WarehouseDep, f: FiltersDep, n: Annotated[int, Query(ge=1, le=1000)] = 15) -> Chart:
    """The `n` campaigns viewed in most sessions, with their attribution rate."""
    return _chart("campaigns", http_sessions.campaign_attribution(wh, f).head(n))


@router.get("/sessions/rewards", response_model=Chart, summary="Top rewards issued in sessions")
def session_rewards(wh: WarehouseDep, f: FiltersDep, n: Annotated[int, Query(ge=1, le=1000)] = 15) -> Chart:
    """The `n` rewards issued in most sessions."""
    return _chart("rewards", http_sessions.top_session_rewards(wh, f).head(n))


# Shop


@router.get("/shop/orders", response_model=Chart, summary="Order metrics")
def shop_orders(wh: WarehouseDep, f: FiltersDep) -> Chart:
    """One row: median visits and session minutes before the first order (see GET /metrics/orders)."""
    return _chart("orders", pl.DataFrame([shop.order_metrics(wh, f)]))


@router.get("/shop/funnel", response_model=Chart, summary="Funnel: view → cart → order")
def shop_funnel(wh: WarehouseDep, f: FiltersDep) -> Chart:
    """`step, sessions, share` for sessions, page views, cart adds, orders."""
    return _chart("funnel", shop.shop_funnel(wh, f))


@router.get("/shop/referrers", response_model=Chart, summary="Session duration by referrer")
def shop_referrers(wh: WarehouseDep, f: FiltersDep) -> Chart:
    """`referrer, sessions, median_duration_minutes, p90_duration_minutes, order_rate`."""
    return _chart("referrers", shop.referrer_metrics(wh, f))


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
