"""The ml families on the one registry mechanism: a loss gate (lower is better) on the same data only."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from footfall.errors import InputError
from footfall.ml.artifacts import SkopsArtifact
from footfall.ml.registry import Registration, describe_data, ml_registry, register_and_promote


def evaluation(loss: float, data: dict[str, object]) -> dict[str, object]:
    return {"protocol": "calibration-holdout", "data": data, "model": "logistic", "params": {}, "log_loss": loss}


def test_a_worse_loss_is_not_promoted_and_other_data_is_rescored(tmp_path: Path) -> None:
    frame = pl.DataFrame({"customer_id": ["a", "b"], "amount": [1.0, 2.0]})
    same = describe_data(frame, "t", calibration_end="2021-01-01", holdout_end="2021-06-30")
    assert describe_data(frame.reverse(), "t", calibration_end="2021-01-01", holdout_end="2021-06-30") == same
    other = describe_data(frame, "t", calibration_end="2021-02-01", holdout_end="2021-06-30")
    assert other["sha256"] != same["sha256"]  # another split is other data
    model = SkopsArtifact("logistic", {"note": "x"})
    promoting = Registration(models_root=tmp_path, promote=True)
    first, decision = register_and_promote("returns", model, evaluation(0.40, same), promoting)
    assert decision is not None and decision.promoted
    worse, decision = register_and_promote("returns", model, evaluation(0.45, same), promoting)
    assert decision is not None and not decision.promoted and "above 0.4000" in decision.reason
    better, decision = register_and_promote("returns", model, evaluation(0.39, same), promoting)
    assert decision is not None and decision.promoted
    calls: list[str] = []

    def rescore(name: str, params: dict[str, object]) -> float:
        calls.append(name)
        return 0.30

    elsewhere, decision = register_and_promote("returns", model, evaluation(0.35, other), promoting, rescore=rescore)
    assert calls == ["logistic"] and decision is not None and not decision.promoted  # 0.35 vs 0.30 there
    registry = ml_registry("returns", models_root=tmp_path)
    assert registry.current() == better and registry.versions() == sorted([first, worse, better, elsewhere])
    assert registry.evaluation(better)["log_loss"] == 0.39 and (tmp_path / "ml" / "returns" / "current").is_file()


def test_unknown_family_and_empty_registry(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="unknown model family 'churn'"):
        ml_registry("churn", models_root=tmp_path)
    with pytest.raises(InputError, match="no current model; train and promote one first"):
        ml_registry("segments", models_root=tmp_path).current()
