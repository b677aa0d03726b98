"""Generated transactions (a Pareto/NBD world, seeded) and a small full-factorial table, for the ml tests."""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import polars as pl

START = date(2021, 1, 1)


def simulate(customers: int = 400, *, days: int = 420, seed: int = 0) -> pl.DataFrame:
    """`customer_id, date, amount, quantity` text rows: customers join in the first 60 days, buy at a
    Gamma-distributed weekly rate until an exponential lifetime ends; spend per purchase is log-normal."""
    rng = np.random.default_rng(seed)
    rows = []
    for c in range(customers):
        joined = int(rng.integers(0, 60))
        rate = rng.gamma(0.8, 1 / 6.0)  # purchases per week
        life = rng.exponential(1 / rng.gamma(0.6, 1 / 8.0)) * 7  # days alive
        mean = rng.lognormal(3.0, 0.4)
        t = float(joined)
        first = True
        while t < days and (first or t - joined < life):
            rows.append(
                (
                    f"c{c:04d}",
                    (START + timedelta(days=int(t))).isoformat(),
                    f"{max(0.5, rng.normal(mean, mean / 4)):.2f}",
                    str(int(rng.integers(1, 4))),
                )
            )
            first = False
            t += rng.exponential(7.0 / max(rate, 1e-3))
    return pl.DataFrame(rows, schema=["customer_id", "date", "amount", "quantity"], orient="row")


def write_transactions(path: Path, frame: pl.DataFrame) -> Path:
    """The rows as a CSV file."""
    frame.write_csv(path)
    return path


def factorial_table(path: Path) -> Path:
    """A car.data-shaped file (no header): a full factorial over six attributes, class a function of them."""
    levels = {
        "buying": ["vhigh", "high", "med", "low"],
        "maint": ["vhigh", "high", "med", "low"],
        "doors": ["2", "4"],
        "persons": ["2", "4", "more"],
        "lug_boot": ["small", "big"],
        "safety": ["low", "med", "high"],
    }
    lines = []
    for combo in itertools.product(*levels.values()):
        row = dict(zip(levels, combo, strict=True))
        score = (
            ["low", "med", "high"].index(row["safety"]) + (row["buying"] in ("med", "low")) + (row["maint"] != "vhigh")
        )
        label = "unacc" if row["safety"] == "low" or row["persons"] == "2" else "good" if score >= 3 else "acc"
        lines.append(",".join([*combo, label]))
    path.write_text("\n".join(lines) + "\n")
    return path
