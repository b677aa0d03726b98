"""`footfall ml …`: customer segmentation and prediction on transactions, and a tabular classifier (docs/ml.md)."""

from __future__ import annotations

import enum
import json
import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from footfall.cli._common import command_group, console, err_console, print_frame
from footfall.cli.registry_commands import ml_promote, ml_versions

if TYPE_CHECKING:
    from footfall.ml.pipeline import TransactionSource
    from footfall.ml.registry import Registration
    from footfall.recsys.registry import Promotion

app = command_group("Customer segmentation and prediction, and a tabular classifier.")
data_app = command_group("Write a data set's transactions to a file.")
app.add_typer(data_app, name="data")
app.command("versions")(ml_versions)
app.command("promote")(ml_promote)


class Format(enum.StrEnum):
    """How a result is printed."""

    TABLE = "table"
    JSON = "json"


def _unless_given(flag: str, help: str) -> Any:
    """An option that is None unless given (so --help shows no default)."""
    return typer.Option(flag, help=help, show_default=False)


CdnowOption = Annotated[bool, typer.Option("--cdnow", help="CDNOW's 69,659 transactions (from the lifetimes wheel).")]
FileOption = Annotated[
    Path | None, _unless_given("--transactions", "CSV or Parquet: customer_id, date, amount[, quantity].")
]
WarehouseSource = Annotated[
    str | None, _unless_given("--warehouse", "Read the warehouse at this URL (vouchers, shop orders, rewards issued).")
]
CustomersOption = Annotated[
    Path | None,
    _unless_given(
        "--customers",
        "With --transactions: the known customers (customer_id column); others are rejected as unknown_customer.",
    ),
]
FormatOption = Annotated[Format, typer.Option("--format", help="table or json.")]
ReportOption = Annotated[Path | None, _unless_given("--report", "Write report.md with PNG plots into this folder.")]
RegistryOption = Annotated[
    Path | None,
    _unless_given("--registry", "Model registry root (default: FOOTFALL_DATA_DIR/models; ml models go in ml/)."),
]
RegisterOption = Annotated[bool, typer.Option("--register", help="Store the chosen model as a new registry version.")]
PromoteOption = Annotated[
    bool,
    typer.Option(
        "--promote",
        help="Register, and make it current unless worse than the current version on the "
        "same data (FOOTFALL_PROMOTE_TOLERANCE).",
    ),
]
ForceOption = Annotated[bool, typer.Option("--force", help="Promote even when worse (implies --promote).")]


def _source(cdnow: bool, file: Path | None, warehouse: str | None, customers: Path | None) -> TransactionSource:
    from footfall.ml.pipeline import TransactionSource

    return TransactionSource(cdnow=cdnow, file=file, warehouse=warehouse, customers=customers)


def _date(text: str | None, name: str) -> date | None:
    from footfall.errors import InputError

    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InputError(f"bad {name} {text!r}: use a date like 1997-12-31") from None


def _registration(registry: Path | None, register: bool, promote: bool, force: bool) -> Registration | None:
    """Where --register, --promote or --force store a result (None: none of them was given)."""
    from footfall.config import get_settings
    from footfall.ml.registry import Registration

    if not (register or promote or force):
        return None
    settings = get_settings()
    return Registration(
        models_root=registry or settings.data_dir / "models",
        promote=promote,
        force=force,
        tolerance=settings.promote_tolerance,
    )


def _say(decisions: list[tuple[str, Promotion | None]]) -> None:
    for version, decision in decisions:
        err_console.print(f"registered {version}" + (f"; {decision}" if decision else ""), highlight=False)


