"""Customer models benchmark: every candidate on CDNOW (both targets) and on car.data, with train times.

Usage: .venv/bin/python -m benchmarks.ml [--car ../shared/data/car-evaluation/car.data]
Runs the CLI as a user would, each command timed whole (start-up, reading, tuning, scoring):
`footfall ml predict --cdnow --calibration-end 1997-12-31 --holdout-end 1998-06-30 --tune` (target:
under 2 minutes), `footfall ml segment --cdnow --until 1997-12-31 --holdout-until 1998-06-30`, and
`footfall ml tabular --csv car.data --target class|buying --tune`. Published CDNOW anchors (the
issue): majority 77.2 %; BG/NBD 82.06 % / AUROC 0.788 / log-loss 0.424; Pareto/NBD 81.94 % /
0.800 / 0.421. The buying target's ceiling is the best rule on the other columns (docs/ml.md#tabular).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks._common import table

CLI = [sys.executable, "-m", "footfall", "ml"]


def run(*args: str) -> tuple[dict[str, Any], float]:
    """The command's JSON and its wall time in seconds."""
    start = time.perf_counter()
    done = subprocess.run([*CLI, *args, "--format", "json"], capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"footfall ml {' '.join(args)} failed: {done.stderr.strip()}")
    return json.loads(done.stdout), seconds


def fmt(value: float | None, digits: int = 4) -> str:
    return "" if value is None else f"{value:.{digits}f}"


def prediction_rows(body: dict[str, Any]) -> list[list[object]]:
    rows: list[list[object]] = []
    for m in body["models"]:
        chosen = "✓" if body["best"][m["target"]] == m["model"] else ""
        auroc = (
            f"{fmt(m['auroc'])} [{fmt(m['intervals']['auroc'][0], 3)}, {fmt(m['intervals']['auroc'][1], 3)}]"
            if m["target"] == "returns"
            else ""
        )
        mae = (
            f"{fmt(m['mae'])} [{fmt(m['intervals']['mae'][0], 3)}, {fmt(m['intervals']['mae'][1], 3)}]"
            if m["target"] == "purchases"
            else ""
        )
        rows.append(
            [
                f"CDNOW {m['target']}",
                m["model"],
                chosen,
                auroc,
                fmt(m["log_loss"]),
                fmt(m["accuracy"]),
                mae,
                fmt(m["rmse"]),
                fmt(m["aggregate_error"], 3),
                f"{m['train_seconds']:.2f}",
            ]
        )
    return rows


def tabular_rows(body: dict[str, Any], target: str) -> list[list[object]]:
    rows: list[list[object]] = []
    for m in body["models"]:
        chosen = "✓" if body["best"] == m["model"] else ""
        accuracy = f"{m['cv_accuracy']:.4f} ± {m['cv_accuracy_std']:.4f}"
        rows.append(
            [
                f"car.data {target}",
                m["model"],
                chosen,
                "",
                "",
                accuracy,
                f"F1 {m['macro_f1']:.3f}",
                "",
                "",
                f"{m['train_seconds']:.2f}",
            ]
        )
    return rows


def returner_ceiling() -> list[list[object]]:
    """Rows for an upper bound, not a model: 5-fold CV on the holdout's own labels, features at 1997-12-31.

    Training on the very period it predicts, with every customer's history, is more than any honest
    model has; what it cannot separate, no model on these features can (docs/ml.md#prediction).
    """
    from datetime import date

    import numpy as np
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import log_loss, roc_auc_score
    from sklearn.model_selection import StratifiedKFold, cross_val_predict

    from footfall.ml.features import FEATURES, customer_features, holdout_targets
    from footfall.ml.sources import read_cdnow

    tx, cut = read_cdnow().frame, date(1997, 12, 31)
    features = customer_features(tx, until=cut)
    targets = holdout_targets(tx, after=cut, until=date(1998, 6, 30))
    y = features.join(targets, on="customer_id", how="left").fill_null(0.0)["purchases"].to_numpy() > 0
    x = features.select(FEATURES).to_numpy()
    folds = StratifiedKFold(5, shuffle=True, random_state=0)
    candidates = {
        "logistic (log features)": (LogisticRegression(max_iter=3000), np.log1p(np.clip(x, 0, None))),
        "gradient boosting": (
            HistGradientBoostingClassifier(learning_rate=0.05, min_samples_leaf=50, random_state=0),
            x,
        ),
    }
    rows: list[list[object]] = []
    for name, (model, inputs) in candidates.items():
        p = cross_val_predict(model, inputs, y, cv=folds, method="predict_proba")[:, 1]
        label = f"ceiling: {name}, CV on holdout labels"
        rows.append(["CDNOW returns", label, "", fmt(float(roc_auc_score(y, p))), fmt(float(log_loss(y, p)))])
        rows[-1] += ["", "", "", "", ""]
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    default_car = Path(__file__).resolve().parents[2] / "shared" / "data" / "car-evaluation" / "car.data"
    parser.add_argument("--car", type=Path, default=default_car)
    args = parser.parse_args()
    split = ["--calibration-end", "1997-12-31", "--holdout-end", "1998-06-30"]
    predicted, predict_s = run("predict", "--cdnow", *split, "--tune")
    segments, segment_s = run("segment", "--cdnow", "--until", "1997-12-31", "--holdout-until", "1998-06-30")
    rows = prediction_rows(predicted) + returner_ceiling()
    notes = []
    if args.car.is_file():
        for target in ("class", "buying"):
            body, seconds = run("tabular", "--csv", str(args.car), "--target", target, "--tune")
            rows += tabular_rows(body, target)
            notes.append(
                f"car.data {target}: ceiling {body['ceiling']:.4f} (best rule on the other columns); "
                f"majority {body['models'][0]['cv_accuracy']:.4f}; command {seconds:.1f} s"
            )
    else:
        notes.append(f"{args.car}: absent; car.data rows skipped")
    header = [
        "data / target",
        "model",
        "best",
        "AUROC [95 %]",
        "log-loss",
        "accuracy",
        "MAE [95 %]",
        "RMSE",
        "agg. error",
        "train s",
    ]
    print(
        table(
            "Customer models: CDNOW holdout 1998-01-01..06-30 (calibration to 1997-12-31); car.data by "
            "stratified 5-fold CV x 3",
            header,
            rows,
        )
    )
    print(
        f"CDNOW: {predicted['customers']:,} customers, {predicted['returners']:,} returned; majority "
        f"{predicted['majority_accuracy']:.2%}; `footfall ml predict --cdnow --tune` took {predict_s:.1f} s "
        "(target < 120 s)"
    )
    print(
        f"CDNOW segments: {segments['method']}, k={segments['k']}, silhouette {segments['silhouette']:.3f}, "
        f"stability ARI {segments['stability_ari']:.3f}, holdout eta2 {segments['holdout_eta2']:.4f} vs RFM "
        f"quintile cells {segments['rfm_baseline_eta2']:.4f}; command {segment_s:.1f} s"
    )
    for note in notes:
        print(note)


if __name__ == "__main__":
    main()
