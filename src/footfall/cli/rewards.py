"""`footfall rewards …`: load campaign, reward and transaction exports; peak engagement; weekly performance."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

import typer

from footfall.cli._common import (
    FormatOption,
    TzOption,
    WarehouseOption,
    command_group,
    open_warehouse,
    print_frame,
    print_summary,
    report_filters,
)
from footfall.errors import InputError

app = command_group("Rewards: load exports, peak engagement by local hour, weekly reward performance.")

CsvPath = Annotated[Path | None, typer.Option(help="CSV export to load.", show_default=False)]


@app.command()
def load(
    campaigns: Annotated[
        Path | None, typer.Option("--campaigns", help="campaign CSV: id,name,status[,updated_at].", show_default=False)
    ] = None,
    rewards: Annotated[
        Path | None,
        typer.Option(
            "--rewards", help="reward_campaign CSV: id,reward_name,updated_at,campaign_id.", show_default=False
        ),
    ] = None,
    transactions: Annotated[
        Path | None,
        typer.Option(
            "--transactions",
            help="reward_transaction CSV: id,status,updated_at,reward_campaign_id.",
            show_default=False,
        ),
    ] = None,
    warehouse: WarehouseOption = None,
) -> None:
    """Load rewards exports into campaign, reward_campaign and reward_transaction (upsert on id).

    Parents load before children in one transaction. A reward whose campaign, or a transaction
    whose reward, exists neither in the warehouse nor in this load is rejected (unknown_campaign,
    unknown_reward), as are rows with an empty required field, a bad timestamp, or an id repeated
    later in the same file (duplicate_id: the last row wins). Rejects go to rewards_rejects with
    file, line, reason and raw text. Re-loading the same files changes nothing.
    """
    from footfall.rewards.load import load_rewards

    if not (campaigns or rewards or transactions):
        raise InputError("give at least one of --campaigns, --rewards, --transactions")
    with open_warehouse(warehouse) as wh:
        summary = load_rewards(campaigns=campaigns, rewards=rewards, transactions=transactions, warehouse=wh)
    print_summary(summary)


@app.command("peak-engagement")
def peak_engagement(
    campaign: Annotated[str, typer.Option("--campaign", help="Campaign id.", show_default=False)],
    date_from: Annotated[str, typer.Option("--from", help="First local date, YYYY-MM-DD.", show_default=False)],
    date_to: Annotated[str, typer.Option("--to", help="Last local date, YYYY-MM-DD (included).", show_default=False)],
    tz: TzOption = None,
    top: Annotated[int, typer.Option("--top", help="Slots ranked 1..N by transactions (ties all shown).")] = 1,
    by: Annotated[
        Literal["slot", "weekday-hour"],
        typer.Option("--by", help="slot: busiest (date, hour) slots; weekday-hour: the 7 x 24 matrix."),
    ] = "slot",
    fmt: FormatOption = "table",
    warehouse: WarehouseOption = None,
) -> None:
    """When users engage most with a campaign: reward transactions per local date and hour.

    Transactions (every status) of the campaign's rewards are counted per (local date, local
    hour) in --tz, over the local dates --from to --to, both included: a transaction at
    2019-08-12 16:30 UTC counts on 2019-08-13 at hour 0 in a UTC+8 zone. The slots ranked
    1..--top by count are shown; slots tied with a shown slot are all shown. --by weekday-hour
    gives instead the count for every local day of week (1 = Monday) and hour, 0 where none.
    """
    from footfall.reports import rewards as reports

    filters = report_filters(tz, campaign=campaign, date_from=date_from, date_to=date_to)
    with open_warehouse(warehouse, read_only=True) as wh:
        if by == "slot":
            frame = reports.peak_engagement(wh, filters, top=top)
        else:
            frame = reports.engagement_by_weekday_hour(wh, filters)
    print_frame(frame, fmt, title=f"campaign {campaign}, {filters.date_from} – {filters.date_to} ({filters.tz})")


@app.command()
def weekly(
    reward: Annotated[
        str | None, typer.Option("--reward", help="One reward id (default: every reward).", show_default=False)
    ] = None,
    status: Annotated[
        str, typer.Option("--status", help="The transaction status to count (one the transactions hold).")
    ] = "redeemed",
    date_from: Annotated[
        str | None, typer.Option("--from", help="First local date counted (default: all).", show_default=False)
    ] = None,
    date_to: Annotated[
        str | None, typer.Option("--to", help="Last local date counted (default: all).", show_default=False)
    ] = None,
    tz: TzOption = None,
    fmt: FormatOption = "table",
    warehouse: WarehouseOption = None,
) -> None:
    """Weekly reward performance: transactions of --status per reward and local ISO week, with change.

    Weeks start on Monday in --tz. Every calendar week between a reward's first and last counted
    week is shown, with 0 where there were none. pct_change_vs_previous_week compares with the
    calendar week before (not the previous row), rounded to 2 decimals; it is empty (null) for
    a reward's first week and after a week of 0, where a change is undefined. The count column
    is named for the status: redeemed_count, issued_count, ...
    """
    from footfall.reports import rewards as reports

    filters = report_filters(tz, reward=reward, date_from=date_from, date_to=date_to)
    with open_warehouse(warehouse, read_only=True) as wh:
        frame = reports.weekly_reward_performance(wh, filters, status=status)
    print_frame(frame, fmt, title=f"weekly {status.strip().lower()} transactions ({filters.tz})")
