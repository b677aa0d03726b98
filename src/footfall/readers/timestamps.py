"""Vectorized ISO-8601 timestamp parsing to UTC instants, keeping the source's UTC offset.

Accepted: `YYYY-MM-DDTHH:MM:SS[.f{1,9}][Z|±HH:MM|±HHMM|±HH]` (`T`/`Z` in either case).
Instants have microsecond precision (the warehouses' precision); digits beyond the
microsecond are returned in `sub_micro_nanos` so that nothing of the source is lost.
"""

from __future__ import annotations

import polars as pl

from footfall.zones import check_time_zone

__all__ = [
    "COMMON_SHAPE",
    "TIMESTAMP_ERRORS",
    "common_shape_parts",
    "parse_timestamps",
    "utc_from_parts",
]

_ISO = (
    r"^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?"
    r"([Zz]|[+-]\d{2}(?::?\d{2})?)?$"
)
_US_PER_DAY = 86_400_000_000

TIMESTAMP_ERRORS = {
    "bad_timestamp": "is not an ISO-8601 timestamp like 2019-06-01T18:00:00.829+08:00",
    "invalid_date": "has no such calendar date",
    "invalid_time": "has a time of day out of range",
    "invalid_offset": "has a UTC offset out of range",
    "missing_offset": "has no UTC offset (add one, or name the zone its times are in as assume_tz)",
    "nonexistent_local_time": "does not exist in the assumed time zone (skipped by a DST change)",
    "out_of_range": "is outside the years 1 to 9999 once converted to UTC",
}
# the instants both warehouses and Python can hold: 0001-01-01T00:00:00Z to 9999-12-31T23:59:59.999999Z
_MIN_US, _MAX_US = -62_135_596_800_000_000, 253_402_300_799_999_999


def parse_timestamps(text: pl.Series, *, assume_tz: str | None = None) -> pl.DataFrame:
    """Parse ISO-8601 strings into `ts` (UTC, µs), `utc_offset_minutes`, `sub_micro_nanos`, `error`.

    `error` is null for a good timestamp, else a key of TIMESTAMP_ERRORS (the other columns
    are then null). Without an offset a timestamp is an error unless `assume_tz` names the
    zone its wall-clock time is in (ambiguous times in a DST fall-back take the earlier one).
    The common shape (`...SS[.f]Z` or `...SS[.f]±HH:MM`) takes a fast path of fixed-position
    slices; every other row goes through the general parser, which gives the same result.
    """
    fast = _parse_common(text)
    todo = fast["ts"].is_null()
    if not todo.any():
        return fast
    general = _parse_general(text.filter(todo), assume_tz=assume_tz)
    if general.height == len(text):
        return general
    index = pl.int_range(len(text), eager=True, dtype=pl.Int64)
    return (
        pl.concat(
            [fast.filter(~todo).with_columns(_i=index.filter(~todo)), general.with_columns(_i=index.filter(todo))]
        )
        .sort("_i")
        .drop("_i")
    )


# The common shape, exactly: 2-digit fields, legal hours/minutes/seconds (strptime checks dates).
COMMON_SHAPE = r"\d{4}-\d\d-\d\dT(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d(?:\.\d{1,9})?(?:Z|[+-](?:[01]\d|2[0-3]):[0-5]\d)"


def common_shape_parts(t: pl.Expr) -> dict[str, pl.Expr]:
    """For strings of COMMON_SHAPE: `naive` local datetime (null for a date that does not exist),
    `offset_min` and `frac_ns` (the fraction in nanoseconds)."""
    zulu = t.str.ends_with("Z")
    off = t.str.slice(-6)
    digits = t.str.slice(20, (t.str.len_bytes().cast(pl.Int64) - 20 - pl.when(zulu).then(1).otherwise(6)).clip(0))
    sign = pl.when(off.str.starts_with("-")).then(-1).otherwise(1)
    minutes = off.str.slice(1, 2).cast(pl.Int64, strict=False) * 60 + off.str.slice(4, 2).cast(pl.Int64, strict=False)
    return {
        "naive": t.str.slice(0, 19).str.strptime(pl.Datetime("us"), "%Y-%m-%dT%H:%M:%S", strict=False),
        "offset_min": pl.when(zulu).then(0).otherwise(sign * minutes),
        "frac_ns": digits.str.pad_end(9, "0").cast(pl.Int64, strict=False).fill_null(0),
    }


def utc_from_parts() -> dict[str, pl.Expr]:
    """`ts`, `utc_offset_minutes`, `sub_micro_nanos` from the columns of `common_shape_parts`."""
    utc_us = pl.col("naive").dt.epoch("us") + pl.col("frac_ns") // 1000 - pl.col("offset_min") * 60_000_000
    return {  # an instant out of range is left null: the general parser gives the reason
        "ts": pl.when(utc_us.is_between(_MIN_US, _MAX_US))
        .then(pl.from_epoch(utc_us, time_unit="us"))
        .dt.replace_time_zone("UTC"),
        "utc_offset_minutes": pl.col("offset_min").cast(pl.Int16),
        "sub_micro_nanos": (pl.col("frac_ns") % 1000).cast(pl.Int16),
    }


