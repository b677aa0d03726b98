"""The transactions contract and its cleansing: every row valid, or quarantined with a reason.

A transaction is `customer_id` (text), `ts` (a UTC instant), `amount` (> 0) and an optional
`quantity` (≥ 1). Raw rows arrive as text with their `source_file`, `line_number` and `raw`
line; `parse_raw` turns them into the contract, and every row that cannot be used goes to the
rejects (`source_file, line_number, reason, detail, raw`) with one of the reasons below. Inputs
are never modified. Definitions: docs/ml.md#transactions.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import polars as pl

from footfall.errors import InputError
from footfall.readers.lines import REJECT_SCHEMA  # rejects have the shape every reader's have

__all__ = ["REASONS", "REJECT_SCHEMA", "TRANSACTION_SCHEMA", "Transactions", "parse_raw"]

TRANSACTION_SCHEMA = pl.Schema(
    {"customer_id": pl.String(), "ts": pl.Datetime("us", "UTC"), "amount": pl.Float64(), "quantity": pl.Int64()}
)
REASONS = {
    "missing_customer": "customer_id is empty",
    "bad_date": "the date is not a date (YYYY-MM-DD, YYYYMMDD or ISO-8601 with an offset)",
    "bad_amount": "amount is not a number",
    "bad_quantity": "quantity is not a whole number of at least 1",
    "non_positive_amount": "amount is zero or negative",
    "future_date": "the date is after the run's as-of instant",
    "unknown_customer": "customer_id is not in the customer list",
    "duplicate": "the same customer, instant, amount and quantity as an earlier row",
}
_RAW = ("customer_id", "date", "amount", "quantity", "source_file", "line_number", "raw")


@dataclass(frozen=True)
class Transactions:
    """Valid transactions (`TRANSACTION_SCHEMA`), the rows rejected (`REJECT_SCHEMA`), and where they came from."""

    frame: pl.DataFrame
    rejects: pl.DataFrame
    source: str

    @property
    def read(self) -> int:
        """Rows read: accepted + rejected."""
        return self.frame.height + self.rejects.height

    def reject_counts(self) -> dict[str, int]:
        """Rejected rows per reason, commonest first."""
        counts = self.rejects.group_by("reason").len().sort("len", "reason", descending=[True, False])
        return dict(zip(counts["reason"], counts["len"], strict=True))


def parse_raw(
    raw: pl.DataFrame, *, source: str, as_of: datetime | None = None, customers: frozenset[str] | None = None
) -> Transactions:
    """Text rows (`customer_id, date, amount, quantity, source_file, line_number, raw`) → the contract + rejects.

    `as_of` (default: now) bounds dates; `customers`, when given, is the list of known customers.
    A one-line error when no valid row remains."""
    as_of = as_of or datetime.now(UTC)
    rows = raw.select(_RAW).with_columns(
        pl.col("customer_id").str.strip_chars(),
        ts=_instant(pl.col("date").str.strip_chars()),
        amount_value=pl.col("amount").str.strip_chars().cast(pl.Float64, strict=False),
        quantity_value=pl.col("quantity").str.strip_chars().cast(pl.Int64, strict=False),
    )
    checks = [
        ("missing_customer", pl.col("customer_id").is_null() | (pl.col("customer_id") == ""), "customer_id"),
        ("bad_date", pl.col("ts").is_null(), "date"),
        ("bad_amount", pl.col("amount_value").is_null() | ~pl.col("amount_value").is_finite(), "amount"),
        ("bad_quantity", _bad_quantity(), "quantity"),
        ("non_positive_amount", pl.col("amount_value") <= 0, "amount"),
        ("future_date", pl.col("ts") > pl.lit(as_of).dt.convert_time_zone("UTC").dt.cast_time_unit("us"), "date"),
    ]
    if customers is not None:
        known = pl.col("customer_id").is_in(pl.Series(sorted(customers), dtype=pl.String))
        checks.append(("unknown_customer", ~known, "customer_id"))
    reason = pl.lit(None, pl.String)
    detail = pl.lit(None, pl.String)
    for name, failed, field in reversed(checks):  # the first failing check names the row's reason
        hit = failed.fill_null(False)
        reason = pl.when(hit).then(pl.lit(name)).otherwise(reason)
        detail = pl.when(hit).then(pl.format(f"{field} {{}}: {REASONS[name]}", pl.col(field))).otherwise(detail)
    checked = rows.with_columns(reason=reason, detail=detail)
    valid = checked.filter(pl.col("reason").is_null())
    keys = ("customer_id", "ts", "amount_value", "quantity_value")
    valid = valid.with_columns(first_line=pl.col("line_number").first().over(keys))
    duplicate = (valid["line_number"] != valid["first_line"]).to_numpy()
    dupes = valid.filter(duplicate).with_columns(
        reason=pl.lit("duplicate"),
        detail=pl.format(
            "line {}: the same customer, instant, amount and quantity as line {}", "line_number", "first_line"
        ),
    )
    rejects = pl.concat([checked.filter(pl.col("reason").is_not_null()), dupes.drop("first_line")]).select(
        "source_file", pl.col("line_number").cast(pl.Int64), "reason", "detail", "raw"
    )
    frame = (
        valid.filter(~duplicate)
        .select("customer_id", "ts", amount="amount_value", quantity="quantity_value")
        .cast(TRANSACTION_SCHEMA)
    )
    if not frame.height:
        raise InputError(f"{source}: no valid transactions ({_summary(rejects)}); see docs/ml.md#transactions")
    return Transactions(frame, rejects.sort("source_file", "line_number"), source)


def _instant(text: pl.Expr) -> pl.Expr:
    """A date (`YYYY-MM-DD`, `YYYYMMDD`: midnight UTC) or an ISO-8601 instant with an offset, as UTC; else null."""
    as_date = (
        pl.coalesce(text.str.to_date("%Y-%m-%d", strict=False), text.str.to_date("%Y%m%d", strict=False))
        .cast(pl.Datetime("us"))
        .dt.replace_time_zone("UTC")
    )
    with_offset = text.str.to_datetime("%Y-%m-%dT%H:%M:%S%.f%z", strict=False, time_unit="us", time_zone="UTC")
    return pl.coalesce(as_date, with_offset)


def _bad_quantity() -> pl.Expr:
    given = pl.col("quantity").is_not_null() & (pl.col("quantity").str.strip_chars() != "")
    return given & (pl.col("quantity_value").is_null() | (pl.col("quantity_value") < 1))


def _summary(rejects: pl.DataFrame) -> str:
    if not rejects.height:
        return "the input has no rows"
    counts = rejects.group_by("reason").len().sort("len", descending=True)
    first = rejects.row(0, named=True)
    reasons = ", ".join(f"{r} {n:,}" for r, n in counts.iter_rows())
    return f"{rejects.height:,} rows rejected: {reasons}; first: line {first['line_number']}: {first['detail']}"