@data_app.command("cdnow")
def data_cdnow(
    out: Annotated[Path, typer.Option("--out", help="Output .csv or .parquet (rejects beside it).")],
    sample: Annotated[bool, typer.Option("--sample", help="The 2,357-customer sample instead of the master.")] = False,
) -> None:
    """Write CDNOW's transactions as customer_id, date, quantity, amount; rejected rows to OUT.rejects.csv."""
    from footfall.ml.outputs import rejects_line
    from footfall.ml.sources import CdnowFile, read_cdnow, write_transactions
    from footfall.outputs import sibling_path, write_table

    data = read_cdnow(CdnowFile.SAMPLE if sample else CdnowFile.MASTER)
    write_transactions(data, out)
    if data.rejects.height:
        write_table(data.rejects, sibling_path(out, "rejects"))
    console.print(f"{rejects_line(data)}; wrote {data.frame.height:,} rows to {out}", highlight=False)


@app.command()
def segment(
    until: Annotated[str, typer.Option("--until", help="Calibration end (a UTC day, included).", show_default=False)],
    cdnow: CdnowOption = False,
    transactions: FileOption = None,
    warehouse: WarehouseSource = None,
    customers: CustomersOption = None,
    k: Annotated[str, typer.Option("--k", help="Number of segments, 2 to 8, or auto.")] = "auto",
    holdout_until: Annotated[
        str | None,
        typer.Option(
            "--holdout-until", help="Score the segments on spend after --until up to this day.", show_default=False
        ),
    ] = None,
    fmt: FormatOption = Format.TABLE,
    report: ReportOption = None,
    registry: RegistryOption = None,
    register: RegisterOption = False,
    promote: PromoteOption = False,
    force: ForceOption = False,
) -> None:
    """Segment customers by their calibration-window behaviour (k-means or Gaussian mixture, k by stability)."""
    from footfall.errors import InputError
    from footfall.ml.outputs import as_text, clean, rejects_line, segment_table
    from footfall.ml.pipeline import load_source, register_segmentation
    from footfall.ml.segmentation import SegmentParams, segment_customers

    if k != "auto" and not k.isdigit():
        raise InputError(f"bad k {k!r}: give a number of segments from 2 to 8, or auto")
    day, holdout = _date(until, "--until"), _date(holdout_until, "--holdout-until")
    assert day is not None
    if holdout is not None and holdout <= day:
        raise InputError(f"--holdout-until {holdout} is not after --until {day}")
    data, _ = load_source(_source(cdnow, transactions, warehouse, customers))
    err_console.print(rejects_line(data), highlight=False)
    params = SegmentParams(until=day, k=None if k == "auto" else int(k), holdout_until=holdout)
    result = segment_customers(data.frame, params)
    if report is not None:
        from footfall.ml.reports import write_segment_report

        write_segment_report(report, result, data, str(day))
    if (to := _registration(registry, register, promote, force)) is not None:
        _say([register_segmentation(result, data, params, to)])
    if fmt is Format.JSON:
        sys.stdout.write(json.dumps(clean(result.to_json())) + "\n")
        return
    extra = (
        f"; holdout η² {result.holdout_eta2:.4f} vs RFM cells {result.rfm_baseline_eta2:.4f}"
        if result.holdout_eta2 is not None
        else ""
    )
    title = (
        f"{result.method}, k={result.k}: silhouette {result.silhouette:.3f}, stability ARI "
        f"{result.stability_ari:.3f}{extra}"
    )
    console.print(title, highlight=False)
    print_frame(as_text(segment_table(result), 3), "table")