def _parse_common(text: pl.Series) -> pl.DataFrame:
    """Parse `YYYY-MM-DDTHH:MM:SS[.f{1,9}](Z|±HH:MM)` by position; other rows get a null `ts`."""
    t = pl.col("t")
    g = (
        text.rename("t")
        .to_frame()
        .with_columns(shape_ok=t.str.contains(f"^{COMMON_SHAPE}$"), **common_shape_parts(t))
        .with_columns(ok=(pl.col("shape_ok") & pl.col("naive").is_not_null()).fill_null(False))
    )
    return g.select(
        **{name: pl.when("ok").then(expr) for name, expr in utc_from_parts().items()},
        error=pl.lit(None, pl.String),
    )


def _parse_general(text: pl.Series, *, assume_tz: str | None) -> pl.DataFrame:
    """The full grammar, with a reason for every row that is not a timestamp."""
    g = (
        text.rename("t")
        .to_frame()
        .select(
            pl.col("t").str.extract_groups(_ISO).struct.rename_fields(["y", "mo", "d", "h", "mi", "s", "frac", "off"])
        )
        .unnest("t")
    )
    ints = [pl.col(c).cast(pl.Int64) for c in ("y", "mo", "d", "h", "mi", "s")]
    g = g.with_columns(*ints)
    frac_ns = pl.col("frac").str.pad_end(9, "0").cast(pl.Int64).fill_null(0)
    off = pl.col("off").str.replace(":", "", literal=True)
    off_sign = pl.when(off.str.head(1) == "-").then(-1).otherwise(1)
    off_h = off.str.slice(1, 2).cast(pl.Int64, strict=False)
    off_m = off.str.slice(3, 2).cast(pl.Int64, strict=False).fill_null(0)
    offset_min = (
        pl.when(off.str.to_uppercase() == "Z")
        .then(pl.lit(0, pl.Int64))
        .when(off.is_not_null())
        .then(off_sign * (off_h * 60 + off_m))
    )
    g = g.with_columns(
        frac_ns=frac_ns,
        offset_min=offset_min,
        offset_ok=off.is_null() | (off.str.to_uppercase() == "Z") | ((off_h <= 23) & (off_m <= 59)),
        date_ok=(pl.col("mo").is_between(1, 12)) & pl.col("d").is_between(1, _days_in_month()),
        time_ok=(pl.col("h") <= 23) & (pl.col("mi") <= 59) & (pl.col("s") <= 59),
    )
    local_us = (
        _days_from_civil() * _US_PER_DAY
        + (pl.col("h") * 3600 + pl.col("mi") * 60 + pl.col("s")) * 1_000_000
        + pl.col("frac_ns") // 1000
    )
    g = g.with_columns(local_us=local_us)
    if assume_tz is not None:
        check_time_zone(assume_tz, param="assume_tz")
        assumed = (
            pl.from_epoch(pl.col("local_us"), time_unit="us")
            .dt.replace_time_zone(assume_tz, ambiguous="earliest", non_existent="null")
            .dt.convert_time_zone("UTC")
            .dt.epoch("us")
        )
        g = g.with_columns(
            assumed_us=pl.when(pl.col("off").is_null() & pl.col("date_ok") & pl.col("time_ok")).then(assumed)
        ).with_columns(
            offset_min=pl.col("offset_min").fill_null((pl.col("local_us") - pl.col("assumed_us")) // 60_000_000)
        )
    else:
        g = g.with_columns(assumed_us=pl.lit(None, pl.Int64))
    error = (
        pl.when(pl.col("y").is_null())
        .then(pl.lit("bad_timestamp"))
        .when(~pl.col("date_ok"))
        .then(pl.lit("invalid_date"))
        .when(~pl.col("time_ok"))
        .then(pl.lit("invalid_time"))
        .when(~pl.col("offset_ok"))
        .then(pl.lit("invalid_offset"))
        .when(pl.col("off").is_null() & pl.lit(assume_tz is None))
        .then(pl.lit("missing_offset"))
        .when(pl.col("off").is_null() & pl.col("assumed_us").is_null())
        .then(pl.lit("nonexistent_local_time"))
        .when(~(pl.col("local_us") - pl.col("offset_min") * 60_000_000).is_between(_MIN_US, _MAX_US))
        .then(pl.lit("out_of_range"))
    )
    utc_us = pl.col("local_us") - pl.col("offset_min") * 60_000_000
    ok = error.is_null()
    return g.select(
        ts=pl.when(ok).then(pl.from_epoch(utc_us, time_unit="us").dt.replace_time_zone("UTC")),
        utc_offset_minutes=pl.when(ok).then(pl.col("offset_min")).cast(pl.Int16),
        sub_micro_nanos=pl.when(ok).then(pl.col("frac_ns") % 1000).cast(pl.Int16),
        error=error,
    )


def _days_in_month() -> pl.Expr:
    """Days in the month of columns `y`, `mo` (Gregorian, leap years included)."""
    y, mo = pl.col("y"), pl.col("mo")
    leap = ((y % 4 == 0) & (y % 100 != 0)) | (y % 400 == 0)
    return (
        pl.when(mo == 2).then(pl.when(leap).then(29).otherwise(28)).when(mo.is_in([4, 6, 9, 11])).then(30).otherwise(31)
    )


def _days_from_civil() -> pl.Expr:
    """Days since 1970-01-01 of the date in columns `y`, `mo`, `d` (proleptic Gregorian)."""
    y = pl.col("y") - (pl.col("mo") <= 2).cast(pl.Int64)
    era = y // 400
    yoe = y - era * 400
    mp = (pl.col("mo") + 9) % 12
    doy = (153 * mp + 2) // 5 + pl.col("d") - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146_097 + doe - 719_468
