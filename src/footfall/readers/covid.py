"""Read a COVID-19 cases time series into one long table: OWID, JHU CSSE or covid19api, told by the content.

- OWID: `location,date,new_cases,total_cases` (other columns ignored), one row per location
  and day; dates `YYYY-MM-DD`; empty counts are null (not reported).
- JHU CSSE (`time_series_covid19_confirmed_global.csv`): `Province/State,Country/Region,Lat,Long`
  then one column per day (`1/22/20`, month first) of cumulative confirmed cases.
- covid19api (the data-engineering challenge's source): CSV or JSON (an array of objects) with
  `Country, Province, Confirmed, Date` (and `ID, CountryCode, City, Lat, Lon, Deaths, Recovered,
  Active`), one row per place and day of *cumulative* counts; `Date` like `2020-03-01T00:00:00Z`.

Cumulative series (JHU, covid19api) become daily counts: per country and day the national row
is taken when there is one, else its provinces are summed; `total_cases` is that total and
`new_cases` its day-over-day difference (the first day's new cases are its total). A negative
difference is the source's correction: kept, and flagged in `correction`. Rows with a bad date
or count, or a (location, date) seen before, are rejected with file, line and field.
"""

from __future__ import annotations

import re
from pathlib import Path

import polars as pl

from footfall.errors import InputError
from footfall.readers.covid19api import is_covid19api, read_covid19api
from footfall.readers.csv_records import read_csv_records
from footfall.readers.lines import REJECT_SCHEMA, open_input

__all__ = ["COVID_SCHEMA", "REJECT_SCHEMA", "daily_from_cumulative", "jhu_wide_to_long", "read_covid"]

COVID_SCHEMA = pl.Schema(
    {
        "location": pl.String(),
        "date": pl.Date(),
        "new_cases": pl.Float64(),
        "total_cases": pl.Float64(),
        "correction": pl.Boolean(),
    }
)
_JHU_DATE = re.compile(r"^\d{1,2}/\d{1,2}/\d{2}$")


