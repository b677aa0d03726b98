"""`footfall members …`: the membership applications pipeline."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from footfall.cli._common import WarehouseOption, command_group, console, err_console, open_warehouse, print_summary
from footfall.errors import InputError

app = command_group("Membership applications: validate hourly inbox batches, load members.")


@app.command()
def process(
    inbox: Annotated[
        Path, typer.Option("--inbox", help="Folder where application CSVs are dropped.", show_default=False)
    ],
    out: Annotated[
        Path,
        typer.Option(
            "--out", help="Folder for successful/, unsuccessful/, archive/ and manifest.json.", show_default=False
        ),
    ],
    reference_date: Annotated[
        str, typer.Option("--reference-date", help="Applicants must be 18 on this date (YYYY-MM-DD).")
    ] = "2022-01-01",
    warehouse: WarehouseOption = None,
    no_warehouse: Annotated[bool, typer.Option("--no-warehouse", help="Write the batch files only.")] = False,
) -> None:
    """Process every new CSV in the inbox into one timestamped batch and load successes into `members`.

    Successful iff the mobile number is 8 digits, the applicant turns 18 on or before
    --reference-date, the email is valid with a .com or .net domain, and a name is present.
    Dates: YYYY/MM/DD, YYYY-MM-DD, MM/DD/YYYY (slash: month first), DD-MM-YYYY (dash: day first).
    Each row lands in exactly one of successful/ and unsuccessful/ (with its reasons); processed
    files move to archive/; a file whose content was processed before is skipped.
    """
    from footfall.members.inbox import process_inbox

    try:
        ref = date.fromisoformat(reference_date)
    except ValueError:
        raise InputError(f"bad --reference-date {reference_date!r}: use YYYY-MM-DD") from None
    if no_warehouse:
        summary = process_inbox(inbox, out, reference_date=ref, warehouse=None)
    else:
        with open_warehouse(warehouse) as wh:
            summary = process_inbox(inbox, out, reference_date=ref, warehouse=wh)
    print_summary(summary)
    if summary.details.batch:
        console.print(f"batch {summary.details.batch}: {summary.details.successful}, {summary.details.unsuccessful}")
    elif not summary.details.quarantined:
        console.print("no new files: nothing to process")
    for path, reason in (summary.details.quarantined or {}).items():
        err_console.print(f"[bold red]error:[/] {path}: quarantined ({reason})", highlight=False, soft_wrap=True)
    if summary.details.quarantined:
        raise typer.Exit(code=2)
