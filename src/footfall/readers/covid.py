"""Read a COVID-19 cases time series: OWID long format or JHU CSSE wide format, into one long table.

- OWID: `location,date,new_cases,total_cases` (other columns ignored), one row per location
  and day; dates `YYYY-MM-DD`; empty counts are null (not reported).
- JHU CSSE (`time_series_covid19_confirmed_global.csv`): `Province/State,Country/Region,Lat,Long`
  then one column per day (`1/22/20`, month first) of cumulative confirmed cases. Provinces are
  summed per country; `total_cases` is that sum and `new_cases` its day-over-day difference (the
  first day's new cases are its total; negative differences, the source's corrections, are kept).

The format is told by the header. Rows with a bad date or count, or a (location, date) seen
before, are rejected with file, line and field.
"""

from __future__ import annotations

import re
from pathlib import Path

import polars as pl

from footfall.errors import InputError
from footfall.readers.csv_tables import read_text_csv
from footfall.readers.lines import REJECT_SCHEMA

__all__ = ["COVID_SCHEMA", "REJECT_SCHEMA", "jhu_wide_to_long", "read_covid_csv"]

COVID_SCHEMA = pl.Schema(
    {"location": pl.String(), "date": pl.Date(), "new_cases": pl.Float64(), "total_cases": pl.Float64()}
)
_JHU_DATE = re.compile(r"^\d{1,2}/\d{1,2}/\d{2}$")


