"""Transactions from CDNOW (shipped in the `lifetimes` wheel), from a CSV/Parquet file, and written back out.

CDNOW (Fader & Hardie): every purchase of the 23,570 customers who first bought at CDNOW in
1997-Q1, up to 1998-06-30; `master` has all of them, `sample` 2,357 customers (1 in 10). The
files are read from the installed package folder; `lifetimes` itself is never imported (its
`datasets` needs `pkg_resources`, and its `__init__` pandas). Files: a header with `customer_id`,
`date` (or `ts`), `amount` and an optional `quantity`; other columns are ignored (docs/ml.md#transactions).
"""

from __future__ import annotations

import enum
import importlib.util
from datetime import datetime
from pathlib import Path

import polars as pl

from footfall.errors import InputError
from footfall.ml.transactions import Transactions, parse_raw
from footfall.outputs import write_table

__all__ = [
    "CdnowFile",
    "cdnow_path",
    "read_cdnow",
    "read_customers_file",
    "read_transactions_file",
    "write_transactions",
]

REQUIRED = ("customer_id", "date", "amount")


class CdnowFile(enum.StrEnum):
    """Which CDNOW file: all 23,570 customers, or the 2,357-customer sample."""

    MASTER = "master"
    SAMPLE = "sample"


def cdnow_path(which: CdnowFile = CdnowFile.MASTER) -> Path:
    """The CDNOW file inside the installed `lifetimes` package (a one-line error when it is not installed)."""
    # find_spec locates the package without running its __init__, which imports pandas and the fitters
    # (3-4 s, and a pandas deprecation warning); importlib.resources.files() would run it
    spec = importlib.util.find_spec("lifetimes")
    if spec is None or not spec.submodule_search_locations:
        raise InputError("CDNOW needs the lifetimes package: pip install 'footfall[ml]'")
    return Path(spec.submodule_search_locations[0]) / "datasets" / f"CDNOW_{which.value}.txt"


def read_cdnow(which: CdnowFile = CdnowFile.MASTER, *, as_of: datetime | None = None) -> Transactions:
    """CDNOW: master lines `id yyyymmdd cds dollars` (after a header), sample `id sample_id yyyymmdd cds dollars`."""
    path = cdnow_path(which)
    if not path.is_file():
        raise InputError(f"{path}: CDNOW file missing from the lifetimes package; reinstall it")
    lines = path.read_text(encoding="ascii").splitlines()
    first = 2 if lines and lines[0].split()[0] == "customer_id" else 1
    fields = [line.split() for line in lines[first - 1 :]]
    columns = (0, 1, 2, 3) if which is CdnowFile.MASTER else (0, 2, 3, 4)
    raw = pl.DataFrame(
        {
            "customer_id": [f[columns[0]] if len(f) > columns[0] else None for f in fields],
            "date": [f[columns[1]] if len(f) > columns[1] else None for f in fields],
            "quantity": [f[columns[2]] if len(f) > columns[2] else None for f in fields],
            "amount": [f[columns[3]] if len(f) > columns[3] else None for f in fields],
            "line_number": range(first, first + len(fields)),
            "raw": lines[first - 1 :],
        },
        schema_overrides={"line_number": pl.Int64},
    ).with_columns(source_file=pl.lit(path.name))
    return parse_raw(raw, source=f"CDNOW {which.value}", as_of=as_of)


def read_transactions_file(
    path: Path, *, as_of: datetime | None = None, customers: frozenset[str] | None = None
) -> Transactions:
    """A CSV or Parquet file of transactions; a missing column is a one-line error naming the file and line 1."""
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    try:
        if path.suffix.lower() == ".parquet":
            table = pl.read_parquet(path)
            table = table.with_columns(pl.all().cast(pl.String))
            first_line = 1
        else:
            table = pl.read_csv(path, infer_schema=False, truncate_ragged_lines=True)
            first_line = 2
    except (pl.exceptions.PolarsError, OSError) as exc:
        raise InputError(f"{path}: cannot read it as {path.suffix or 'CSV'} ({str(exc).splitlines()[0]})") from None
    table = table.rename({c: c.strip().lower() for c in table.columns})
    if "date" not in table.columns and "ts" in table.columns:
        table = table.rename({"ts": "date"})
    missing = [c for c in REQUIRED if c not in table.columns]
    if missing:
        raise InputError(
            f"{path}: line 1: missing column {', '.join(missing)} (need customer_id, date, amount; quantity optional)"
        )
    if "quantity" not in table.columns:
        table = table.with_columns(quantity=pl.lit(None, pl.String))
    raw = table.select(
        *REQUIRED,
        "quantity",
        line_number=pl.int_range(first_line, first_line + pl.len(), dtype=pl.Int64),
        raw=pl.concat_str([pl.col(c).fill_null("") for c in table.columns], separator=","),
        source_file=pl.lit(str(path)),
    )
    return parse_raw(raw, source=str(path), as_of=as_of, customers=customers)


def read_customers_file(path: Path) -> frozenset[str]:
    """The known customers: a CSV (or Parquet) with a `customer_id` column."""
    try:
        table = pl.read_parquet(path) if path.suffix.lower() == ".parquet" else pl.read_csv(path, infer_schema=False)
    except (pl.exceptions.PolarsError, OSError) as exc:
        raise InputError(f"{path}: cannot read the customer list ({str(exc).splitlines()[0]})") from None
    if "customer_id" not in table.columns:
        raise InputError(f"{path}: line 1: no customer_id column in the customer list")
    return frozenset(table["customer_id"].cast(pl.String).drop_nulls().str.strip_chars().to_list())


def write_transactions(data: Transactions, out: Path) -> None:
    """Write `customer_id, date, quantity, amount` (the date as YYYY-MM-DD when every instant is midnight UTC)."""
    frame = data.frame
    midnight = frame.select((pl.col("ts").dt.time() == pl.time(0)).all()).item()
    date = pl.col("ts").dt.date() if midnight else pl.col("ts")
    write_table(frame.select("customer_id", date.alias("date"), "quantity", "amount"), out)
