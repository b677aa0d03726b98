"""Membership application batches: applications processed, success rate, the top rejection reasons."""

from __future__ import annotations

import json
from collections import Counter

import polars as pl

from footfall.reports._sql import report_sql
from footfall.warehouse import Warehouse

__all__ = ["application_batches", "rejection_reasons"]


def application_batches(warehouse: Warehouse) -> pl.DataFrame:
    """`batch, processed_at, applications, successful, unsuccessful, success_rate`, oldest first."""
    runs = warehouse.query(report_sql("member_batches"))
    return pl.DataFrame(
        {
            "batch": [json.loads(d).get("batch") for d in runs["details"]],
            "processed_at": runs["started_at"],
            "applications": runs["rows_read"],
            "successful": runs["rows_accepted"],
            "unsuccessful": runs["rows_rejected"],
            "success_rate": (runs["rows_accepted"] / runs["rows_read"])
            if runs.height
            else pl.Series([], dtype=pl.Float64),
        },
        schema_overrides={"batch": pl.String},
    )


def rejection_reasons(warehouse: Warehouse, *, n: int = 10) -> pl.DataFrame:
    """`reason, applications`: the commonest reasons applications failed, over every batch.

    An application failing two rules counts under both. Reasons are recorded by `members process`.
    """
    counts: Counter[str] = Counter()
    for details in warehouse.query(report_sql("member_batches"))["details"]:
        for reason, count in json.loads(details).get("reject_reasons", {}).items():
            counts[reason] += int(count)
    top = counts.most_common(n)
    return pl.DataFrame(top, schema={"reason": pl.String, "applications": pl.Int64}, orient="row")
