"""Top members and top items on hand-made sales data, on DuckDB and PostgreSQL; ties are explicit."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import polars as pl
import pytest
from typer.testing import CliRunner

from footfall.cli.main import app
from footfall.errors import InputError
from footfall.members.sales import replace_sales
from footfall.reports.sales import top_items, top_members
from footfall.synth.members import generate_sales
from footfall.warehouse import Warehouse

MEMBERS = ["Ball_aaaaa", "Chang_bbbbb", "Dixon_ccccc", "Horn_ddddd"]


def _seed(warehouse: Warehouse) -> None:
    members = pl.DataFrame(
        {
            "membership_id": MEMBERS,
            "first_name": ["Mary", "Kim", "Will", "Kris"],
            "last_name": ["Ball", "Chang", "Dixon", "Horn"],
            "email": ["m@x.com", "k@x.com", "w@x.com", "h@x.net"],
            "date_of_birth": [date(1970, 1, 1)] * 4,
            "mobile_no": ["12345678"] * 4,
            "source_file": ["a.csv"] * 4,
            "batch_id": ["b1"] * 4,
        }
    )
    warehouse.insert("members", members)
    tables = generate_sales([], orders=0)  # the item catalogue and empty frames with the right types
    d = Decimal
    t = datetime(2022, 3, 1, tzinfo=UTC)
    # (order, member, status, total) and lines (order, item, qty, unit price)
    orders = [
        (1, "Ball_aaaaa", "delivered", d("100.00")),
        (2, "Chang_bbbbb", "delivered", d("60.00")),
        (3, "Chang_bbbbb", "paid", d("40.00")),  # Chang ties Ball at 100.00
        (4, "Dixon_ccccc", "cancelled", d("500.00")),  # cancelled: not spending
        (5, "Dixon_ccccc", "shipped", d("30.00")),
        (6, "Horn_ddddd", "placed", d("10.00")),
    ]
    lines = [(1, 1, 2), (1, 2, 1), (2, 1, 1), (3, 3, 1), (4, 4, 9), (5, 2, 1), (5, 3, 2), (6, 5, 1)]
    tables["orders"] = pl.DataFrame(
        [(o, m, t, s, total, d("1.000")) for o, m, s, total in orders], schema=tables["orders"].schema, orient="row"
    )
    tables["order_items"] = pl.DataFrame(
        [(o, i, q, d("10.00"), d("0.500") * q) for o, i, q in lines], schema=tables["order_items"].schema, orient="row"
    )
    replace_sales(warehouse, tables)


def test_top_members_by_spending_with_ties(warehouse: Warehouse) -> None:
    _seed(warehouse)
    got = top_members(warehouse, n=1).with_columns(pl.col("total_spent").cast(pl.Float64))
    assert got.select("rank", "membership_id", "orders", "total_spent").rows() == [
        (1, "Ball_aaaaa", 1, 100.0),
        (1, "Chang_bbbbb", 2, 100.0),  # tied for first: both returned although n=1
    ]
    everyone = top_members(warehouse, n=10)
    assert everyone.select("rank", "membership_id").rows() == [
        (1, "Ball_aaaaa"),
        (1, "Chang_bbbbb"),
        (3, "Dixon_ccccc"),  # the cancelled 500.00 does not count
        (4, "Horn_ddddd"),
    ]


def test_top_items_by_times_bought_with_ties(warehouse: Warehouse) -> None:
    _seed(warehouse)
    # item 1: orders 1, 2; item 2: orders 1, 5; item 3: orders 3, 5; item 4 only in a cancelled order
    got = top_items(warehouse, n=1)
    assert got.select("rank", "item_id", "times_bought", "quantity").rows() == [
        (1, 1, 2, 3),
        (1, 2, 2, 2),
        (1, 3, 2, 3),
    ]
    assert top_items(warehouse, n=4).select("rank", "item_id").rows()[-1] == (4, 5)
    with pytest.raises(InputError, match="n must be at least 1, got 0"):
        top_items(warehouse, n=0)


def test_sales_cli(warehouse_url: str) -> None:
    from footfall.warehouse import connect

    with connect(warehouse_url) as wh:
        _seed(wh)
    result = CliRunner().invoke(
        app, ["sales", "top-members", "--n", "1", "--format", "csv", "--warehouse", warehouse_url]
    )
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == "rank,membership_id,first_name,last_name,orders,total_spent"
    assert len(result.output.splitlines()) == 3
    items = CliRunner().invoke(app, ["sales", "top-items", "--format", "json", "--warehouse", warehouse_url])
    assert items.exit_code == 0 and '"times_bought":2' in items.output.replace(" ", "")


def test_sales_can_be_replaced_again_and_bad_keys_load_nothing(warehouse: Warehouse) -> None:
    _seed(warehouse)
    tables = {t: warehouse.query(f"SELECT * FROM {t}") for t in ("items", "orders", "order_items")}
    replace_sales(warehouse, tables)  # a second replacement of orders and their lines in one transaction (DuckDB too)
    assert warehouse.query("SELECT count(*) AS n FROM order_items")["n"][0] == 8
    stray = tables["order_items"].head(1).with_columns(pl.lit(999, dtype=pl.Int64).alias("item_id"))
    with pytest.raises(InputError, match=r"item_id value\(s\) not in items, e\.g\. 999; nothing was loaded"):
        replace_sales(warehouse, {**tables, "order_items": pl.concat([tables["order_items"], stray])})
    assert warehouse.query("SELECT count(*) AS n FROM order_items")["n"][0] == 8
