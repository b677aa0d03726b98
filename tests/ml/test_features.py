"""Features use nothing after the calibration end: perturbing later data never moves them."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from footfall.ml.features import customer_features, holdout_targets

CUT = date(2021, 6, 30)


def frame(rows: list[tuple[str, datetime, float]]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "customer_id": [r[0] for r in rows],
            "ts": [r[1] for r in rows],
            "amount": [r[2] for r in rows],
            "quantity": [1] * len(rows),
        },
        schema={"customer_id": pl.String, "ts": pl.Datetime("us", "UTC"), "amount": pl.Float64, "quantity": pl.Int64},
    )


def test_definitions_on_a_small_example() -> None:
    rows = [
        ("a", datetime(2021, 1, 1, 9, tzinfo=UTC), 10.0),
        ("a", datetime(2021, 1, 1, 18, tzinfo=UTC), 5.0),
        ("a", datetime(2021, 1, 15, tzinfo=UTC), 20.0),
        ("a", datetime(2021, 6, 30, 23, 59, tzinfo=UTC), 30.0),
    ]
    a = customer_features(frame(rows), until=CUT).row(0, named=True)
    assert a["frequency"] == 2  # three purchase days: the first and two repeats (same-day rows count once)
    assert a["recency"] == pytest.approx((date(2021, 6, 30) - date(2021, 1, 1)).days / 7)
    assert a["T"] == a["recency"] and a["weeks_since_last"] == 0
    assert a["monetary"] == pytest.approx(65 / 3) and a["total_spend"] == 65
    assert a["ipt_mean"] == pytest.approx((14 + 166) / 2 / 7) and a["purchases_13w"] == 1


instants = st.datetimes(min_value=datetime(2021, 1, 1), max_value=datetime(2022, 6, 30)).map(
    lambda d: d.replace(tzinfo=UTC)
)
transaction = st.tuples(st.sampled_from(["a", "b", "c", "d"]), instants, st.floats(0.5, 500))


@settings(max_examples=80, deadline=None)
@given(
    rows=st.lists(transaction, min_size=1, max_size=40),
    shift=st.integers(1, 400),
    extra=st.lists(transaction, max_size=10),
    scale=st.floats(0.1, 10),
)
def test_later_data_never_moves_a_feature(
    rows: list[tuple[str, datetime, float]], shift: int, extra: list[tuple[str, datetime, float]], scale: float
) -> None:
    cut_end = datetime(2021, 6, 30, 23, 59, 59, 999999, tzinfo=UTC)
    if not any(ts <= cut_end for _, ts, _ in rows):
        return
    before = customer_features(frame(rows), until=CUT)
    later = [(c, ts + timedelta(days=shift), a * scale) if ts > cut_end else (c, ts, a) for c, ts, a in rows]
    added = [
        (c, cut_end + (ts - datetime(2021, 1, 1, tzinfo=UTC)) + timedelta(microseconds=1), a) for c, ts, a in extra
    ]
    after = customer_features(frame(later + added), until=CUT)
    assert before.equals(after)


def test_holdout_targets_count_purchase_days_after_the_cut() -> None:
    rows = [
        ("a", datetime(2021, 6, 30, 23, tzinfo=UTC), 1.0),
        ("a", datetime(2021, 7, 1, 1, tzinfo=UTC), 2.0),
        ("a", datetime(2021, 7, 1, 5, tzinfo=UTC), 3.0),
        ("b", datetime(2021, 9, 1, tzinfo=UTC), 4.0),
    ]
    got = holdout_targets(frame(rows), after=CUT, until=date(2021, 8, 31))
    assert got.rows() == [("a", 1.0, 5.0)]
