"""Loading rewards exports (docs/data-contracts.md → Rewards tables), on DuckDB and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest

from footfall.errors import InputError
from footfall.rewards.load import load_rewards
from footfall.warehouse import Warehouse
from tests.rewards.factories import write_exports

TABLES = ("campaign", "reward_campaign", "reward_transaction", "rewards_rejects")


def snapshot(warehouse: Warehouse) -> list[object]:
    return [warehouse.query(f"SELECT * FROM {t} ORDER BY 1, 2, 3").rows() for t in TABLES]


def test_samples_load_with_utc_instants(warehouse: Warehouse, samples: Path) -> None:
    summary = load_rewards(
        campaigns=samples / "campaign.sample.csv",
        rewards=samples / "reward_campaign.sample.csv",
        transactions=samples / "reward_transaction.sample.csv",
        warehouse=warehouse,
    )
    assert (summary.read, summary.accepted, summary.rejected) == (11, 11, 0)
    row = warehouse.query("SELECT updated_at FROM reward_transaction WHERE id = '2'").rows()[0][0]
    assert row.isoformat() == "2019-08-12T16:30:00+00:00"


def test_orphans_duplicates_and_bad_values_are_rejected_with_reasons(warehouse: Warehouse, tmp_path: Path) -> None:
    paths = write_exports(
        tmp_path,
        rewards=[("1", "Free Coffee", "1"), ("2", "Ghost", "77")],
        transactions=[
            ("1", "redeemed", "2019-08-12 11:04:10.041 UTC", "1"),
            ("2", "redeemed", "2019-08-12 11:04:10 UTC", "2"),  # its reward was rejected: an orphan too
            ("3", "redeemed", "2019-08-12 11:04:10 UTC", "9"),
            ("4", "redeemed", "last tuesday", "1"),
            ("1", "Redeemed", "2019-08-13 11:04:10 UTC", "1"),
            ("5", "", "2019-08-12 11:04:10 UTC", "1"),
        ],
    )
    summary = load_rewards(
        campaigns=paths["campaigns"], rewards=paths["rewards"], transactions=paths["transactions"], warehouse=warehouse
    )
    rejects = warehouse.query(
        "SELECT table_name, line_number, reason, detail FROM rewards_rejects ORDER BY table_name, line_number"
    ).rows()
    assert rejects == [
        ("reward_campaign", 3, "unknown_campaign", "field campaign_id: '77' matches no campaign"),
        ("reward_transaction", 2, "duplicate_id", "id 1 appears again on line 6"),
        ("reward_transaction", 3, "unknown_reward", "field reward_campaign_id: '2' matches no reward_campaign"),
        ("reward_transaction", 4, "unknown_reward", "field reward_campaign_id: '9' matches no reward_campaign"),
        (
            "reward_transaction",
            5,
            "bad_timestamp",
            "field updated_at: 'last tuesday' is not a timestamp like 2019-08-12 11:04:10.041 UTC",
        ),
        ("reward_transaction", 7, "missing_value", "field status is empty"),
    ]
    assert summary.read == summary.accepted + summary.rejected == 2 + 2 + 6
    assert warehouse.query("SELECT id, status FROM reward_transaction").rows() == [("1", "redeemed")]  # last row wins


def test_reloading_changes_nothing_and_children_can_come_later(warehouse: Warehouse, tmp_path: Path) -> None:
    paths = write_exports(tmp_path, transactions=[("1", "redeemed", "2019-08-12 11:04:10 UTC", "3")])
    load_rewards(campaigns=paths["campaigns"], rewards=paths["rewards"], transactions=None, warehouse=warehouse)
    load_rewards(campaigns=None, rewards=None, transactions=paths["transactions"], warehouse=warehouse)
    first = snapshot(warehouse)
    for _ in range(2):
        load_rewards(
            campaigns=paths["campaigns"],
            rewards=paths["rewards"],
            transactions=paths["transactions"],
            warehouse=warehouse,
        )
    assert snapshot(warehouse) == first
    assert warehouse.query("SELECT count(*) AS n FROM reward_transaction")["n"][0] == 1


def test_a_changed_row_is_updated_even_when_referenced(warehouse: Warehouse, tmp_path: Path) -> None:
    paths = write_exports(tmp_path, transactions=[("1", "issued", "2019-08-12 11:04:10 UTC", "1")])
    load_rewards(**paths, warehouse=warehouse)  # type: ignore[arg-type]
    write_exports(
        tmp_path,
        campaigns=[("1", "Spring Rewards 2.0"), ("2", "Double Points Week")],
        transactions=[("1", "redeemed", "2019-08-13 09:00:00 UTC", "1")],
    )
    load_rewards(**paths, warehouse=warehouse)  # type: ignore[arg-type]
    assert warehouse.query("SELECT name FROM campaign WHERE id = '1'").rows() == [("Spring Rewards 2.0",)]
    assert warehouse.query("SELECT status FROM reward_transaction").rows() == [("redeemed",)]


def test_a_missing_column_is_a_one_line_error(warehouse: Warehouse, tmp_path: Path) -> None:
    bad = tmp_path / "t.csv"
    bad.write_text("id,state,updated_at,reward_campaign_id\n1,redeemed,2019-08-12 11:04:10 UTC,1\n")
    with pytest.raises(InputError, match=r"t\.csv: line 1: missing column 'status'"):
        load_rewards(campaigns=None, rewards=None, transactions=bad, warehouse=warehouse)
    assert snapshot(warehouse) == [[], [], [], []]
