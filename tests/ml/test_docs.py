"""docs/ml.md names every `footfall ml` command and option, the routes, the assets, and the JSON keys."""

from __future__ import annotations

import re
from pathlib import Path

from typer.testing import CliRunner

from footfall.api.app import create_app
from footfall.cli.main import app

ROOT = Path(__file__).resolve().parents[2]
DOC = (ROOT / "docs" / "ml.md").read_text(encoding="utf-8")


def test_every_command_and_option_is_documented() -> None:
    for command in (["data", "cdnow"], ["segment"], ["predict"], ["tabular"]):
        help_text = CliRunner().invoke(app, ["ml", *command, "--help"], terminal_width=200).output
        assert f"footfall ml {' '.join(command)}" in DOC, command
        for option in set(re.findall(r"--[a-z][a-z-]+", help_text)) - {"--help"}:
            assert re.search(rf"(?<![\w-]){option}(?![\w-])", DOC), (command, option)


def test_routes_and_settings_are_documented(tmp_path: Path) -> None:
    paths = set(create_app(f"duckdb:///{tmp_path / 'w.duckdb'}").openapi()["paths"])
    for path in (
        "/segments/{customer_id}",
        "/predictions/{model}",
        "/api/charts/segments/sizes",
        "/api/charts/segments/profiles",
        "/api/charts/segments/calibration",
    ):
        assert path in paths and path in DOC, path
    assert "FOOTFALL_PROMOTE_TOLERANCE" in DOC
    dashboard = (ROOT / "docs" / "dashboard.md").read_text(encoding="utf-8")
    assert "segments/sizes" in dashboard and "Segments" in dashboard


def test_json_keys_of_the_issue_are_documented() -> None:
    for key in (
        "method",
        "k",
        "silhouette",
        "stability_ari",
        "segments",
        "holdout_eta2",
        "rfm_baseline_eta2",
        "auroc",
        "log_loss",
        "accuracy",
        "mae",
        "params",
        "train_seconds",
        "best",
        "cv_accuracy",
        "cv_accuracy_std",
        "macro_f1",
        "baseline_accuracy",
    ):
        assert re.search(rf"\b{key}\b", DOC), key
