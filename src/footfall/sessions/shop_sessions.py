"""Web-shop sessions: customers' events grouped with the one session definition (`sessionize.py`).

Only events with a customer id are sessionized (default gap 30 minutes). Per session: start,
end, duration, counts by event type, whether it holds an order, the first page and the
referrer of the first page view, and a device class from the first event's user agent.
"""

from __future__ import annotations

from datetime import timedelta

import polars as pl

from footfall.readers.shop_events import KNOWN_TYPES
from footfall.sessions.sessionize import assign_sessions

__all__ = [
    "COUNT_COLUMNS",
    "SHOP_SESSION_SCHEMA",
    "device_class",
    "referrer_domain",
    "session_id",
    "shop_sessions",
]

COUNT_COLUMNS = {
    "page_view": "page_views",
    "search": "searches",
    "add_product_to_cart": "cart_adds",
    "remove_product_from_cart": "cart_removes",
    "visit_related_product": "related_product_visits",
    "visit_recently_visited_product": "recently_visited_product_visits",
    "visit_personal_recommendation": "recommendation_visits",
    "sign_up_success": "sign_ups",
    "placed_order": "orders",
}
assert set(COUNT_COLUMNS) == set(KNOWN_TYPES)

SHOP_SESSION_SCHEMA = pl.Schema(
    {
        "session_id": pl.String(),
        "customer_id": pl.String(),
        "session_index": pl.Int64(),
        "session_start": pl.Datetime("us", "UTC"),
        "session_end": pl.Datetime("us", "UTC"),
        "duration_seconds": pl.Float64(),
        "events": pl.Int64(),
        **{name: pl.Int64() for name in COUNT_COLUMNS.values()},
        "other_events": pl.Int64(),
        "has_order": pl.Boolean(),
        "first_page": pl.String(),
        "first_referrer": pl.String(),
        "referrer_domain": pl.String(),
        "device": pl.String(),
    }
)


def shop_sessions(events: pl.DataFrame | pl.LazyFrame, *, gap: timedelta) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(sessions sorted by customer and start, `seq` → `session_id` of every sessionized event)."""
    known = events.lazy().filter(pl.col("customer_id").is_not_null())
    sessioned = assign_sessions(known, gap=gap, user="customer_id").with_columns(
        session_id=session_id(pl.col("customer_id"), pl.col("ts").min().over("session_no"))
    )
    is_view = pl.col("type") == "page_view"
    report = (
        sessioned.group_by("session_no", maintain_order=True)
        .agg(
            pl.col("session_id").first(),
            pl.col("customer_id").first(),
            pl.col("session_index").first(),
            session_start=pl.col("ts").first(),
            session_end=pl.col("ts").last(),
            events=pl.len(),
            **{name: (pl.col("type") == kind).sum() for kind, name in COUNT_COLUMNS.items()},
            other_events=(~pl.col("type").is_in(list(COUNT_COLUMNS))).sum(),
            first_page=pl.col("page").filter(is_view).first(),
            first_referrer=pl.col("referrer").filter(is_view).first(),
            user_agent=pl.col("user_agent").first(),
        )
        .with_columns(
            # times 1e-6, not divided by 1e6: Polars divides a one-row frame exactly but longer ones by
            # multiplying with the reciprocal, so division would depend on how rows are batched
            duration_seconds=(pl.col("session_end") - pl.col("session_start")).dt.total_microseconds() * 1e-6,
            has_order=pl.col("orders") > 0,
            referrer_domain=referrer_domain(pl.col("first_referrer")),
            device=device_class(pl.col("user_agent")),
        )
    )
    assignment = sessioned.select("seq", "session_id")
    report = report.select(SHOP_SESSION_SCHEMA.names()).sort("customer_id", "session_start")
    return report.collect().cast(SHOP_SESSION_SCHEMA), assignment.collect()


def session_id(customer: pl.Expr, start: pl.Expr) -> pl.Expr:
    """A session's id: the customer and the session's first instant, `c42@2022-05-01T10:00:00.000000Z`."""
    return customer + pl.lit("@") + start.dt.strftime("%Y-%m-%dT%H:%M:%S%.6fZ")


def referrer_domain(url: pl.Expr) -> pl.Expr:
    """The referrer's host without `www.`, lower-cased; `(direct)` when there is no referrer."""
    host = url.str.extract(r"^(?:[a-zA-Z][a-zA-Z0-9+.-]*://)?(?:[^@/]*@)?([^/:?#]+)", 1).str.to_lowercase()
    return (
        pl.when(url.is_null() | (url.str.strip_chars() == ""))
        .then(pl.lit("(direct)"))
        .otherwise(host.str.strip_prefix("www.").fill_null("(unknown)"))
    )


def device_class(user_agent: pl.Expr) -> pl.Expr:
    """`bot`, `tablet`, `mobile`, `desktop` or `unknown`, from a user-agent string."""
    ua = user_agent.fill_null("")
    return (
        pl.when(ua.str.contains(r"(?i)bot|crawl|spider|slurp|headless"))
        .then(pl.lit("bot"))
        .when(
            ua.str.contains(r"(?i)ipad|tablet|kindle|silk|playbook")
            | (ua.str.contains(r"(?i)android") & ~ua.str.contains(r"(?i)mobile"))
        )
        .then(pl.lit("tablet"))
        .when(ua.str.contains(r"(?i)mobi|iphone|ipod|android|windows phone|opera mini|blackberry"))
        .then(pl.lit("mobile"))
        .when(ua.str.contains(r"(?i)windows nt|macintosh|x11|linux|cros"))
        .then(pl.lit("desktop"))
        .otherwise(pl.lit("unknown"))
    )