def read_covid(path: Path, *, location: str | None = None) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(rows in COVID_SCHEMA plus `line_number`, rejects), keeping only `location` when given."""
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    with open_input(path) as stream:
        head = stream.read(1 << 16).decode("utf-8", errors="replace").lstrip("\ufeff \t\r\n")
    header = head.splitlines()[0].lower() if head else ""
    if head.startswith(("[", "{")) or is_covid19api(header):
        rows, rejects = read_covid19api(path, json=head.startswith(("[", "{")))
        rows = daily_from_cumulative(rows)
    elif "country/region" in header:
        rows, rejects = _read_jhu(path)
    else:
        rows, rejects = _read_owid(path)
    if location is not None:
        rows = rows.filter(pl.col("location").str.to_lowercase() == location.lower())
        if not rows.height:
            raise InputError(f"{path}: no rows for location {location!r}")
    return rows, rejects


def daily_from_cumulative(rows: pl.DataFrame) -> pl.DataFrame:
    """`location, date, total_cases` (cumulative, one row per location and day) → COVID_SCHEMA + `line_number`."""
    ordered = rows.sort("location", "date")
    new = pl.col("total_cases") - pl.col("total_cases").shift(1).over("location")
    return ordered.with_columns(new_cases=pl.coalesce(new, pl.col("total_cases"))).select(
        "location",
        "date",
        "new_cases",
        "total_cases",
        correction=pl.col("new_cases") < 0,
        line_number=pl.col("line_number") if "line_number" in rows.columns else pl.lit(None, pl.Int64),
    )


def jhu_wide_to_long(wide: pl.DataFrame, date_columns: list[str]) -> pl.DataFrame:
    """`location` plus one cumulative column per day → `location, date, new_cases, total_cases, correction`.

    Rows of one location (provinces) are summed first; new cases are the day-over-day change.
    """
    summed = wide.group_by("location").agg(pl.col(c).sum() for c in date_columns)
    long = summed.unpivot(index="location", on=date_columns, variable_name="day", value_name="total_cases")
    long = long.select(
        "location", pl.col("day").str.to_date("%m/%d/%y").alias("date"), pl.col("total_cases").cast(pl.Float64)
    )
    return daily_from_cumulative(long).drop("line_number").cast(dict(COVID_SCHEMA))  # type: ignore[arg-type]


def _read_owid(path: Path) -> tuple[pl.DataFrame, pl.DataFrame]:
    records = read_csv_records(path, required=["location", "date"], expected="location,date,new_cases,total_cases")
    raw = records.frame
    frame = raw.select(
        "line_number",
        "raw",
        pl.col("location").str.strip_chars(),
        pl.col("date").str.strip_chars(),
        *[
            (pl.col(c).str.strip_chars() if c in raw.columns else pl.lit(None, pl.String)).alias(c)
            for c in ("new_cases", "total_cases")
        ],
    ).with_columns(
        _date=pl.col("date").str.to_date("%Y-%m-%d", strict=False),
        _new=_finite(pl.col("new_cases")),
        _total=_finite(pl.col("total_cases")),
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
    frame = _first_per_day(with_reasons(frame, checks))
    good = frame.filter(pl.col("reason").is_null()).select(
        "location",
        pl.col("_date").alias("date"),
        pl.col("_new").alias("new_cases"),
        pl.col("_total").alias("total_cases"),
        correction=(pl.col("_new") < 0).fill_null(False),
        line_number="line_number",
    )
    return good, _rejects(frame, path, records.rejects)


def _read_jhu(path: Path) -> tuple[pl.DataFrame, pl.DataFrame]:
    records = read_csv_records(
        path, required=["country/region"], expected="Province/State,Country/Region,Lat,Long,1/22/20,..."
    )
    raw = records.frame
    days = [c for c in raw.columns if _JHU_DATE.match(c)]
    if not days:
        raise InputError(f"{path}: line 1: no date columns like 1/22/20 (JHU CSSE wide format)")
    frame = raw.with_columns(pl.col("country/region").str.strip_chars().alias("location"))
    checks = [
        (
            "bad_number",
            pl.col(d).is_not_null() & _finite(pl.col(d)).is_null(),
            pl.lit(f"field {d}: '") + pl.col(d) + pl.lit("' is not a number"),
        )
        for d in days
    ]
    empty = pl.col("location").is_null() | (pl.col("location") == "")
    frame = with_reasons(frame, [("missing_value", empty, pl.lit("field Country/Region is empty")), *checks])
    good = frame.filter(pl.col("reason").is_null()).select(
        "location", *[_finite(pl.col(d)).fill_null(0.0).alias(d) for d in days]
    )
    long = jhu_wide_to_long(good, days).with_columns(line_number=pl.lit(None, pl.Int64))
    return long, _rejects(frame, path, records.rejects)


def with_reasons(frame: pl.DataFrame, checks: list[tuple[str, pl.Expr, pl.Expr]]) -> pl.DataFrame:
    """`reason` and `detail` of the first failing check of each row (null when none fails)."""
    reason, detail = pl.lit(None, pl.String), pl.lit(None, pl.String)
    for code, condition, text in reversed(checks):
        reason = pl.when(condition.fill_null(True)).then(pl.lit(code)).otherwise(reason)
        detail = pl.when(condition.fill_null(True)).then(text).otherwise(detail)
    return frame.with_columns(reason=reason, detail=detail)


def _first_per_day(frame: pl.DataFrame) -> pl.DataFrame:
    """A (location, date) seen again on a later line is rejected: the first row is the day's."""
    first = pl.col("line_number").min().over("location", "_date")
    repeated = pl.col("reason").is_null() & (pl.col("line_number") != first)
    return frame.with_columns(
        reason=pl.when(repeated).then(pl.lit("duplicate_date")).otherwise("reason"),
        detail=pl.when(repeated)
        .then(pl.lit("location and date already on line ") + first.cast(pl.String))
        .otherwise("detail"),
    )


def _finite(text: pl.Expr) -> pl.Expr:
    """A count from text: a finite number, else null."""
    number = text.str.strip_chars().cast(pl.Float64, strict=False)
    return pl.when(number.is_finite()).then(number)


def _rejects(frame: pl.DataFrame, path: Path, unreadable: pl.DataFrame) -> pl.DataFrame:
    rejected = frame.filter(pl.col("reason").is_not_null()).select(
        source_file=pl.lit(str(path)), line_number="line_number", reason="reason", detail="detail", raw="raw"
    )
    return pl.concat([unreadable, rejected.cast(REJECT_SCHEMA)]).sort("line_number")
