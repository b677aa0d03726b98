"""`footfall synth …`: generate realistic sample data for demos, tests and benchmarks."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from footfall.cli._common import WarehouseOption, command_group, console, open_warehouse
from footfall.errors import InputError

app = command_group("Generate realistic, seeded sample data.")

ZoneOption = Annotated[
    str | None,
    typer.Option(
        "--tz",
        help="The IANA zone whose local day the activity follows (default FOOTFALL_REPORT_TZ).",
        show_default=False,
    ),
]

SeedOption = Annotated[int, typer.Option("--seed", help="Random seed.")]


def _zone(tz: str | None) -> str | None:
    """`tz` checked (a one-line error when it is not an IANA zone), or None for the report zone."""
    from footfall.zones import check_time_zone

    return None if tz is None else check_time_zone(tz)


def _check_folder(path: Path) -> None:
    """A one-line error when the folder `path` is to be written in does not exist."""
    if not path.parent.is_dir():
        raise InputError(f"{path}: folder {path.parent} does not exist")


@app.command("http-log")
def http_log(
    out: Annotated[Path, typer.Option("--out", help="The log file to write.", show_default=False)],
    events: Annotated[
        int, typer.Option("--events", help="Good lines to write (a few bad lines come on top).")
    ] = 100_000,
    users: Annotated[int, typer.Option("--users", help="Distinct users.")] = 10_000,
    seed: Annotated[int, typer.Option("--seed", help="Random seed: the same seed gives the same file.")] = 0,
    days: Annotated[int, typer.Option("--days", help="Days of activity, from 2019-08-01 local time.")] = 7,
    mapping_out: Annotated[
        Path | None,
        typer.Option("--mapping-out", help="Also write the campaign ↔ reward mapping CSV.", show_default=False),
    ] = None,
    tz: ZoneOption = None,
) -> None:
    """Write an access log with bursts and idle gaps, heavy-tailed users, Zipf campaigns and rewards,
    a daily rhythm in local time (--tz), unsorted lines, mixed UTC offsets and a few bad lines of every kind."""
    from footfall.synth.http_log import HttpLogSpec, generate_http_log

    if events < 1 or users < 1 or days < 1:
        raise InputError("--events, --users and --days must be at least 1")
    for path in (out, mapping_out):
        if path is not None:
            _check_folder(path)
    lines = generate_http_log(
        HttpLogSpec(events=events, users=min(users, 9_000_000), seed=seed, days=days, zone=_zone(tz)),
        out,
        mapping_out=mapping_out,
    )
    console.print(f"wrote {lines:,} lines to {out}" + (f" and the mapping to {mapping_out}" if mapping_out else ""))


@app.command()
def rewards(
    out_dir: Annotated[
        Path,
        typer.Option(
            "--out-dir",
            help="Folder for campaign.csv, reward_campaign.csv, reward_transaction.csv.",
            show_default=False,
        ),
    ],
    transactions: Annotated[int, typer.Option("--transactions", help="Reward transactions to write.")] = 20_000,
    campaigns: Annotated[int, typer.Option("--campaigns", help="Campaigns.")] = 8,
    rewards: Annotated[int, typer.Option("--rewards", help="Rewards across the campaigns.")] = 24,
    seed: SeedOption = 0,
) -> None:
    """Write rewards exports: Singapore daily rhythm, a week without transactions, issued/redeemed/expired,
    and a few bad rows (an orphan, a bad timestamp, a repeated id)."""
    from footfall.synth.rewards import RewardsSpec, generate_rewards

    if min(transactions, campaigns, rewards) < 1:
        raise InputError("--transactions, --campaigns and --rewards must be at least 1")
    paths = generate_rewards(
        RewardsSpec(transactions=transactions, campaigns=campaigns, rewards=rewards, seed=seed), out_dir
    )
    console.print("wrote " + ", ".join(str(p) for p in paths.values()))


@app.command("shop-events")
def shop_events(
    out: Annotated[Path, typer.Option("--out", help="The JSON-lines file to write.", show_default=False)],
    events: Annotated[
        int, typer.Option("--events", help="Good lines to write (a few bad lines come on top).")
    ] = 100_000,
    days: Annotated[int, typer.Option("--days", help="Days of activity, from 2022-04-28 UTC.")] = 30,
    seed: SeedOption = 0,
) -> None:
    """Write web-shop events: logged-in and anonymous visitors, referrers, devices, multi-visit journeys
    ending in orders for about 30 % of customers, lines out of time order, a few malformed lines."""
    from footfall.synth.shop_events import ShopSpec, generate_shop_events

    if events < 1 or days < 1:
        raise InputError("--events and --days must be at least 1")
    _check_folder(out)
    lines = generate_shop_events(ShopSpec(events=events, days=days, seed=seed), out)
    console.print(f"wrote {lines:,} lines to {out}")


@app.command("split-hourly")
def split_hourly(
    file: Annotated[Path, typer.Argument(help="A generated access log or shop-events file.", show_default=False)],
    out_dir: Annotated[Path, typer.Option("--out-dir", help="Folder for the hourly files.", show_default=False)],
    kind: Annotated[str, typer.Option("--kind", help="http-log or shop-events.")] = "http-log",
    late_fraction: Annotated[
        float, typer.Option("--late-fraction", help="Share of lines delivered in a later hour's file.")
    ] = 0.01,
    max_delay: Annotated[int, typer.Option("--max-delay-minutes", help="Longest delivery delay.")] = 50,
    seed: SeedOption = 0,
) -> None:
    """Split a file into hourly files by UTC hour, as servers deliver them (for trying --incremental)."""
    from footfall.synth.hourly import split_hourly as split

    if kind not in ("http-log", "shop-events"):
        raise InputError(f"bad --kind {kind!r}: use http-log or shop-events")
    if not file.is_file():
        raise InputError(f"{file}: no such file")
    paths = split(file, out_dir, kind=kind, late_fraction=late_fraction, max_delay_minutes=max_delay, seed=seed)
    console.print(f"wrote {len(paths)} hourly files to {out_dir}")


@app.command()
def applications(
    out_dir: Annotated[Path, typer.Option("--out-dir", help="Inbox folder to write CSVs into.", show_default=False)],
    files: Annotated[int, typer.Option("--files", help="CSV files.")] = 3,
    rows: Annotated[int, typer.Option("--rows", help="Applications per file.")] = 200,
    seed: SeedOption = 0,
) -> None:
    """Write membership application CSVs: every date shape, titles and suffixes, and mistakes."""
    from footfall.synth.members import generate_applications

    if files < 1 or rows < 1:
        raise InputError("--files and --rows must be at least 1")
    paths = generate_applications(out_dir, files=files, rows=rows, seed=seed)
    console.print(f"wrote {len(paths)} files to {out_dir}")


@app.command()
def sales(
    orders: Annotated[int, typer.Option("--orders", help="Orders to generate.")] = 2_000,
    seed: SeedOption = 0,
    warehouse: WarehouseOption = None,
) -> None:
    """Generate items and orders for the members in the warehouse and load them (replacing earlier sales)."""
    from footfall.members.sales import replace_sales
    from footfall.reports.sales import member_ids
    from footfall.synth.members import generate_sales

    with open_warehouse(warehouse) as wh:
        members = member_ids(wh)
        if not members:
            raise InputError("no members in the warehouse: run `footfall members process` first")
        summary = replace_sales(wh, generate_sales(members, orders=orders, seed=seed))
    console.print(f"loaded {summary.written:,} sales rows for {len(members):,} members")


@app.command()
def vouchers(
    out: Annotated[Path, typer.Option("--out", help="The voucher export CSV to write.", show_default=False)],
    count: Annotated[int, typer.Option("--vouchers", help="Vouchers to write (3 bad rows come on top).")] = 30_000,
    users: Annotated[int, typer.Option("--users", help="Distinct users.")] = 3_000,
    days: Annotated[int, typer.Option("--days", help="Days of issues, from 2024-01-01 local time.")] = 182,
    seed: SeedOption = 0,
    tz: ZoneOption = None,
) -> None:
    """Write a voucher export: members who join, come back at their own rate and some of whom lapse (BG/NBD-like),
    seasonality, issues by day in local time (--tz), redemption delays, expiries after 30 days, 60 rewards in
    six categories, users with tastes, user demographics, and three bad rows."""
    from footfall.synth.vouchers import VouchersSpec, generate_vouchers

    if min(count, users, days) < 1:
        raise InputError("--vouchers, --users and --days must be at least 1")
    rows = generate_vouchers(VouchersSpec(vouchers=count, users=users, days=days, seed=seed, zone=_zone(tz)), out)
    console.print(f"wrote {rows:,} vouchers to {out}")


@app.command()
def covid(
    out: Annotated[Path, typer.Option("--out", help="The time-series CSV to write.", show_default=False)],
    layout: Annotated[str, typer.Option("--layout", help="owid (long) or jhu (JHU CSSE wide).")] = "owid",
    seed: SeedOption = 0,
) -> None:
    """Write a plausible Singapore COVID-19 daily case series, 2020-01-23 to 2022-12-31."""
    from footfall.synth.covid import generate_covid

    if layout not in ("owid", "jhu"):
        raise InputError(f"bad --layout {layout!r}: use owid or jhu")
    rows = generate_covid(out, seed=seed, layout=layout)
    console.print(f"wrote {rows:,} rows to {out}")
