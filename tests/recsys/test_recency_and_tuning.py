"""The default model (EASE on a recency-weighted history) and the validation-split grid search."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from footfall.recsys.evaluate import leave_last_out
from footfall.recsys.models import Ease, RecencyEase, load_model
from footfall.recsys.tuning import GRIDS, tune
from tests.recsys.factories import timed_events


def _random_events(seed: int, users: int = 25, items: int = 12, per_user: int = 6) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for u in range(users):
        for k, i in enumerate(rng.choice(items, per_user, replace=False)):
            rows.append((f"u{u}", f"i{i}", int(rng.integers(0, 10)) * 60 + k * int(rng.integers(1, 4000))))
    return timed_events(rows)


def test_the_latest_items_weigh_most() -> None:
    # item a goes with x, item b goes with y; the user saw a long ago and b just now
    rows = [(f"p{k}", "a", 0) for k in range(5)] + [(f"p{k}", "x", 1) for k in range(5)]
    rows += [(f"q{k}", "b", 0) for k in range(5)] + [(f"q{k}", "y", 1) for k in range(5)]
    rows += [("me", "a", 0), ("me", "b", 86_400)]
    events = timed_events(rows)
    recent = RecencyEase(params={"l2": 1.0, "tau": 60.0, "floor": 0.0}).fit(events)
    assert recent.recommend("me", 1).items == ["y"]
    plain = Ease(params={"l2": 1.0}).fit(events)
    both = plain.recommend("me", 2).items
    assert sorted(both) == ["x", "y"]  # without recency both count the same


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 10_000))
def test_no_decay_is_plain_ease(seed: int) -> None:
    events = _random_events(seed)
    plain = Ease(params={"l2": 5.0}).fit(events)
    flat = RecencyEase(params={"l2": 5.0, "tau": 1e12, "floor": 0.0}).fit(events)
    rows = np.arange(len(plain.users))
    np.testing.assert_allclose(flat.score_users(rows), plain.score_users(rows), rtol=1e-4, atol=1e-5)


@settings(max_examples=10, deadline=None)
@given(seed=st.integers(0, 10_000))
def test_ages_survive_save_and_load(tmp_path_factory: pytest.TempPathFactory, seed: int) -> None:
    model = RecencyEase(params={"l2": 5.0, "tau": 600.0, "floor": 0.05}).fit(_random_events(seed))
    path = tmp_path_factory.mktemp("m") / "m.npz"
    model.save(path)
    again = load_model(path)
    rows = np.arange(len(model.users))
    np.testing.assert_array_equal(again.age, model.age)
    np.testing.assert_allclose(again.score_users(rows), model.score_users(rows))
    # an age is the time from the pair's latest instant to the user's last interaction
    assert (model.age >= 0).all()
    assert all(model.age[model.seen.indptr[r] : model.seen.indptr[r + 1]].min() == 0 for r in rows)


def test_tuning_never_sees_the_test_interactions() -> None:
    events = _random_events(3, users=40, items=15, per_user=7)
    chosen = tune("ease", events)
    _, test = leave_last_out(events)
    # replace every held-out item with another: the search (on the training part only) must not notice
    changed = events.join(test.select("seq", new=pl.lit("i0")), on="seq", how="left").with_columns(
        item_id=pl.coalesce("new", "item_id")
    )
    assert tune("ease", changed.drop("new")) == chosen
    assert chosen.params in [params for params, _ in chosen.trials]
    assert len(chosen.trials) == len(GRIDS["ease"]["l2"])
    assert chosen.score == max(score for _, score in chosen.trials)


def test_tuning_the_temporal_protocol_and_bad_names() -> None:
    events = _random_events(5, users=40, items=15, per_user=7)
    chosen = tune("recency-ease", events, protocol="temporal")
    assert chosen.metric == "ndcg@20" and set(chosen.params) == {"l2", "tau", "floor"}
    assert tune("popularity", events).trials == [({}, tune("popularity", events).score)]
    with pytest.raises(Exception, match="bad protocol"):
        tune("ease", events, protocol="random")


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 10_000), model=st.sampled_from([Ease, RecencyEase]))
def test_precomputed_heavy_users_score_like_everyone(seed: int, model: type[Ease]) -> None:
    fitted = model(params={"l2": 5.0}).fit(_random_events(seed))
    fitted.HEAVY_ITEMS = 4  # most users here have 6 items: their single-user scores come from the cache
    rows = np.arange(len(fitted.users))
    batch = fitted.score_users(rows)
    assert fitted.heavy  # the cache is in use
    for r in rows:
        np.testing.assert_allclose(fitted.score_users(np.array([r]))[0], batch[r], rtol=1e-6)
