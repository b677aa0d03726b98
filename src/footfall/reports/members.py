"""Membership application batches: applications processed, success rate, the top rejection reasons."""

from __future__ import annotations

import json
from collections import Counter

import polars as pl

from footfall.reports._sql import report_sql
from footfall.reports.filters import report_tz
from footfall.warehouse import Warehouse

__all__ = ["application_batches", "rejection_reasons"]


def application_batches(warehouse: Warehouse, *, tz: str | None = None) -> pl.DataFrame:
    """`batch, label, processed_at, applications, successful, unsuccessful, success_rate`, oldest first.

    `label` names a batch for readers: its number and local time in `tz` (None: the report zone),
    `batch 2 · 2026-12-01 23:52`; `batch` is the id the batch's files carry, the UTC time it was
    cut (`20261201T155222Z`, docs/members.md), which the label shows.
    """
    runs = warehouse.query(report_sql("member_batches"))
    batches = pl.Series("batch", [json.loads(d).get("batch") for d in runs["details"]], dtype=pl.String)
    cut = batches.str.slice(0, 16).str.strptime(pl.Datetime("us", "UTC"), "%Y%m%dT%H%M%SZ", strict=False)
    at = cut.fill_null(runs["started_at"]).dt.convert_time_zone(tz or report_tz()).dt.strftime("%Y-%m-%d %H:%M")
    return pl.DataFrame(
        {
            "batch": batches,
            "label": [f"batch {i} · {when}" for i, when in enumerate(at, start=1)],
            "processed_at": runs["started_at"],
            "applications": runs["rows_read"],
            "successful": runs["rows_accepted"],
            "unsuccessful": runs["rows_rejected"],
            "success_rate": (runs["rows_accepted"] / runs["rows_read"])
            if runs.height
            else pl.Series([], dtype=pl.Float64),
        },
        schema_overrides={"batch": pl.String, "label": pl.String},
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
