"""The covid19api layout (CSV, or JSON: an array of objects) of cumulative COVID-19 counts.

`ID,Country,CountryCode,Province,City,CityCode,Lat,Lon,Confirmed,Deaths,Recovered,Active,Date`;
only `Country`, `Province`, `Confirmed` and `Date` are read. A country's national row (empty
`Province`) is its figure for the day; without one, its provinces' rows are summed. The result is
the cumulative `total_cases` per country and day, for `covid.daily_from_cumulative`.
"""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl

from footfall.readers.csv_records import read_csv_records
from footfall.readers.json_arrays import array_layout, iter_array_objects
from footfall.readers.lines import REJECT_SCHEMA, iter_parsed

__all__ = ["is_covid19api", "read_covid19api"]

_FIELDS = ("country", "province", "confirmed", "date")


def is_covid19api(header: str) -> bool:
    """Whether a CSV header (lower-cased) is covid19api's."""
    names = {name.strip() for name in header.split(",")}
    return {"country", "confirmed", "date"} <= names


def read_covid19api(path: Path, *, json: bool) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(`location, date, total_cases, line_number` per country and day, rejects)."""
    frame, unreadable = _json_records(path) if json else _csv_records(path)
    checked = _checked(frame)
    good = checked.filter(pl.col("reason").is_null())
    national = good.filter(pl.col("province").is_null()).select("location", "_date").unique()
    kept = good.join(national.with_columns(_national=pl.lit(True)), on=["location", "_date"], how="left").filter(
        pl.col("province").is_null() | pl.col("_national").is_null()
    )
    rows = kept.group_by("location", "_date").agg(
        total_cases=pl.col("_confirmed").sum(), line_number=pl.col("line_number").min()
    )
    rejected = checked.filter(pl.col("reason").is_not_null()).select(
        source_file=pl.lit(str(path)), line_number="line_number", reason="reason", detail="detail", raw="raw"
    )
    rejects = pl.concat([unreadable, rejected.cast(REJECT_SCHEMA)]).sort("line_number")
    return rows.select("location", pl.col("_date").alias("date"), "total_cases", "line_number"), rejects


def _csv_records(path: Path) -> tuple[pl.DataFrame, pl.DataFrame]:
    records = read_csv_records(
        path, required=["country", "confirmed", "date"], expected="...,Country,...,Confirmed,...,Date"
    )
    frame = records.frame
    return frame.select(
        "line_number",
        "raw",
        *[(pl.col(f) if f in frame.columns else pl.lit(None, pl.String)).alias(f) for f in _FIELDS],
    ), records.rejects


def _json_records(path: Path) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Each object of the array as the text columns of a CSV record (nothing else read)."""

    def parse(
        lines: pl.Series, source_file: str, line_numbers: pl.Series | None = None, array: bool = True
    ) -> tuple[pl.DataFrame, pl.DataFrame]:
        numbers = line_numbers if line_numbers is not None else pl.int_range(1, len(lines) + 1, eager=True)
        rows, bad = [], []
        for number, text in zip(numbers.to_list(), lines.to_list(), strict=True):
            record = text.strip().removesuffix(",")
            if array and record in ("[", "]", "],", ""):
                continue
            values = _object(record)
            if values is None:
                bad.append(
                    (
                        source_file,
                        number,
                        "invalid_json",
                        "the line is not a JSON object of the covid19api layout",
                        record[:1000],
                    )
                )
            else:
                rows.append({"line_number": number, "raw": record, **values})
        schema = {"line_number": pl.Int64, "raw": pl.String, **dict.fromkeys(_FIELDS, pl.String)}
        return pl.DataFrame(rows, schema=schema), pl.DataFrame(bad, schema=REJECT_SCHEMA, orient="row")

    if array_layout(path) == "pretty":
        batches = list(iter_array_objects(path, parse))
    else:
        batches = list(iter_parsed([path], lambda lines, source: parse(lines, source, None, True)))
    frames = [b.events.drop("seq", strict=False) for b in batches]
    schema = {"line_number": pl.Int64, "raw": pl.String, **dict.fromkeys(_FIELDS, pl.String)}
    return pl.concat(frames) if frames else pl.DataFrame(schema=schema), pl.concat(
        [b.rejects for b in batches] or [pl.DataFrame(schema=REJECT_SCHEMA)]
    )


def _object(text: str) -> dict[str, str | None] | None:
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        return None
    if not isinstance(value, dict):
        return None
    lowered = {str(k).lower(): v for k, v in value.items()}
    fields = {f: None if lowered.get(f) in (None, "") else str(lowered[f]) for f in _FIELDS}
    return None if any("\x00" in v for v in fields.values() if v) else fields


def _checked(frame: pl.DataFrame) -> pl.DataFrame:
    """`location`, `_date`, `_confirmed` parsed, and `reason`/`detail` for rows that cannot be used."""
    from footfall.readers.covid import with_reasons

    confirmed = pl.col("confirmed").str.strip_chars().cast(pl.Float64, strict=False)
    day = pl.col("date").str.strip_chars().str.slice(0, 10).str.to_date("%Y-%m-%d", strict=False)
    parsed = frame.with_columns(
        location=pl.col("country").str.strip_chars(),
        province=pl.col("province").str.strip_chars().replace("", None),
        _date=day,
        _confirmed=pl.when(confirmed.is_finite() & (confirmed >= 0)).then(confirmed),
    )
    checks = [
        ("missing_value", pl.col("location").is_null() | (pl.col("location") == ""), pl.lit("field Country is empty")),
        (
            "bad_date",
            pl.col("_date").is_null(),
            pl.lit("field Date: '") + pl.col("date").fill_null("") + pl.lit("' is not a date"),
        ),
        (
            "bad_number",
            pl.col("_confirmed").is_null(),
            pl.lit("field Confirmed: '") + pl.col("confirmed").fill_null("") + pl.lit("' is not a count"),
        ),
    ]
    checked = with_reasons(parsed, checks)
    first = pl.col("line_number").min().over("location", "province", "_date")
    repeated = pl.col("reason").is_null() & (pl.col("line_number") != first)
    return checked.with_columns(
        reason=pl.when(repeated).then(pl.lit("duplicate_date")).otherwise("reason"),
        detail=pl.when(repeated)
        .then(pl.lit("place and date already on line ") + first.cast(pl.String))
        .otherwise("detail"),
    )
