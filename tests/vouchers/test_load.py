"""`footfall vouchers load`: the generated export, column mapping, rejects, atomicity, idempotence."""

from __future__ import annotations

import hashlib
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from footfall.cli.main import app
from footfall.errors import InputError
from footfall.synth.vouchers import VouchersSpec, generate_vouchers
from footfall.vouchers.load import load_vouchers
from footfall.warehouse import Warehouse, connect


@pytest.fixture(scope="module")
def export(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("vouchers") / "vouchers.csv"
    generate_vouchers(VouchersSpec(vouchers=2_000, users=300, days=60, seed=5), path)
    return path


def test_generated_export_loads_with_its_bad_rows_rejected(warehouse: Warehouse, export: Path) -> None:
    before = hashlib.sha256(export.read_bytes()).hexdigest()
    summary = load_vouchers(export, warehouse=warehouse)
    source = pl.read_csv(export, infer_schema=False)
    assert (summary.read, summary.accepted, summary.rejected) == (source.height, 2_000, 3)
    assert summary.details.reject_reasons == {"bad_status": 1, "bad_timestamp": 1, "missing_redeemed_at": 1}
    stored = warehouse.query("SELECT status, count(*) AS n FROM vouchers GROUP BY status ORDER BY status")
    expected = source.filter(pl.col("voucher_id").str.starts_with("V000")).group_by("status").len().sort("status")
    assert stored["n"].to_list() == expected["len"].to_list()
    rejects = warehouse.query("SELECT line_number, reason, detail FROM vouchers_rejects ORDER BY line_number")
    assert rejects["line_number"].to_list() == [2_002, 2_003, 2_004]
    assert rejects["detail"][1] == "field issued_at: 'last tuesday' is not a timestamp"
    # redemptions never precede issue; expired and issued vouchers have no redemption instant
    bad = warehouse.query(
        "SELECT count(*) AS n FROM vouchers "
        "WHERE redeemed_at < issued_at OR (status <> 'redeemed') <> (redeemed_at IS NULL)"
    )
    assert bad["n"][0] == 0
    again = load_vouchers(export, warehouse=warehouse)
    assert again.written == 0 and warehouse.query("SELECT count(*) AS n FROM vouchers_rejects")["n"][0] == 3
    runs = warehouse.query("SELECT command, rows_read FROM runs ORDER BY started_at")
    assert runs["command"].to_list() == ["vouchers load", "vouchers load"]
    assert hashlib.sha256(export.read_bytes()).hexdigest() == before  # the input is never modified


def test_differently_named_export_loads_through_the_mapping(tmp_path: Path) -> None:
    path = tmp_path / "crm.csv"
    path.write_text(
        "Code,Reward,Member,Issued Date,Used Date,State,Age,Gender\n"
        "A1,R1,u1,2024-03-01 10:00:00,2024-03-02T09:00:00+08:00,Redeemed,30,F\n"
        "A2,R1,u2,2024-03-01T23:00:00Z,,issued,41,m\n"
    )
    mapping = "voucher_id=Code,reward_id=Reward,user_id=Member,issued_at=Issued Date,redeemed_at=Used Date,"
    mapping += "status=State,age=Age"
    result = CliRunner().invoke(
        app, ["vouchers", "load", str(path), "--columns", mapping, "--warehouse", f"duckdb:///{tmp_path / 'w.duckdb'}"]
    )
    assert result.exit_code == 0, result.output
    with connect(f"duckdb:///{tmp_path / 'w.duckdb'}") as wh:
        rows = wh.query("SELECT voucher_id, status, birth_year, gender, redeemed_at FROM vouchers ORDER BY voucher_id")
    assert rows["status"].to_list() == ["redeemed", "issued"]
    assert rows["birth_year"].to_list() == [1994, 1983]  # year of issue minus age
    assert rows["gender"].to_list() == ["f", "m"]
    assert str(rows["redeemed_at"][0]) == "2024-03-02 01:00:00+00:00"


def test_a_file_missing_a_column_is_one_line_and_leaves_the_warehouse_unchanged(
    warehouse: Warehouse, export: Path, tmp_path: Path
) -> None:
    load_vouchers(export, warehouse=warehouse)
    broken = tmp_path / "broken.csv"
    broken.write_text("voucher_id,reward_id,issued_at,status\nX,R1,2024-01-01 00:00:00 UTC,issued\n")
    with pytest.raises(InputError, match=r"broken\.csv: line 1: missing column 'user_id'"):
        load_vouchers(broken, warehouse=warehouse)
    assert warehouse.query("SELECT count(*) AS n FROM vouchers")["n"][0] == 2_000
    assert warehouse.query("SELECT count(*) AS n FROM runs")["n"][0] == 1


def test_bad_columns_option_exits_2_with_one_line(tmp_path: Path, export: Path) -> None:
    result = CliRunner().invoke(app, ["vouchers", "load", str(export), "--columns", "voucher=Code"])
    assert result.exit_code == 2
    assert "bad --columns name 'voucher'" in result.output and "Traceback" not in result.output
