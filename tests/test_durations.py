"""Durations for --gap and similar options."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from footfall.durations import format_duration, parse_duration
from footfall.errors import InputError


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("5m", 300), ("300s", 300), ("1h30m", 5400), ("250ms", 0.25), ("1d", 86400), (" 2H ", 7200), ("1.5m", 90)],
)
def test_parses_units(text: str, seconds: float) -> None:
    assert parse_duration(text) == timedelta(seconds=seconds)


@pytest.mark.parametrize("text", ["", "5", "5 minutes", "m5", "-5m", "0s", "5m5", "1y"])
def test_rejects_what_is_not_a_duration(text: str) -> None:
    with pytest.raises(InputError, match="bad gap"):
        parse_duration(text)


@given(st.integers(min_value=1, max_value=10**11))
def test_format_round_trips(micros: int) -> None:
    value = timedelta(microseconds=micros)
    assert parse_duration(format_duration(value)) == value
