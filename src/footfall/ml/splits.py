"""The checks a calibration / holdout split must pass before anything is fitted (docs/ml.md#prediction)."""

from __future__ import annotations

from datetime import date, timedelta

import polars as pl

from footfall.errors import InputError

__all__ = ["check_classes", "check_split"]


def check_split(transactions: pl.DataFrame, calibration_end: date, holdout_end: date) -> None:
    """A one-line error when the split does not fit the data (dates are UTC days)."""
    first, last = transactions.select(first=pl.col("ts").min().dt.date(), last=pl.col("ts").max().dt.date()).row(0)
    if holdout_end <= calibration_end:
        raise InputError(
            f"{{param}} {calibration_end} is not before the holdout end {holdout_end}: swap or fix them",
            param="calibration_end",
        )
    if not first <= calibration_end < last:
        raise InputError(
            f"{{param}} {calibration_end} is outside the data ({first} to {last}): pick a day in it",
            param="calibration_end",
        )
    if holdout_end > last:
        raise InputError(
            f"{{param}} {holdout_end} is after the last transaction ({last}): the holdout would be partial",
            param="holdout_end",
        )
    if calibration_end - (holdout_end - calibration_end) < first + timedelta(weeks=4):
        raise InputError(
            f"{{param}} {calibration_end}: the calibration window must hold the horizon "
            f"({(holdout_end - calibration_end).days} days) plus 4 weeks from {first}; pick a later day",
            param="calibration_end",
        )


def check_classes(train: pl.DataFrame, *, origin: date, calibration_end: date, folds: int) -> None:
    """Both outcomes must occur at least `folds` times at the origin, or nothing can be learnt."""
    returned = int((train["purchases"] > 0).sum())
    if min(returned, train.height - returned) < folds:
        raise InputError(
            f"{returned:,} of {train.height:,} customers bought in ({origin}, {calibration_end}]: "
            f"the training window needs at least {folds} of each outcome; pick another calibration_end"
        )
