"""ISO-8601 parsing (docs/data-contracts.md → HTTP access log: "ISO-8601 with a UTC offset ...
fractional seconds optional, 0 to 9 digits. A timestamp without an offset is a malformed
line unless the user passes --assume-tz")."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from footfall.errors import InputError
from footfall.readers.timestamps import _parse_general, parse_timestamps

instants = st.datetimes(min_value=datetime(1971, 1, 1), max_value=datetime(2100, 12, 31))
offsets = st.integers(min_value=-14 * 60, max_value=14 * 60)


def _format(local: datetime, offset_min: int, digits: int, nanos: int, style: str) -> str:
    frac = ""
    if digits:
        frac = "." + (f"{local.microsecond:06d}{nanos:03d}")[:digits]
    if style == "Z" and offset_min == 0:
        suffix = "Z"
    else:
        sign = "-" if offset_min < 0 else "+"
        hh, mm = divmod(abs(offset_min), 60)
        suffix = {
            "colon": f"{sign}{hh:02d}:{mm:02d}",
            "Z": f"{sign}{hh:02d}:{mm:02d}",
            "compact": f"{sign}{hh:02d}{mm:02d}",
        }[style]
    return local.strftime("%Y-%m-%dT%H:%M:%S") + frac + suffix


@settings(max_examples=300, deadline=None)
@given(
    local=instants,
    offset_min=offsets,
    digits=st.integers(0, 9),
    nanos=st.integers(0, 999),
    style=st.sampled_from(["colon", "Z", "compact"]),
)
def test_parses_to_the_same_instant_as_python(
    local: datetime, offset_min: int, digits: int, nanos: int, style: str
) -> None:
    text = _format(local, offset_min, digits, nanos, style)
    out = parse_timestamps(pl.Series([text])).row(0, named=True)
    keep = 10 ** (6 - min(digits, 6))
    expected_local = local.replace(microsecond=local.microsecond // keep * keep)
    expected = expected_local.replace(tzinfo=timezone(timedelta(minutes=offset_min))).astimezone(UTC)
    assert out["error"] is None
    assert out["ts"] == expected
    assert out["utc_offset_minutes"] == offset_min
    assert out["sub_micro_nanos"] == (int(f"{nanos:03d}"[: digits - 6]) * 10 ** (9 - digits) if digits > 6 else 0)


timestampish = st.text(alphabet="0123456789-T:.Z+ zt", min_size=0, max_size=32)


@settings(max_examples=500, deadline=None)
@given(
    texts=st.lists(
        st.one_of(
            timestampish,
            st.builds(
                lambda text, case: text.replace(case.upper(), case),  # `t` or `z` takes the general path
                st.builds(
                    _format, instants, offsets, st.integers(0, 9), st.integers(0, 999), st.sampled_from(["colon", "Z"])
                ),
                st.sampled_from(["", "t", "z"]),
            ),
        ),
        min_size=1,
        max_size=20,
    )
)
def test_fast_path_agrees_with_the_general_parser(texts: list[str]) -> None:
    series = pl.Series(texts, dtype=pl.String)
    assert parse_timestamps(series).equals(_parse_general(series, assume_tz=None))


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("not-a-timestamp", "bad_timestamp"),
        ("2019-13-45T00:00:00+00:00", "invalid_date"),
        ("2019-02-29T00:00:00+00:00", "invalid_date"),
        ("2019-08-27T25:07:05+00:00", "invalid_time"),
        ("2019-08-27T00:00:60Z", "invalid_time"),
        ("2019-08-27T00:07:05", "missing_offset"),
        ("2019-08-27T00:07:05+24:00", "invalid_offset"),
        ("2019-8-27T00:07:05Z", "bad_timestamp"),
        ("2019-08-27T00:07:05.1234567890Z", "bad_timestamp"),
    ],
)
def test_bad_timestamps_have_a_reason(text: str, error: str) -> None:
    assert parse_timestamps(pl.Series([text]))["error"][0] == error


def test_leap_day_is_a_date() -> None:
    out = parse_timestamps(pl.Series(["2020-02-29T23:59:59.999999999-00:30"])).row(0, named=True)
    assert out["ts"] == datetime(2020, 3, 1, 0, 29, 59, 999999, tzinfo=UTC)
    assert out["sub_micro_nanos"] == 999


def test_assume_tz_converts_wall_clock_time_with_daylight_saving() -> None:
    out = parse_timestamps(
        pl.Series(["2019-11-03T01:30:00", "2019-03-10T02:30:00", "2019-07-01T12:00:00+00:00"]),
        assume_tz="America/New_York",
    )
    assert out["ts"][0] == datetime(2019, 11, 3, 5, 30, tzinfo=UTC)  # ambiguous: the earlier (EDT)
    assert out["error"][1] == "nonexistent_local_time"  # skipped by the spring-forward
    assert out["ts"][2] == datetime(2019, 7, 1, 12, tzinfo=UTC)  # an explicit offset wins
    assert out["utc_offset_minutes"].to_list() == [-240, None, 0]


def test_unknown_zone_is_a_user_error() -> None:
    with pytest.raises(InputError, match="bad assume_tz 'Mars/Olympus': not an IANA time zone"):
        parse_timestamps(pl.Series(["2019-07-01T12:00:00"]), assume_tz="Mars/Olympus")
