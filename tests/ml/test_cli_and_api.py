"""`footfall ml …` end to end (CliRunner), the registry gate, and the API on a real `footfall serve` process."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from datetime import timedelta
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from typer.testing import CliRunner

from footfall.api.process import serve_in_background
from footfall.cli.main import app
from footfall.ml.features import FEATURES
from footfall.ml.registry import ml_registry
from tests.ml.factories import START, factorial_table, simulate, write_transactions

CAL, END = (START + timedelta(days=240)).isoformat(), (START + timedelta(days=419)).isoformat()


@pytest.fixture(scope="module")
def tx_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    rows = simulate(300, seed=2)
    bad = pl.DataFrame(
        {
            "customer_id": ["zz", "zz"],
            "date": ["not a date", "2021-02-01"],
            "amount": ["3", "-1"],
            "quantity": ["1", "1"],
        }
    )
    return write_transactions(tmp_path_factory.mktemp("tx") / "tx.csv", pl.concat([rows, bad]))


def invoke(*args: str) -> Any:
    result = CliRunner().invoke(app, ["ml", *args])
    return result


def predict_args(tx_file: Path, registry: Path) -> list[str]:
    """`ml predict` on the shared calibration / holdout split of `tx_file`, promoting into `registry`."""
    split = ["--calibration-end", CAL, "--holdout-end", END]
    return ["predict", "--transactions", str(tx_file), *split, "--registry", str(registry), "--promote"]


def test_data_cdnow_writes_the_sample(tmp_path: Path) -> None:
    out = tmp_path / "cdnow.csv"
    result = invoke("data", "cdnow", "--sample", "--out", str(out))
    assert result.exit_code == 0, result.output
    frame = pl.read_csv(out)
    assert frame.columns == ["customer_id", "date", "quantity", "amount"] and frame.height == 6919 - 29
    rejects = pl.read_csv(tmp_path / "cdnow.rejects.csv")
    assert set(rejects["reason"]) == {"duplicate", "non_positive_amount"} and rejects.height == 29


def test_predict_json_report_register_and_promote(tx_file: Path, tmp_path: Path) -> None:
    registry = tmp_path / "models"
    args = [*predict_args(tx_file, registry), "--format", "json", "--report", str(tmp_path / "report")]
    result = invoke(*args)
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert set(body["best"]) == {"returns", "purchases"}
    for model in body["models"]:
        assert {"model", "target", "auroc", "log_loss", "accuracy", "mae", "params", "train_seconds"} <= set(model)
    assert "rejected 2 (bad_date 1, non_positive_amount 1)" in " ".join(result.stderr.split())
    report = (tmp_path / "report" / "report.md").read_text()
    assert "![calibration](calibration.png)" in report and (tmp_path / "report" / "calibration.png").stat().st_size
    assert ml_registry("returns", models_root=registry).current().endswith(body["best"]["returns"])
    again = invoke(*args)  # the same recipe on the same data: not worse, so promoted again
    assert again.exit_code == 0 and "promoted" in again.stderr


def test_bad_dates_and_sources_are_one_line_errors(tx_file: Path) -> None:
    outside = invoke(
        "predict", "--transactions", str(tx_file), "--calibration-end", "2030-01-01", "--holdout-end", "2030-06-01"
    )
    # each error names the option the user typed (the library's name elsewhere: docs/ml.md)
    assert outside.exit_code == 2 and "--calibration-end 2030-01-01 is outside the data" in outside.output
    assert "Traceback" not in outside.output
    after = invoke("predict", "--transactions", str(tx_file), "--calibration-end", END, "--holdout-end", CAL)
    assert after.exit_code == 2 and f"--calibration-end {END} is not before the holdout end" in after.output
    both = invoke("segment", "--cdnow", "--transactions", str(tx_file), "--until", CAL)
    assert both.exit_code == 2 and "exactly one source" in both.output
    garbage = invoke("segment", "--transactions", str(tx_file), "--until", "soon")
    assert garbage.exit_code == 2 and "bad --until 'soon'" in garbage.output
    backwards = invoke("segment", "--transactions", str(tx_file), "--until", END, "--holdout-until", CAL)
    assert backwards.exit_code == 2 and f"--holdout-until {CAL} is not after --until {END}" in backwards.output


def test_tabular_json(tmp_path: Path) -> None:
    path = factorial_table(tmp_path / "car.data")
    result = invoke("tabular", "--csv", str(path), "--target", "class", "--format", "json")
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert {"models", "best", "ceiling"} <= set(body)
    for model in body["models"]:
        assert {"model", "cv_accuracy", "cv_accuracy_std", "macro_f1", "baseline_accuracy"} <= set(model)
    missing = invoke("tabular", "--csv", str(path), "--target", "price")
    assert missing.exit_code == 2 and "unknown target column 'price'" in missing.output


def _call(base: str, path: str, body: object | None = None) -> tuple[int, dict[str, Any]]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(base + path, data=data, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def test_the_api_serves_segments_and_predictions(tx_file: Path, tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    registry = data_dir / "models"
    segment = invoke(
        "segment", "--transactions", str(tx_file), "--until", CAL, "--k", "3", "--registry", str(registry), "--promote"
    )
    assert segment.exit_code == 0, segment.output
    predict = invoke(*predict_args(tx_file, registry))
    assert predict.exit_code == 0, predict.output
    assignments = ml_registry("segments", models_root=registry).table(
        ml_registry("segments", models_root=registry).current(), "assignments"
    )
    known = assignments.row(0, named=True)
    url = f"duckdb:///{tmp_path / 'w.duckdb'}"
    assert CliRunner().invoke(app, ["migrate", "--warehouse", url]).exit_code == 0
    with serve_in_background(url, env={"FOOTFALL_DATA_DIR": str(data_dir)}) as base:
        status, body = _call(base, f"/segments/{known['customer_id']}")
        assert status == 200 and body["segment"] == known["segment"] and body["name"] == known["name"]
        status, body = _call(base, "/segments/nobody")
        assert status == 404 and "nobody" in body["error"]
        row = {c: float(known[c]) for c in FEATURES}  # a request row: the models' feature columns
        status, body = _call(base, "/predictions/returns", [row, {**row, "frequency": 0.0}])
        assert status == 200 and len(body["predictions"]) == 2
        assert all(0 <= p <= 1 for p in body["predictions"])
        status, body = _call(base, "/predictions/returns", [{**row, "frequency": "many"}])
        assert status == 422 and body["error"].startswith("rows[0].frequency: must be a finite number")
        status, body = _call(base, "/predictions/returns", [{**row, "colour": 1}])
        assert status == 422 and body["error"].startswith("rows[0].colour: unknown column")
        status, body = _call(base, "/predictions/purchases", [row])
        assert status == 200 and body["predictions"][0] >= 0
        status, body = _call(base, "/api/charts/segments/sizes")
        assert status == 200 and len(body["rows"]) == 3
        status, body = _call(base, "/api/charts/segments/calibration")
        assert status == 200 and len(body["rows"]) == 10
        with urllib.request.urlopen(base + "/segments", timeout=30) as page:
            assert page.status == 200 and b"/api/charts/segments/sizes" in page.read()
