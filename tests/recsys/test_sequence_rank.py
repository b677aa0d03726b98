"""`sequence-rank`: a learned ranker re-orders stage 1's candidates, learns what stage 1 cannot see, and
only ever moves stage 1's own candidates."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from footfall.errors import InputError
from footfall.recsys.models import SequenceEase, SequenceRank, make_model
from footfall.recsys.rerank import STAGE1
from footfall.recsys.trees import Trees
from tests.recsys.factories import interactions

T0 = datetime(2000, 1, 1, tzinfo=UTC)


def _good_comes_last(users: int = 400, seed: int = 0) -> pl.DataFrame:
    """40 items, 20 "good" (weight 5) and 20 "bad" (weight 1); every user sees 4 of each, one a day, in a random
    order except that the last one is always good. Stage 1 ignores weights and, with as many good as bad
    interactions in random order, cannot tell the two apart; the items' mean weight can."""
    rng = np.random.default_rng(seed)
    rows = []
    for user in range(users):
        good = rng.choice(20, 4, replace=False)
        bad = rng.choice(20, 4, replace=False) + 20
        earlier = rng.permutation(np.r_[good[1:], bad])
        for day, item in enumerate([*earlier.tolist(), int(good[0])]):
            rows.append((f"u{user}", f"i{item:02d}", 5.0 if item < 20 else 1.0, T0 + timedelta(days=day)))
    return pl.DataFrame(
        {
            "user_id": [r[0] for r in rows],
            "item_id": [r[1] for r in rows],
            "weight": [r[2] for r in rows],
            "ts": [r[3] for r in rows],
            "seq": list(range(len(rows))),
        }
    )


def _share_good(model: SequenceEase | SequenceRank, users: list[str]) -> float:
    tops = [model.recommend(user, 3).items for user in users]
    return float(np.mean([int(item[1:]) < 20 for items in tops for item in items]))


def test_the_ranker_learns_what_stage_one_cannot_see() -> None:
    events = _good_comes_last()
    params = {"candidates": 32, "folds": 1, "min_leaf": 20, "rounds": 30}
    ranked = make_model("sequence-rank", params).fit(events)
    assert isinstance(ranked, SequenceRank) and ranked.ranker is not None
    stage1 = make_model("sequence-ease", {k: ranked.params[k] for k in STAGE1}).fit(events)
    assert isinstance(stage1, SequenceEase)
    users = [f"u{u}" for u in range(100)]
    assert _share_good(stage1, users) < 0.7  # stage 1: about as many bad as good
    assert _share_good(ranked, users) > 0.95  # the ranker learnt that what comes next is good


@settings(max_examples=15, deadline=None)
@given(events=interactions(users=30, items=12, min_size=40, max_size=150, weighted=True), candidates=st.integers(1, 6))
def test_only_stage_ones_candidates_move_and_the_rest_keep_its_order(events: pl.DataFrame, candidates: int) -> None:
    model = make_model("sequence-rank", {"candidates": candidates, "min_leaf": 1, "rounds": 5}).fit(events)
    assert isinstance(model, SequenceRank)
    for user in model.users[:10]:
        ranked = model.recommend(user, 12).items
        first = model.stage1.recommend(user, 12).items  # stage 1 as served: the same weights and histories
        assert sorted(ranked[:candidates]) == sorted(first[:candidates])
        assert ranked[candidates:] == first[candidates:]


def test_a_user_alone_gets_the_numbers_a_batch_gives_even_at_a_tie() -> None:
    """Found by the contract test: u2's two unseen items tie exactly in the binary-history EASE^R; one user
    alone once summed the transition term in another order, float noise broke the tie the other way and the
    rank feature built on it moved the ranker's scores by 0.005. Alone and in a batch are one computation."""
    rows = [("u1", "i3"), ("u2", "i3"), ("u1", "i0"), ("u1", "i0"), ("u1", "i2"), ("u2", "i1"), ("u2", "i3")]
    events = pl.DataFrame(
        {"user_id": [u for u, _ in rows] + ["u1"], "item_id": [i for _, i in rows] + ["i1"], "weight": 1.0}
    ).with_columns(ts=pl.lit(T0), seq=pl.int_range(pl.len()))
    params = {"l2": 5.0, "window": 3, "pop": 0.5, "days": 1.0, "candidates": 4, "min_leaf": 1, "rounds": 5}
    model = make_model("sequence-rank", params).fit(events)
    batch = model.score_users(np.arange(2))
    np.testing.assert_array_equal(model.score_users(np.array([1]))[0], batch[1])


def test_it_refuses_what_it_cannot_learn_from() -> None:
    events = _good_comes_last(users=5)
    with pytest.raises(InputError, match="needs each interaction's ts and weight"):
        make_model("sequence-rank").fit(events.drop("weight"))
    with pytest.raises(InputError, match="floor > 0"):
        make_model("sequence-rank", {"floor": 0.0})
    few = pl.DataFrame(
        {"user_id": ["u0", "u0", "u1"], "item_id": ["a", "b", "c"], "weight": 1.0, "seq": [0, 1, 2]}
    ).with_columns(ts=pl.lit(T0))
    alone = make_model("sequence-rank").fit(few)  # u0's last item, b, is new to the fold: nothing to learn from
    assert isinstance(alone, SequenceRank) and alone.ranker is None
    assert alone.recommend("u1", 3).items == ["a", "b"]  # stage 1's order


@settings(max_examples=20, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    leaves=st.integers(2, 15),
    missing=st.sampled_from([0.0, 0.1, 0.5]),
    zeros=st.booleans(),
)
def test_the_numpy_trees_predict_as_lightgbm_does(seed: int, leaves: int, missing: float, zeros: bool) -> None:
    """Serving reads the ranker's text without LightGBM: the same raw scores, NaN and zero branches included."""
    import lightgbm as lgb

    rng = np.random.default_rng(seed)
    x = rng.normal(size=(600, 4)).astype(np.float32)  # as the features are
    x[rng.random(x.shape) < missing] = np.nan
    if zeros:
        x[rng.random(x.shape) < 0.2] = 0.0
    y = (np.nan_to_num(x[:, 0]) + rng.normal(size=600) > 0.5).astype(float)
    settings = {"objective": "lambdarank", "num_leaves": leaves, "min_data_in_leaf": 5, "verbosity": -1}
    settings |= {"zero_as_missing": zeros, "seed": seed}
    booster = lgb.train(settings, lgb.Dataset(x, y, group=[30] * 20), num_boost_round=8)
    fresh = rng.normal(size=(200, 4)).astype(np.float32)
    fresh[rng.random(fresh.shape) < 0.1] = 0.0
    holes = fresh.copy()
    holes[rng.random(fresh.shape) < 0.2] = np.nan
    trees = Trees.parse(booster.model_to_string())
    assert len(fresh) < Trees.WALK_ROWS <= len(x)  # a few rows walk the trees, a batch selects leaves
    for rows in (x, fresh, holes, np.vstack([holes, fresh])):  # both ways, with and without missing values
        np.testing.assert_array_equal(trees.predict(rows), booster.predict(rows))
