"""`footfall vouchers …`: load a voucher export (one row per voucher) into the warehouse."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from footfall.cli._common import WarehouseOption, command_group, open_warehouse, print_summary

app = command_group("Vouchers: load the voucher export (rewards issued to users, redeemed or expired).")


@app.command()
def load(
    csv: Annotated[Path, typer.Argument(help="The voucher export CSV.", show_default=False)],
    columns: Annotated[
        str | None,
        typer.Option(
            "--columns",
            help="Map footfall names to the export's headers, e.g. 'voucher_id=Code,user_id=Member,age=Age' "
            "(names: voucher_id, reward_id, reward_name, campaign, user_id, issued_at, redeemed_at, status, value, "
            "cost, gender, birth_year or age, signup_date, country, city).",
            show_default=False,
        ),
    ] = None,
    warehouse: WarehouseOption = None,
) -> None:
    """Load a voucher export into `vouchers` (upsert on voucher_id), in one transaction.

    Required columns: voucher_id, reward_id, user_id, issued_at, status (issued, redeemed or
    expired). Rows with an empty required field, a bad timestamp or number, an unknown status,
    a redeemed voucher without redeemed_at or redeemed before issue, or a voucher id repeated
    later in the file (the last row wins) go to vouchers_rejects with line, reason and raw text.
    The input file is never modified; re-loading it changes nothing.
    """
    from footfall.readers.vouchers import parse_column_mapping
    from footfall.vouchers.load import load_vouchers

    mapping = parse_column_mapping(columns)
    with open_warehouse(warehouse) as wh:
        summary = load_vouchers(csv, warehouse=wh, columns=mapping)
    print_summary(summary)
