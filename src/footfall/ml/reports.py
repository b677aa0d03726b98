"""A report per run that an analyst reads without the code: `report.md` with PNG plots beside it.

Each report says what data went in (and what was rejected, why), what was compared, how it was
measured, the figures, and what was chosen; definitions link to docs/ml.md in the repository.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl

from footfall.errors import InputError
from footfall.outputs import markdown_table

if TYPE_CHECKING:
    from footfall.ml.prediction import PredictionRun
    from footfall.ml.segmentation import Segmentation
    from footfall.ml.tabular import TabularResult
    from footfall.ml.transactions import Transactions

__all__ = ["write_prediction_report", "write_segment_report", "write_tabular_report"]


def _folder(path: Path) -> Path:
    if path.exists() and not path.is_dir():
        raise InputError(f"report {path}: exists and is not a folder; give a folder")
    path.mkdir(parents=True, exist_ok=True)
    return path


def _markdown_table(frame: pl.DataFrame) -> str:
    """Figures to 4 significant digits, null empty."""
    return markdown_table(frame, cell=lambda v: "" if v is None else f"{v:,.4g}" if isinstance(v, float) else str(v))


def _plot(path: Path, draw: Any) -> str:
    """Draw with matplotlib (no display) into `path`; returns the Markdown image link."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6.4, 4.0), dpi=100)
    draw(ax)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return f"![{path.stem}]({path.name})"


def _data_section(data: Transactions) -> str:
    counts = data.reject_counts()
    lines = [
        f"- source: {data.source}; rows read {data.read:,}, accepted {data.frame.height:,}, "
        f"rejected {data.rejects.height:,}"
    ]
    lines += [f"  - {reason}: {n:,}" for reason, n in counts.items()]
    if data.rejects.height:
        lines.append("- every rejected row, with its line, reason and raw text: `rejects.csv`")
    return "\n".join(lines)


def write_prediction_report(folder: Path, run: PredictionRun, data: Transactions, split: str) -> Path:
    """`report.md`, `calibration.png`, `rejects.csv` and `predictions.parquet` in `folder`."""
    from footfall.ml.outputs import prediction_table

    out = _folder(folder)
    data.rejects.write_csv(out / "rejects.csv")
    run.holdout.write_parquet(out / "predictions.parquet")
    curve = pl.DataFrame(run.calibration)

    def draw(ax: Any) -> None:
        ax.plot([0, 1], [0, 1], ls="--", color="#999", label="perfect")
        ax.plot(curve["predicted"], curve["observed"], marker="o", label=run.best["returns"])
        ax.set(xlabel="predicted P(return)", ylabel="observed share returning", title="Holdout calibration")
        ax.legend()

    text = f"""# Who comes back: prediction report

## Data
{_data_section(data)}
- split: {split}; {run.customers:,} customers, {run.returners:,} returned in the holdout
  (majority-class accuracy {run.majority_accuracy:.2%})

## Protocol
Supervised models learn from the calibration window only: features at calibration end minus the horizon,
labels in the horizon after it; model choice by cross-validation there (log-loss for returns, MAE for
counts); the holdout scores every candidate once. Definitions: docs/ml.md.

## Figures (holdout)
Returning (any purchase in the holdout):

{_markdown_table(prediction_table(run, "returns"))}

Purchases in the holdout (purchase days):

{_markdown_table(prediction_table(run, "purchases"))}

Chosen: returns → **{run.best["returns"]}**, purchases → **{run.best["purchases"]}**.

{_plot(out / "calibration.png", draw)}

Each customer's predicted probability and expected purchases: `predictions.parquet`.
"""
    (out / "report.md").write_text(text, encoding="utf-8")
    return out / "report.md"


def write_segment_report(folder: Path, result: Segmentation, data: Transactions, until: str) -> Path:
    """`report.md`, `segments.png`, `assignments.parquet` and `rejects.csv` in `folder`."""
    from footfall.ml.outputs import segment_table

    out = _folder(folder)
    data.rejects.write_csv(out / "rejects.csv")
    result.assignments.write_parquet(out / "assignments.parquet")
    table = segment_table(result)

    def draw(ax: Any) -> None:
        names = [str(n) for n in table["name"]]
        rows = list(range(len(names)))
        ax.barh([r - 0.2 for r in rows], table["customer_share"], height=0.4, label="share of customers")
        ax.barh([r + 0.2 for r in rows], table["value_share"], height=0.4, label="share of spend")
        ax.set_yticks(rows, names)
        ax.invert_yaxis()
        ax.set(xlabel="share", title="Segments: customers and spend")
        ax.legend()

    holdout = ""
    if result.holdout_eta2 is not None:
        holdout = (
            f"\nHoldout: segments explain η² = {result.holdout_eta2:.4f} of the variance of holdout spend; "
            f"classic RFM quintile cells {result.rfm_baseline_eta2:.4f}.\n"
        )
    text = f"""# Which customers we have: segmentation report

## Data
{_data_section(data)}
- features up to {until}: {len(result.assignments):,} customers

## Choice
Candidates (method, k) with their silhouette and bootstrap stability (adjusted Rand index):

{_markdown_table(pl.DataFrame(result.candidates))}

Chosen: **{result.method}, k = {result.k}** (silhouette {result.silhouette:.3f}, stability ARI
{result.stability_ari:.3f}). Rule: the largest k whose stability is at least 0.8 (docs/ml.md#segmentation).
{holdout}
## Segments
{_markdown_table(table)}

{_plot(out / "segments.png", draw)}

Every customer's segment: `assignments.parquet`.
"""
    (out / "report.md").write_text(text, encoding="utf-8")
    return out / "report.md"


def write_tabular_report(folder: Path, result: TabularResult, source: str, target: str) -> Path:
    """`report.md` and `importance.png` in `folder`."""
    from footfall.ml.outputs import tabular_table

    out = _folder(folder)
    imp = pl.DataFrame(result.importance)

    def draw(ax: Any) -> None:
        ax.barh([str(c) for c in imp["column"]], imp["accuracy_drop"], xerr=imp["std"])
        ax.invert_yaxis()
        ax.set(xlabel="accuracy drop when the column is shuffled", title=f"Permutation importance ({result.best})")

    header = "| actual \\ predicted | " + " | ".join(result.labels) + " |"
    rows = [
        f"| {label} | " + " | ".join(str(v) for v in row) + " |"
        for label, row in zip(result.labels, result.confusion, strict=True)
    ]
    text = f"""# Predicting `{target}`: tabular report

{source}: {result.rows:,} rows. Stratified repeated k-fold cross-validation (docs/ml.md#tabular).

{_markdown_table(tabular_table(result))}

Chosen: **{result.best}**. Ceiling: the best rule that sees exactly these columns is right on
{result.ceiling:.2%} of the rows (the commonest `{target}` of each distinct combination of the others).

## Confusion matrix (out of fold)
{header}
|{"---|" * (len(result.labels) + 1)}
{chr(10).join(rows)}

{_plot(out / "importance.png", draw)}
"""
    (out / "report.md").write_text(text, encoding="utf-8")
    return out / "report.md"