@app.command()
def predict(
    calibration_end: Annotated[
        str, typer.Option("--calibration-end", help="Last day of the calibration window.", show_default=False)
    ],
    holdout_end: Annotated[str, typer.Option("--holdout-end", help="Last day of the holdout.", show_default=False)],
    cdnow: CdnowOption = False,
    transactions: FileOption = None,
    warehouse: WarehouseSource = None,
    customers: CustomersOption = None,
    tune: Annotated[
        bool,
        typer.Option(
            "--tune",
            help="Tune each supervised candidate (fixed, seeded Optuna "
            "budget; cross-validation inside the calibration window).",
        ),
    ] = False,
    active_days: Annotated[
        int | None,
        typer.Option(
            "--active-days",
            min=1,
            help="Score only the customers with a purchase in this many days up to each cut-off "
            "(default: every customer).",
            show_default=False,
        ),
    ] = None,
    fmt: FormatOption = Format.TABLE,
    report: ReportOption = None,
    registry: RegistryOption = None,
    register: RegisterOption = False,
    promote: PromoteOption = False,
    force: ForceOption = False,
) -> None:
    """Predict who returns in the holdout and how many purchases they make; every candidate scored on the holdout."""
    from footfall.ml.outputs import as_text, prediction_json, prediction_table, rejects_line
    from footfall.ml.pipeline import load_source, register_prediction
    from footfall.ml.prediction import PredictParams, check_split, run_prediction

    cal, end = _date(calibration_end, "--calibration-end"), _date(holdout_end, "--holdout-end")
    assert cal is not None and end is not None
    data, engagement = load_source(_source(cdnow, transactions, warehouse, customers))
    check_split(data.frame, cal, end)
    err_console.print(rejects_line(data), highlight=False)
    params = PredictParams(calibration_end=cal, holdout_end=end, tune=tune, active_days=active_days)
    run = run_prediction(data.frame, params=params, engagement=engagement)
    if report is not None:
        from footfall.ml.reports import write_prediction_report

        write_prediction_report(report, run, data, f"calibration to {cal}, holdout to {end}")
    if (to := _registration(registry, register, promote, force)) is not None:
        _say(register_prediction(run, data, params, to, engagement=engagement))
    if fmt is Format.JSON:
        sys.stdout.write(json.dumps(prediction_json(run)) + "\n")
        return
    title = (
        f"{data.source}: calibration to {cal}, holdout to {end}; {run.customers:,} customers, "
        f"{run.returners:,} returned (majority {run.majority_accuracy:.2%})"
    )
    console.print(title, highlight=False)
    for target in ("returns", "purchases"):
        print_frame(as_text(prediction_table(run, target)), "table", title=f"target: {target}")
    console.print(f"best: returns {run.best['returns']}, purchases {run.best['purchases']}", highlight=False)


@app.command()
def tabular(
    csv: Annotated[
        Path, typer.Option("--csv", help="The table (a header row, or car-evaluation's 7 columns).", show_default=False)
    ],
    target: Annotated[str, typer.Option("--target", help="The column to predict.", show_default=False)],
    columns: Annotated[
        str | None,
        typer.Option("--columns", help="Feature columns, comma-separated (default: all others).", show_default=False),
    ] = None,
    tune: Annotated[bool, typer.Option("--tune", help="Tune each candidate (fixed, seeded Optuna budget).")] = False,
    fmt: FormatOption = Format.TABLE,
    report: ReportOption = None,
    registry: RegistryOption = None,
    register: RegisterOption = False,
    promote: PromoteOption = False,
    force: ForceOption = False,
) -> None:
    """Predict one column from the others: stratified repeated cross-validation of four candidates."""
    from footfall.ml.outputs import as_text, tabular_json, tabular_table
    from footfall.ml.pipeline import register_tabular
    from footfall.ml.tabular import TabularParams, read_table, run_tabular

    table = read_table(csv)
    chosen = tuple(c.strip() for c in columns.split(",") if c.strip()) if columns else None
    result = run_tabular(table, TabularParams(target=target, columns=chosen, tune=tune))
    if report is not None:
        from footfall.ml.reports import write_tabular_report

        write_tabular_report(report, result, str(csv), target)
    if (to := _registration(registry, register, promote, force)) is not None:
        _say([register_tabular(result, table, str(csv), target, to)])
    if fmt is Format.JSON:
        sys.stdout.write(json.dumps(tabular_json(result)) + "\n")
        return
    print_frame(as_text(tabular_table(result)), "table", title=f"{csv}: predict {target} ({result.rows:,} rows)")
    console.print(f"best: {result.best}; ceiling (best rule on these columns): {result.ceiling:.4f}", highlight=False)
