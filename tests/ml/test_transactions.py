"""The transactions contract: every bad row rejected with its reason and line, inputs untouched, one-line errors."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from pathlib import Path

import polars as pl
import pytest

from footfall.errors import InputError
from footfall.ml.sources import read_transactions_file
from footfall.ml.warehouse_data import read_engagement, read_warehouse_transactions
from footfall.warehouse import Warehouse

ROWS = """customer_id,date,amount,quantity,note
a,2021-01-05,10.50,1,ok
a,2021-01-05,10.50,1,same again
b,20210107,5,,compact date and no quantity
,2021-01-08,3,1,no customer
c,2021-02-30,3,1,no such day
c,2021-03-01,ten,1,amount not a number
c,2021-03-01,0,1,zero
d,2021-03-02,-4,1,negative
d,2021-03-03,4,0,quantity zero
d,2099-01-01,4,1,future
e,2021-03-04T10:00:00+08:00,7,2,an instant with an offset
x,2021-03-05,7,1,not a known customer
"""


def test_every_reason_is_counted_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text(ROWS)
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    found = read_transactions_file(path, customers=frozenset("abcde"), as_of=datetime(2022, 1, 1, tzinfo=UTC))
    reasons = dict(zip(found.rejects["line_number"], found.rejects["reason"], strict=True))
    assert reasons == {
        3: "duplicate",
        5: "missing_customer",
        6: "bad_date",
        7: "bad_amount",
        8: "non_positive_amount",
        9: "non_positive_amount",
        10: "bad_quantity",
        11: "future_date",
        13: "unknown_customer",
    }
    assert found.read == 12 and found.frame.height == 3
    assert found.frame["customer_id"].to_list() == ["a", "b", "e"]
    assert found.frame.filter(pl.col("customer_id") == "e")["ts"][0] == datetime(2021, 3, 4, 2, tzinfo=UTC)
    detail = found.rejects.filter(pl.col("line_number") == 7)["detail"][0]
    assert detail.startswith("amount ten:") and "same again" in found.rejects["raw"][0]
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before  # the input is never modified


def test_parquet_reads_the_same(tmp_path: Path) -> None:
    csv = tmp_path / "t.csv"
    csv.write_text(ROWS)
    pq = tmp_path / "t.parquet"
    pl.read_csv(csv, infer_schema=False).write_parquet(pq)
    a = read_transactions_file(csv, as_of=datetime(2022, 1, 1, tzinfo=UTC))
    b = read_transactions_file(pq, as_of=datetime(2022, 1, 1, tzinfo=UTC))
    assert a.frame.equals(b.frame) and a.reject_counts() == b.reject_counts()


def test_missing_columns_and_nothing_valid_are_one_line_errors(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text("customer,date,amount\na,2021-01-01,1\n")
    with pytest.raises(InputError, match=r"t.csv: line 1: missing column customer_id"):
        read_transactions_file(path)
    path.write_text("customer_id,date,amount\na,yesterday,1\nb,2021-01-01,free\n")
    with pytest.raises(InputError) as caught:
        read_transactions_file(path)
    message = str(caught.value)
    assert "\n" not in message and "no valid transactions" in message and "bad_date 1" in message
    assert "line 2: date yesterday" in message


def test_the_warehouse_reader(warehouse: Warehouse) -> None:
    """Voucher redemptions and shop orders become transactions; engagement counts up to an instant."""
    vouchers = pl.DataFrame(
        {
            "voucher_id": ["v1", "v2", "v3"],
            "reward_id": ["r", "r", "r"],
            "user_id": ["u1", "u1", "u2"],
            "issued_at": [
                datetime(2024, 1, 1, tzinfo=UTC),
                datetime(2024, 1, 2, tzinfo=UTC),
                datetime(2024, 1, 3, tzinfo=UTC),
            ],
            "redeemed_at": [datetime(2024, 1, 5, tzinfo=UTC), None, datetime(2024, 2, 1, tzinfo=UTC)],
            "status": ["redeemed", "issued", "redeemed"],
            "value": [12.5, None, None],
        }
    )
    warehouse.insert("vouchers", vouchers)
    events = pl.DataFrame(
        {
            "source_file": ["s.jsonl"] * 2,
            "line_number": [1, 2],
            "event_id": ["e1", "e2"],
            "type": ["placed_order", "page_view"],
            "ts": [datetime(2024, 1, 10, tzinfo=UTC)] * 2,
            "customer_id": ["u3", "u3"],
        }
    )
    warehouse.insert("shop_events", events)
    found = read_warehouse_transactions(warehouse, as_of=datetime(2025, 1, 1, tzinfo=UTC))
    rows = sorted(zip(found.frame["customer_id"], found.frame["amount"], strict=True))
    assert rows == [("u1", 12.5), ("u2", 1.0), ("u3", 1.0)] and found.rejects.height == 0
    engagement = read_engagement(warehouse, until=datetime(2024, 1, 10, tzinfo=UTC))
    u1 = engagement.filter(pl.col("customer_id") == "u1").row(0, named=True)
    assert u1["vouchers_issued"] == 2 and u1["redemption_rate"] == 0.5
    u2 = engagement.filter(pl.col("customer_id") == "u2").row(0, named=True)
    assert u2["redemption_rate"] == 0.0  # redeemed after the cut-off: not yet


def test_an_empty_warehouse_says_what_to_load(warehouse: Warehouse) -> None:
    with pytest.raises(InputError, match="holds no transactions: load vouchers"):
        read_warehouse_transactions(warehouse)
