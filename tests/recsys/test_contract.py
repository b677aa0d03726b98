"""The contract every model keeps, checked on random interactions: save/load round trip, batch == single,
seen items never recommended, the same data gives the same model."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings

from footfall.errors import InputError
from footfall.recsys.models import MODELS, Model, load_model, make_model
from tests.recsys.factories import interactions

T0 = datetime(2000, 1, 1, tzinfo=UTC)
SMALL = {"als": {"factors": 4, "iterations": 3}, "sequence-ease": {"l2": 5.0, "window": 3, "pop": 0.5, "days": 1.0}}
SMALL["sequence-rank"] = SMALL["sequence-ease"] | {"candidates": 4, "min_leaf": 1, "rounds": 5}  # trees that split


def _fit(name: str, events: pl.DataFrame) -> Model:
    return make_model(name, SMALL.get(name)).fit(events)


@pytest.mark.parametrize("name", list(MODELS))
@settings(max_examples=15, deadline=None)
@given(events=interactions())
def test_every_model_keeps_the_contract(
    name: str, events: pl.DataFrame, tmp_path_factory: pytest.TempPathFactory
) -> None:
    model = _fit(name, events)
    rows = np.arange(len(model.users))
    batch = model.score_users(rows)
    for row in rows:  # batch == single: the same numbers (a ranker's rank features turn float noise into flips)
        alone = model.score_users(np.array([row]))[0]
        if name == "als":  # factor products go through BLAS, whose kernels differ by batch size
            np.testing.assert_allclose(alone, batch[row], rtol=1e-5, atol=1e-6)
        else:
            np.testing.assert_array_equal(alone, batch[row])
    seen = events.group_by("user_id").agg("item_id")
    for user, items in seen.iter_rows():  # never recommends what the user has seen
        assert not set(model.recommend(user, 10).items) & set(items)
    path = tmp_path_factory.mktemp("m") / "m.npz"
    model.save(path)
    again = load_model(path)
    assert [again.recommend(u, 5) for u in (*model.users, "stranger")] == [
        model.recommend(u, 5) for u in (*model.users, "stranger")
    ]
    twin = _fit(name, events)  # deterministic: the same data gives the same scores
    np.testing.assert_array_equal(twin.score_users(rows), batch)


def test_models_are_registered_under_their_names() -> None:
    assert all(MODELS[name].name == name for name in MODELS)
    assert make_model("default").name in MODELS


@pytest.mark.parametrize("name", sorted(MODELS))
def test_a_misspelt_parameter_is_refused_not_stored(name: str) -> None:
    """`make_model("ease", {"lambda": 5})` once kept l2=500 silently and stored the typo."""
    with pytest.raises(InputError, match=f"unknown parameter 'lambda' for model {name}"):
        make_model(name, {"lambda": 5})
    model = make_model(name)
    assert set(model.params) == set(type(model).defaults)  # every parameter has its default, nothing else
