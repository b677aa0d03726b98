"""Peer: PySpark on local[2] with LAG and a running sum (session_window cannot break ties by file
order), same contract rules. Writes a Parquet folder.

Usage: python -m benchmarks.peers.pyspark_lag LOG MAPPING OUT_DIR
"""

from __future__ import annotations

import sys

from pyspark.sql import Column, SparkSession, Window
from pyspark.sql import functions as F


def main(log: str, mapping: str, out: str) -> None:
    spark = (
        SparkSession.builder.master("local[2]")
        .appName("footfall-peer")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.memory", "4g")
        .config("spark.sql.shuffle.partitions", "8")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    lines = spark.read.text(log).withColumn("seq", F.monotonically_increasing_id())
    f = F.split(F.col("value"), "[ \t]+")
    fields = (
        lines.select("seq", f.alias("f"))
        .where(F.size("f") == 4)
        .select(
            "seq",
            F.col("f")[0].alias("ts_text"),
            F.col("f")[1].alias("method"),
            F.col("f")[2].alias("path"),
            F.col("f")[3].alias("user_id"),
        )
    )
    valid = (
        fields.where(
            (F.col("user_id") != "")
            & F.col("ts_text").rlike(r"^\d{4}-\d\d-\d\d[Tt]\d\d:\d\d:\d\d(\.\d{1,9})?([Zz]|[+-]\d\d(:?\d\d)?)$")
            & F.col("method").rlike("^[A-Z]+$")
            & F.col("path").startswith("/")
            & ~F.col("path").rlike("^/(campaigns|rewards)/([/?#]|$)")
        )
        .withColumn("ts", F.try_to_timestamp(F.regexp_replace("ts_text", r"(\.\d{6})\d+", "$1")))
        .where(F.col("ts").isNotNull())
    )
    events = valid.select(
        "seq",
        "user_id",
        "ts",
        F.when(
            F.col("method") == "GET",
            F.nullif(F.regexp_extract("path", r"^/campaigns/([^/?#]+)/?([?#].*)?$", 1), F.lit("")),
        ).alias("c"),
        F.when(
            F.col("method") == "POST",
            F.nullif(F.regexp_extract("path", r"^/rewards/([^/?#]+)/?([?#].*)?$", 1), F.lit("")),
        ).alias("r"),
    )
    by_user = Window.partitionBy("user_id").orderBy("ts", "seq")
    gap = F.unix_micros("ts") - F.lag(F.unix_micros("ts")).over(by_user)
    marked = events.withColumn("new", F.when(gap.isNull() | (gap >= 300_000_000), 1).otherwise(0)).withColumn(
        "sid", F.sum("new").over(by_user.rowsBetween(Window.unboundedPreceding, 0))
    )
    key = ["user_id", "sid"]

    def ordered_ids(col: str) -> Column:
        """Distinct ids in order of first occurrence (by instant, then file order)."""
        firsts = F.array_sort(F.collect_list(F.when(F.col(col).isNotNull(), F.struct("ts", "seq", col))))
        return F.array_distinct(F.transform(firsts, lambda x: x[col]))

    sessions = marked.groupBy(*key).agg(
        F.min("ts").alias("session_start"),
        F.max("ts").alias("session_end"),
        ordered_ids("c").alias("campaigns"),
        ordered_ids("r").alias("rewards_issued"),
        F.count("*").alias("events"),
        F.count("c").alias("campaign_views"),
        F.count("r").alias("rewards_issued_count"),
    )
    links = (
        spark.read.csv(mapping, header=True)
        .select(F.col("campaign_id").alias("c"), F.col("reward_id").alias("r"))
        .distinct()
    )
    views = marked.where(F.col("c").isNotNull()).groupBy(*key, "c").agg(F.min("ts").alias("first_view"))
    issues = marked.where(F.col("r").isNotNull()).groupBy(*key, "r").agg(F.max("ts").alias("last_issue"))
    driven = (
        issues.join(links, "r")
        .join(views, [*key, "c"])
        .where(F.col("first_view") <= F.col("last_issue"))
        .select(*key)
        .distinct()
        .withColumn("driven", F.lit(True))
    )
    report = sessions.join(driven, key, "left").select(
        "user_id",
        "session_start",
        "session_end",
        "campaigns",
        "rewards_issued",
        F.coalesce("driven", F.lit(False)).alias("reward_driven_by_campaign_view"),
        "events",
        "campaign_views",
        "rewards_issued_count",
    )
    report.orderBy("user_id", "session_start").write.mode("overwrite").parquet(out)
    spark.stop()


if __name__ == "__main__":
    main(*sys.argv[1:4])