def read_covid_csv(path: Path, *, location: str | None = None) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(rows in COVID_SCHEMA plus `line_number`, rejects), keeping only `location` when given."""
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    with path.open(encoding="utf-8", errors="replace") as handle:
        header = handle.readline().lower()
    if "country/region" in header:
        rows, rejects = _read_jhu(path)
    else:
        rows, rejects = _read_owid(path)
    if location is not None:
        rows = rows.filter(pl.col("location").str.to_lowercase() == location.lower())
        if not rows.height:
            raise InputError(f"{path}: no rows for location {location!r}")
    return rows, rejects


def jhu_wide_to_long(wide: pl.DataFrame, date_columns: list[str]) -> pl.DataFrame:
    """`location` plus one cumulative column per day → `location, date, new_cases, total_cases`.

    Rows of one location (provinces) are summed first; new cases are the day-over-day change.
    """
    summed = wide.group_by("location").agg(pl.col(c).sum() for c in date_columns)
    long = summed.unpivot(index="location", on=date_columns, variable_name="day", value_name="total_cases")
    long = long.with_columns(
        pl.col("day").str.to_date("%m/%d/%y").alias("date"), pl.col("total_cases").cast(pl.Float64)
    ).sort("location", "date")
    new = pl.col("total_cases") - pl.col("total_cases").shift(1).over("location")
    return long.select(
        "location", "date", pl.coalesce(new, pl.col("total_cases")).alias("new_cases"), "total_cases"
    ).cast(dict(COVID_SCHEMA))  # type: ignore[arg-type]


def _read_owid(path: Path) -> tuple[pl.DataFrame, pl.DataFrame]:
    raw = read_text_csv(path, required=["location", "date"], expected="location,date,new_cases,total_cases")
    frame = raw.select(
        pl.int_range(2, pl.len() + 2, dtype=pl.Int64).alias("line_number"),
        pl.concat_str([pl.col(c).fill_null("") for c in raw.columns], separator=",").alias("raw"),
        pl.col("location").str.strip_chars(),
        pl.col("date").str.strip_chars(),
        *[
            (pl.col(c).str.strip_chars() if c in raw.columns else pl.lit(None, pl.String)).alias(c)
            for c in ("new_cases", "total_cases")
        ],
    ).with_columns(
        _date=pl.col("date").str.to_date("%Y-%m-%d", strict=False),
        _new=pl.col("new_cases").cast(pl.Float64, strict=False),
        _total=pl.col("total_cases").cast(pl.Float64, strict=False),
    )
    checks = [
        ("missing_value", pl.col("location").is_null() | (pl.col("location") == ""), pl.lit("field location is empty")),
        (
            "bad_date",
            pl.col("_date").is_null(),
            pl.lit("field date: '") + pl.col("date") + pl.lit("' is not YYYY-MM-DD"),
        ),
    ]
    for column, parsed in (("new_cases", "_new"), ("total_cases", "_total")):
        bad = pl.col(column).is_not_null() & (pl.col(column) != "") & pl.col(parsed).is_null()
        checks.append(("bad_number", bad, pl.lit(f"field {column}: '") + pl.col(column) + pl.lit("' is not a number")))
    reason, detail = pl.lit(None, pl.String), pl.lit(None, pl.String)
    for code, condition, text in reversed(checks):
        reason = pl.when(condition.fill_null(True)).then(pl.lit(code)).otherwise(reason)
        detail = pl.when(condition.fill_null(True)).then(text).otherwise(detail)
    frame = frame.with_columns(reason=reason, detail=detail)
    first = pl.col("line_number").min().over("location", "_date")
    repeated = pl.col("reason").is_null() & (pl.col("line_number") != first)
    frame = frame.with_columns(
        reason=pl.when(repeated).then(pl.lit("duplicate_date")).otherwise("reason"),
        detail=pl.when(repeated)
        .then(pl.lit("location and date already on line ") + first.cast(pl.String))
        .otherwise("detail"),
    )
    good = frame.filter(pl.col("reason").is_null()).select(
        "location",
        pl.col("_date").alias("date"),
        pl.col("_new").alias("new_cases"),
        pl.col("_total").alias("total_cases"),
        "line_number",
    )
    return good, _rejects(frame, path)


def _read_jhu(path: Path) -> tuple[pl.DataFrame, pl.DataFrame]:
    raw = read_text_csv(
        path, required=["country/region"], expected="Province/State,Country/Region,Lat,Long,1/22/20,..."
    )
    days = [c for c in raw.columns if _JHU_DATE.match(c)]
    if not days:
        raise InputError(f"{path}: line 1: no date columns like 1/22/20 (JHU CSSE wide format)")
    frame = raw.with_columns(
        pl.int_range(2, pl.len() + 2, dtype=pl.Int64).alias("line_number"),
        pl.concat_str([pl.col(c).fill_null("") for c in raw.columns], separator=",").alias("raw"),
        pl.col("country/region").str.strip_chars().alias("location"),
    )
    reason, detail = pl.lit(None, pl.String), pl.lit(None, pl.String)
    for day in reversed(days):
        bad = pl.col(day).is_not_null() & pl.col(day).str.strip_chars().cast(pl.Float64, strict=False).is_null()
        reason = pl.when(bad).then(pl.lit("bad_number")).otherwise(reason)
        detail = (
            pl.when(bad).then(pl.lit(f"field {day}: '") + pl.col(day) + pl.lit("' is not a number")).otherwise(detail)
        )
    empty = pl.col("location").is_null() | (pl.col("location") == "")
    reason = pl.when(empty).then(pl.lit("missing_value")).otherwise(reason)
    detail = pl.when(empty).then(pl.lit("field Country/Region is empty")).otherwise(detail)
    frame = frame.with_columns(reason=reason, detail=detail)
    good = frame.filter(pl.col("reason").is_null()).select(
        "location", *[pl.col(d).str.strip_chars().cast(pl.Float64).fill_null(0.0) for d in days]
    )
    long = jhu_wide_to_long(good, days).with_columns(line_number=pl.lit(None, pl.Int64))
    return long, _rejects(frame, path)


def _rejects(frame: pl.DataFrame, path: Path) -> pl.DataFrame:
    return (
        frame.filter(pl.col("reason").is_not_null())
        .select(source_file=pl.lit(str(path)), line_number="line_number", reason="reason", detail="detail", raw="raw")
        .cast(REJECT_SCHEMA)
    )
