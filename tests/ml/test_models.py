"""Prediction, segmentation and the tabular classifier on generated data: protocol, contracts and invariants."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from footfall.errors import InputError
from footfall.ml.models import CANDIDATES, fit_predictor, load_predictor
from footfall.ml.prediction import PredictParams, check_split, run_prediction
from footfall.ml.profiles import eta_squared, name_segment
from footfall.ml.segmentation import SegmentParams, segment_customers
from footfall.ml.tabular import TabularParams, read_table, run_tabular
from footfall.ml.transactions import parse_raw
from tests.ml.factories import START, factorial_table, simulate

CAL, END = START + timedelta(days=240), START + timedelta(days=419)


@pytest.fixture(scope="module")
def transactions() -> pl.DataFrame:
    raw = simulate(500, seed=1).with_columns(
        source_file=pl.lit("gen"), line_number=pl.int_range(2, pl.len() + 2), raw=pl.lit("")
    )
    return parse_raw(raw, source="generated").frame


@pytest.fixture(scope="module")
def run(transactions: pl.DataFrame):  # type: ignore[no-untyped-def]
    return run_prediction(transactions, params=PredictParams(calibration_end=CAL, holdout_end=END, bootstrap_rounds=20))


def test_every_candidate_is_scored_and_the_best_chosen_by_cv(run) -> None:  # type: ignore[no-untyped-def]
    assert {(m.target, m.model) for m in run.models} == {(t, n) for t, names in CANDIDATES.items() for n in names}
    for target in ("returns", "purchases"):
        scored = [m for m in run.models if m.target == target]
        assert run.best[target] == min(scored, key=lambda m: m.cv_score).model
    by = {(m.target, m.model): m for m in run.models}
    assert by["returns", "pareto-nbd"].auroc > 0.65 > by["returns", "majority"].auroc - 0.2
    assert by["returns", "pareto-nbd"].log_loss < by["returns", "majority"].log_loss
    low, high = by["returns", "logistic"].intervals["auroc"]
    assert low <= by["returns", "logistic"].auroc <= high
    assert run.customers == run.holdout.height and 0 < run.returners < run.customers


def test_a_predictor_round_trips_through_its_file(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    predictor = run.predictors["returns"]
    predictor.save(tmp_path / "m.skops")
    again = load_predictor(tmp_path / "m.skops")
    assert np.allclose(again.predict(run.holdout), predictor.predict(run.holdout))
    (tmp_path / "bad.skops").write_bytes(b"not a model")
    with pytest.raises(InputError, match="not a footfall model file"):
        load_predictor(tmp_path / "bad.skops")


def test_unknown_model_and_bad_splits_are_one_line_errors(transactions: pl.DataFrame) -> None:
    frame = transactions.head(10)
    with pytest.raises(InputError, match="unknown model 'knn' for target returns"):
        fit_predictor("knn", "returns", train=frame, labels=np.zeros(10), inputs=[], horizon_weeks=1.0)
    with pytest.raises(InputError, match="calibration_end 2030-01-01 is outside the data"):
        check_split(transactions, date(2030, 1, 1), date(2030, 6, 1))
    with pytest.raises(InputError, match=r"calibration_end .* is not before the holdout end"):
        check_split(transactions, CAL, CAL)
    with pytest.raises(InputError, match="must hold the horizon"):
        check_split(transactions, START + timedelta(days=40), END)


def test_segmentation_contract(transactions: pl.DataFrame) -> None:
    result = segment_customers(
        transactions, SegmentParams(until=CAL, holdout_until=END, k_range=(2, 4), stability_rounds=5, search_rounds=2)
    )
    body = result.to_json()
    assert set(body) == {"method", "k", "silhouette", "stability_ari", "segments", "holdout_eta2", "rfm_baseline_eta2"}
    assert 2 <= result.k <= 4 and len(result.segments) == result.k
    assert sum(s["size"] for s in result.segments) == result.assignments.height
    assert sum(s["profile"]["value_share"] for s in result.segments) == pytest.approx(1.0)
    assert 0 <= body["holdout_eta2"] <= 1 and -1 <= body["stability_ari"] <= 1
    assert all({"name", "size", "profile"} <= set(s) for s in result.segments)
    with pytest.raises(InputError, match="bad k 9"):
        segment_customers(transactions, SegmentParams(until=CAL, k=9))


@settings(max_examples=50, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 5), st.floats(0, 1e4)), min_size=2, max_size=60))
def test_eta_squared_is_a_share_of_variance(pairs: list[tuple[int, float]]) -> None:
    groups, y = np.array([g for g, _ in pairs]), np.array([v for _, v in pairs])
    value = eta_squared(groups, y)
    assert -1e-9 <= value <= 1 + 1e-9
    assert eta_squared(np.arange(len(y)), y) == pytest.approx(1.0 if y.std() > 0 else 0.0)
    assert eta_squared(np.zeros(len(y)), y) == pytest.approx(0.0)


@pytest.mark.parametrize(
    ("weeks", "name"),
    [(13, "active loyal top-spend"), (26, "cooling loyal top-spend"), (104, "lapsed loyal top-spend"),
     (104.1, "dormant loyal top-spend")],
)  # fmt: skip
def test_segment_names_tell_years_of_absence_from_months(weeks: float, name: str) -> None:
    overall = {"spend_p50": 10.0, "spend_p90": 100.0}
    assert name_segment({"recency_weeks": weeks, "frequency": 6, "total_spend": 100.0}, overall) == name


def test_tabular_on_a_full_factorial_table(tmp_path: Path) -> None:
    table = read_table(factorial_table(tmp_path / "car.data"))
    result = run_tabular(table, TabularParams(target="class", folds=3, repeats=1))
    by = {m["model"]: m for m in result.models}
    assert set(by) == {"majority", "logistic", "gbm", "random-forest"} and result.ceiling == 1.0
    assert by[result.best]["cv_accuracy"] >= 0.95 > by["majority"]["cv_accuracy"]
    assert all(m["baseline_accuracy"] == by["majority"]["cv_accuracy"] for m in result.models)
    assert np.asarray(result.confusion).sum() == table.height
    buying = run_tabular(table, TabularParams(target="buying", folds=3, repeats=1))
    # each (other columns) combination holds the 4 buying values once; class splits some: the ceiling is
    # the share of distinct (other columns, class) groups
    groups = table.select(pl.exclude("buying")).unique().height
    assert buying.ceiling == pytest.approx(groups / table.height)
    with pytest.raises(InputError, match="unknown target column 'colour'"):
        run_tabular(table, TabularParams(target="colour"))


def test_active_days_scores_only_the_customers_with_a_purchase_in_those_days(transactions: pl.DataFrame) -> None:
    params = PredictParams(calibration_end=CAL, holdout_end=END, bootstrap_rounds=0, active_days=60)
    active = run_prediction(transactions, params=params)
    everyone = run_prediction(transactions, params=replace(params, active_days=None))
    days = transactions.filter(pl.col("ts").dt.date() <= CAL).group_by("customer_id").agg(last=pl.col("ts").max())
    expected = days.filter(pl.col("last").dt.date() > CAL - timedelta(days=60))["customer_id"]
    assert sorted(active.holdout["customer_id"]) == sorted(expected)
    assert 0 < active.customers == len(expected) < everyone.customers
    # the lapsed customers dropped are the easy ones: fewer returners among them than among the active
    assert active.returners / active.customers > everyone.returners / everyone.customers
