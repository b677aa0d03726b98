"""Sessions on Apache Spark as DataFrame operations: the one session definition (`sessionize.py`), exactly.

Spark's built-in `session_window` is not used: it keeps an event exactly one gap after the previous
one in the same session (footfall starts a new one) and cannot break ties by file order. Instead,
per user, ordered by (instant, `seq` — file order, the embedded engine's tie-break): LAG gives the
gap to the previous event, a gap of at least `gap` (or no previous event) starts a session, and a
running sum of the starts numbers each user's sessions (`session_index`, from 0). Attribution is
order-aware like `http_sessions.reward_driven_sessions`: a session is reward-driven iff some
reward's last issue is at or after the first view of a campaign the mapping links to it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from typing import TYPE_CHECKING

from footfall.sessions.shop_sessions import COUNT_COLUMNS

if TYPE_CHECKING:
    from pyspark.sql import Column, DataFrame

__all__ = ["assign_sessions", "http_report", "shop_report", "shop_session_ids"]


def assign_sessions(events: DataFrame, *, gap: timedelta, user: str = "user_id") -> DataFrame:
    """`events` with `session_index`: each user's sessions numbered from 0 (LAG, then a running sum)."""
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    by_user = Window.partitionBy(user).orderBy("ts", "seq")
    step = F.unix_micros("ts") - F.col("_previous")
    starts = F.when(step.isNull() | (step >= gap // timedelta(microseconds=1)), 1).otherwise(0)
    running = by_user.rowsBetween(Window.unboundedPreceding, Window.currentRow)
    return (
        events.withColumn("_previous", F.lag(F.unix_micros("ts")).over(by_user))
        .withColumn("_start", starts)
        .drop("_previous")
        .withColumn("session_index", (F.sum("_start").over(running) - 1).cast("long"))
        .drop("_start")
    )


def http_report(events: DataFrame, links: Iterable[tuple[str, str]], *, gap: timedelta) -> DataFrame:
    """One row per session (docs/data-contracts.md → HTTP-log sessions report); `links`: (campaign_id, reward_id).

    One shuffle (by user) and one aggregation: the attribution is decided inside each session from
    its views and issues, with the mapping (small) as a literal map reward → linked campaigns.
    """
    from pyspark.sql import functions as F

    columns = ["user_id", "ts", "seq", "kind", "campaign_id", "reward_id"]
    sessioned = assign_sessions(events.select(columns), gap=gap)
    report = sessioned.groupBy("user_id", "session_index").agg(
        F.min("ts").alias("session_start"),
        F.max("ts").alias("session_end"),
        _in_order_of_first("campaign_id").alias("campaigns"),
        _in_order_of_first("reward_id").alias("rewards_issued"),
        F.count("*").cast("long").alias("events"),
        F.count("campaign_id").cast("long").alias("campaign_views"),
        F.count("reward_id").cast("long").alias("rewards_issued_count"),
        _pairs("campaign_id").alias("_views"),
        _pairs("reward_id").alias("_issues"),
    )
    return report.select(
        "user_id",
        "session_start",
        "session_end",
        "campaigns",
        "rewards_issued",
        _driven(links).alias("reward_driven_by_campaign_view"),
        "events",
        "campaign_views",
        "rewards_issued_count",
    )


def _pairs(column: str) -> Column:
    """(id, instant) of the session's events that carry `column`."""
    from pyspark.sql import functions as F

    return F.collect_list(F.when(F.col(column).isNotNull(), F.struct(F.col(column).alias("id"), "ts")))


def _driven(links: Iterable[tuple[str, str]]) -> Column:
    """Some issue of a reward at or after a view of a campaign linked to it (`_views`, `_issues` of a session)."""
    from pyspark.sql import functions as F

    by_reward: dict[str, set[str]] = {}
    for campaign, reward in links:
        by_reward.setdefault(reward, set()).add(campaign)
    if not by_reward:
        return F.lit(False)
    entries = []
    for reward, campaigns in sorted(by_reward.items()):
        entries += [F.lit(str(reward)), F.array(*[F.lit(str(c)) for c in sorted(campaigns)])]
    linked = F.create_map(*entries)

    def issue_after_a_linked_view(issue: Column) -> Column:
        campaigns = F.coalesce(F.try_element_at(linked, issue.getField("id")), F.array().cast("array<string>"))
        return F.exists(
            "_views",
            lambda view: (
                (view.getField("ts") <= issue.getField("ts")) & F.array_contains(campaigns, view.getField("id"))
            ),
        )

    return F.exists("_issues", issue_after_a_linked_view)


def shop_session_ids(events: DataFrame, *, gap: timedelta) -> DataFrame:
    """Customers' events with `session_index`, `session_start` and `session_id` (`c42@2022-05-01T10:00:00.000000Z`)."""
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    sessioned = assign_sessions(events.where(F.col("customer_id").isNotNull()), gap=gap, user="customer_id")
    start = F.min("ts").over(Window.partitionBy("customer_id", "session_index"))
    return sessioned.withColumn("session_start", start).withColumn(
        "session_id",
        F.concat(F.col("customer_id"), F.lit("@"), F.date_format("session_start", "yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'")),
    )


def shop_report(sessioned: DataFrame) -> DataFrame:
    """One row per web-shop session of `shop_session_ids` output, with the raw figures `shop_sessions` derives
    its columns from (the device class and referrer domain are added by the same Polars expressions)."""
    from pyspark.sql import functions as F

    is_view = F.col("type") == "page_view"
    first_view = F.min(F.when(is_view, F.struct("ts", "seq", "page", "referrer")))
    first = F.min(F.struct("ts", "seq", "user_agent"))
    counts = [
        F.count(F.when(F.col("type") == kind, 1)).cast("long").alias(name) for kind, name in COUNT_COLUMNS.items()
    ]
    return (
        sessioned.groupBy("customer_id", "session_index", "session_id")
        .agg(
            F.min("ts").alias("session_start"),
            F.max("ts").alias("session_end"),
            F.count("*").cast("long").alias("events"),
            *counts,
            F.count(F.when(~F.col("type").isin(list(COUNT_COLUMNS)), 1)).cast("long").alias("other_events"),
            first_view.getField("page").alias("first_page"),
            first_view.getField("referrer").alias("first_referrer"),
            first.getField("user_agent").alias("user_agent"),
        )
        .withColumn("duration_seconds", _micros_between("session_start", "session_end") * 1e-6)
        .withColumn("has_order", F.col("orders") > 0)
    )


def _in_order_of_first(column: str) -> Column:
    """The distinct non-null values of `column`, in order of first occurrence (by instant, then file order)."""
    from pyspark.sql import functions as F

    occurrences = F.array_sort(F.collect_list(F.when(F.col(column).isNotNull(), F.struct("ts", "seq", column))))
    return F.array_distinct(F.transform(occurrences, lambda x: x.getField(column)))


def _micros_between(start: str, end: str) -> Column:
    from pyspark.sql import functions as F

    return (F.unix_micros(end) - F.unix_micros(start)).cast("double")
