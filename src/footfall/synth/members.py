"""Generate membership application CSVs (every date shape, titles, suffixes, mistakes) and member sales."""

from __future__ import annotations

import csv
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import numpy as np
import polars as pl

__all__ = ["generate_applications", "generate_sales"]

_FIRST = ["William", "Kristen", "Kimberly", "Mary", "Benjamin", "Cathy", "Paul", "Sarah", "Wei", "Aisha", "Ravi", "Mei"]
_LAST = ["Dixon", "Horn", "Chang", "Ball", "Craig", "Werner", "Farley", "Mcdaniel", "Tan", "Rahman", "Kumar", "Lim"]
_TITLES = ["", "", "", "", "Dr. ", "Mr. ", "Mrs. ", "Ms. ", "Miss "]
_SUFFIXES = ["", "", "", "", "", " Jr.", " Sr.", " II", " III", " MD", " DDS", " PhD", " DVM"]
_DOMAINS = ["example.com", "mail.net", "shop.com", "lin.biz", "berry", "corp.org"]
_ITEMS = [
    ("Espresso beans 1 kg", "Kopi Co", 18.90, 1.0),
    ("Oat milk 6-pack", "Oatly", 14.50, 6.2),
    ("Running shoes", "Stride", 129.00, 0.9),
    ("Yoga mat", "Stride", 39.90, 1.8),
    ("Desk lamp", "Lumen", 49.00, 1.2),
    ("Rice cooker", "Zojirushi", 189.00, 4.1),
    ("Water bottle", "Hydra", 24.00, 0.4),
    ("Backpack", "Trail", 89.00, 1.1),
    ("Headphones", "Sonic", 199.00, 0.3),
    ("Notebook set", "Paperie", 12.00, 0.6),
    ("Green tea 100 bags", "Kopi Co", 9.90, 0.25),
    ("Cast-iron pan", "Forge", 79.00, 2.7),
]


def generate_applications(out_dir: Path, *, files: int = 3, rows: int = 200, seed: int = 0) -> list[Path]:
    """Write `files` CSVs of `rows` applications each; about 30 % fail some rule."""
    rng = np.random.default_rng(seed)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for f in range(files):
        path = out_dir / f"applications_{f + 1:03d}.csv"
        with path.open("w", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["name", "email", "date_of_birth", "mobile_no"])
            for _ in range(rows):
                writer.writerow(_application(rng))
        paths.append(path)
    return paths


def _application(rng: np.random.Generator) -> list[str]:
    first, last = str(rng.choice(_FIRST)), str(rng.choice(_LAST))
    name = f"{rng.choice(_TITLES)}{first}{'  ' if rng.random() < 0.05 else ' '}{last}{rng.choice(_SUFFIXES)}"
    if rng.random() < 0.03:
        name = ""
    born = date(1950, 1, 1) + timedelta(days=int(rng.integers(0, 365 * 60)))
    shapes = ["%Y/%m/%d", "%Y-%m-%d", "%m/%d/%Y", "%d-%m-%Y"]
    dob = born.strftime(str(rng.choice(shapes))) if rng.random() > 0.02 else "31/31/1990"
    email = f"{first}_{last}@{rng.choice(_DOMAINS, p=[0.5, 0.25, 0.15, 0.04, 0.03, 0.03])}"
    mobile = (
        str(rng.integers(10_000_000, 99_999_999)) if rng.random() > 0.05 else str(rng.integers(1_000_000, 9_999_999))
    )
    return [name, email, dob, mobile]


def generate_sales(members: list[str], *, orders: int = 2_000, seed: int = 0) -> dict[str, pl.DataFrame]:
    """Items, orders and order lines for `members` (a few big spenders; some cancelled orders)."""
    rng = np.random.default_rng(seed)
    items = pl.DataFrame(
        {
            "item_id": list(range(1, len(_ITEMS) + 1)),
            "name": [i[0] for i in _ITEMS],
            "manufacturer": [i[1] for i in _ITEMS],
            "cost": [Decimal(f"{i[2]:.2f}") for i in _ITEMS],
            "weight_kg": [Decimal(f"{i[3]:.3f}") for i in _ITEMS],
        },
        schema={
            "item_id": pl.Int64,
            "name": pl.String,
            "manufacturer": pl.String,
            "cost": pl.Decimal(12, 2),
            "weight_kg": pl.Decimal(10, 3),
        },
    )
    if not members:
        return {"items": items, "orders": _empty_orders(), "order_items": _empty_lines()}
    weights = rng.pareto(1.5, len(members)) + 1
    buyer = rng.choice(len(members), orders, p=weights / weights.sum())
    popularity = rng.pareto(1.2, len(_ITEMS)) + 1
    start = datetime(2022, 1, 1, tzinfo=UTC)
    order_rows, line_rows = [], []
    for order_id in range(1, orders + 1):
        n = int(rng.integers(1, 5))
        chosen = rng.choice(len(_ITEMS), size=min(n, len(_ITEMS)), replace=False, p=popularity / popularity.sum())
        total, weight = Decimal("0.00"), Decimal("0.000")
        for index in chosen:
            _, _, price, kg = _ITEMS[int(index)]
            quantity = int(rng.integers(1, 4))
            unit, unit_kg = Decimal(f"{price:.2f}"), Decimal(f"{kg:.3f}")
            total += unit * quantity
            weight += unit_kg * quantity
            line_rows.append((order_id, int(index) + 1, quantity, unit, unit_kg * quantity))
        status = str(
            rng.choice(["delivered", "shipped", "paid", "placed", "cancelled"], p=[0.6, 0.15, 0.1, 0.07, 0.08])
        )
        created = start + timedelta(minutes=int(rng.integers(0, 60 * 24 * 365)))
        order_rows.append((order_id, members[int(buyer[order_id - 1])], created, status, total, weight))
    return {
        "items": items,
        "orders": pl.DataFrame(order_rows, schema=_empty_orders().schema, orient="row"),
        "order_items": pl.DataFrame(line_rows, schema=_empty_lines().schema, orient="row"),
    }


def _empty_orders() -> pl.DataFrame:
    return pl.DataFrame(
        schema={
            "order_id": pl.Int64,
            "membership_id": pl.String,
            "created_at": pl.Datetime("us", "UTC"),
            "status": pl.String,
            "total_price": pl.Decimal(12, 2),
            "total_weight_kg": pl.Decimal(10, 3),
        }
    )


def _empty_lines() -> pl.DataFrame:
    return pl.DataFrame(
        schema={
            "order_id": pl.Int64,
            "item_id": pl.Int64,
            "quantity": pl.Int32,
            "unit_price": pl.Decimal(12, 2),
            "weight_kg": pl.Decimal(10, 3),
        }
    )
