"""Read a voucher export (one row per voucher) into clean rows and rejects.

Columns, by their footfall name (`COLUMNS`): voucher_id, reward_id, reward_name, campaign,
user_id, issued_at, redeemed_at, status, value, cost, gender, birth_year (or `age`, in years at
issue), signup_date, country, city. Required: voucher_id, reward_id, user_id, issued_at, status.
An export that names its columns differently is read through a mapping `footfall=export`, e.g.
`--columns "voucher_id=Voucher Code,user_id=Member,age=Age"`; unmapped names are matched as
they are. Header names are compared without case or surrounding spaces.

Timestamps: ISO-8601 with an offset, `2024-03-01 10:00:00[.fff] [UTC]`, or no zone (UTC).
A row is rejected, with its line number and the field, for: an empty required field
(`missing_value`), a bad timestamp (`bad_timestamp`), a status other than issued, redeemed or
expired (`bad_status`), a redeemed voucher without redeemed_at (`missing_redeemed_at`), a
redemption before issue (`redeemed_before_issued`), a non-number value, cost, age or birth
year (`bad_number`), a bad signup date (`bad_date`), or an id repeated later in the file
(`duplicate_id`: the last row wins).
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from footfall.errors import InputError
from footfall.readers.csv_records import read_csv_records
from footfall.readers.lines import REJECT_SCHEMA
from footfall.readers.timestamps import parse_timestamps

__all__ = ["COLUMNS", "REJECT_SCHEMA", "REQUIRED", "VOUCHER_SCHEMA", "parse_column_mapping", "read_vouchers_csv"]

VOUCHER_SCHEMA = pl.Schema(
    {
        "voucher_id": pl.String(),
        "reward_id": pl.String(),
        "reward_name": pl.String(),
        "campaign": pl.String(),
        "user_id": pl.String(),
        "issued_at": pl.Datetime("us", "UTC"),
        "redeemed_at": pl.Datetime("us", "UTC"),
        "status": pl.String(),
        "value": pl.Float64(),
        "cost": pl.Float64(),
        "gender": pl.String(),
        "birth_year": pl.Int32(),
        "signup_date": pl.Date(),
        "country": pl.String(),
        "city": pl.String(),
    }
)
COLUMNS = (*VOUCHER_SCHEMA.names(), "age")
REQUIRED = ("voucher_id", "reward_id", "user_id", "issued_at", "status")
STATUSES = ("issued", "redeemed", "expired")


def parse_column_mapping(text: str | None) -> dict[str, str]:
    """`footfall=export,...` pairs → {footfall name: export header}; a one-line error for a bad pair."""
    mapping: dict[str, str] = {}
    for pair in (text or "").split(","):
        if not pair.strip():
            continue
        name, sep, header = pair.partition("=")
        name = name.strip().lower()
        if not sep or not header.strip():
            raise InputError(f"bad {{param}} pair {pair.strip()!r}: write footfall_name=export_header", param="columns")
        if name not in COLUMNS:
            raise InputError(f"bad {{param}} name {name!r}: use one of {', '.join(COLUMNS)}", param="columns")
        mapping[name] = header.strip().lower()
    return mapping


def read_vouchers_csv(path: Path, *, columns: dict[str, str] | None = None) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(rows in VOUCHER_SCHEMA plus `line_number` and `raw`, rejects); a missing file or column is an InputError."""
    mapping = {c: (columns or {}).get(c, c) for c in COLUMNS}
    expected = ",".join(mapping[c] for c in VOUCHER_SCHEMA.names())
    records = read_csv_records(path, required=[mapping[c] for c in REQUIRED], expected=expected)
    raw = records.frame
    present = {c: h for c, h in mapping.items() if h in raw.columns}
    frame = raw.select(
        "line_number",
        "raw",
        *[pl.col(h).str.strip_chars().replace("", None).alias(c) for c, h in present.items()],
        *[pl.lit(None, pl.String).alias(c) for c in COLUMNS if c not in present],
    ).with_columns(pl.col("status").str.to_lowercase(), pl.col("gender").str.to_lowercase())
    checks: list[tuple[str, pl.Expr, pl.Expr]] = [
        ("missing_value", pl.col(c).is_null(), pl.lit(f"field {mapping[c]} is empty")) for c in REQUIRED
    ]
    for column in ("issued_at", "redeemed_at"):
        parsed = _parse_utc(frame[column])
        frame = frame.with_columns(parsed["ts"].alias(f"_{column}"))
        bad = pl.col(column).is_not_null() & pl.col(f"_{column}").is_null()
        text = pl.lit(f"field {mapping[column]}: '") + pl.col(column) + pl.lit("' is not a timestamp")
        checks.append(("bad_timestamp", bad, text))
    status_text = (
        pl.lit(f"field {mapping['status']}: '") + pl.col("status") + pl.lit("' is not issued/redeemed/expired")
    )
    checks.append(("bad_status", ~pl.col("status").is_in(STATUSES), status_text))
    missing_redeemed = (pl.col("status") == "redeemed") & pl.col("redeemed_at").is_null()
    checks.append(("missing_redeemed_at", missing_redeemed, pl.lit(f"field {mapping['redeemed_at']} is empty")))
    early = pl.col("_redeemed_at") < pl.col("_issued_at")
    checks.append(("redeemed_before_issued", early, pl.lit(f"field {mapping['redeemed_at']} is before issued_at")))
    for column, dtype in (("value", pl.Float64), ("cost", pl.Float64), ("birth_year", pl.Int32), ("age", pl.Int32)):
        number = pl.col(column).cast(dtype, strict=False)
        usable = number.is_finite() if dtype == pl.Float64 else number.is_not_null()
        frame = frame.with_columns(pl.when(usable).then(number).alias(f"_{column}"))
        bad = pl.col(column).is_not_null() & pl.col(f"_{column}").is_null()
        checks.append(("bad_number", bad, pl.lit(f"field {mapping[column]}: '") + pl.col(column) + pl.lit("'")))
    frame = frame.with_columns(_signup_date=pl.col("signup_date").str.to_date("%Y-%m-%d", strict=False))
    bad_date = pl.col("signup_date").is_not_null() & pl.col("_signup_date").is_null()
    date_text = pl.lit(f"field {mapping['signup_date']}: '") + pl.col("signup_date") + pl.lit("' is not YYYY-MM-DD")
    checks.append(("bad_date", bad_date, date_text))
    reason, detail = pl.lit(None, pl.String), pl.lit(None, pl.String)
    for code, condition, text in reversed(checks):
        reason = pl.when(condition.fill_null(False)).then(pl.lit(code)).otherwise(reason)
        detail = pl.when(condition.fill_null(False)).then(text).otherwise(detail)
    frame = frame.with_columns(reason=reason, detail=detail)
    later = pl.col("line_number").max().over("voucher_id")
    repeated = pl.col("reason").is_null() & (pl.col("line_number") != later)
    frame = frame.with_columns(
        reason=pl.when(repeated).then(pl.lit("duplicate_id")).otherwise("reason"),
        detail=pl.when(repeated)
        .then(pl.lit("voucher_id ") + pl.col("voucher_id") + pl.lit(" appears again on line ") + later.cast(pl.String))
        .otherwise("detail"),
    )
    # a later good row wins over an earlier one; a rejected later row leaves the earlier one rejected too
    birth_year = pl.coalesce(pl.col("_birth_year"), pl.col("_issued_at").dt.year().cast(pl.Int32) - pl.col("_age"))
    good = frame.filter(pl.col("reason").is_null()).select(
        "voucher_id",
        "reward_id",
        "reward_name",
        "campaign",
        "user_id",
        pl.col("_issued_at").alias("issued_at"),
        pl.col("_redeemed_at").alias("redeemed_at"),
        "status",
        pl.col("_value").alias("value"),
        pl.col("_cost").alias("cost"),
        "gender",
        birth_year.alias("birth_year"),
        pl.col("_signup_date").alias("signup_date"),
        "country",
        "city",
        "line_number",
        "raw",
    )
    rejects = frame.filter(pl.col("reason").is_not_null()).select(
        source_file=pl.lit(str(path)), line_number="line_number", reason="reason", detail="detail", raw="raw"
    )
    rejects = pl.concat([records.rejects, rejects.cast(REJECT_SCHEMA)]).sort("line_number")
    return good.cast(dict(VOUCHER_SCHEMA)), rejects  # type: ignore[arg-type]


def _parse_utc(text: pl.Series) -> pl.DataFrame:
    """`2024-03-01 10:00:00[.fff] [UTC]`, ISO-8601 with an offset, or no zone (UTC) → UTC instants."""
    iso = text.str.strip_chars().str.replace(r"\s*UTC$", "Z").str.replace(" ", "T", literal=True, n=1)
    return parse_timestamps(iso.fill_null(""), assume_tz="UTC")
