"""The demo's steps, in order: each generates one kind of sample input and runs its pipeline."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from footfall.demo import REFERENCE_DATE, SEED, DemoStep
from footfall.reports.filters import Filters
from footfall.warehouse import Warehouse

__all__ = ["SHOP_EVENTS", "STEPS", "DemoContext"]

# the shop's size does not follow `events` (the access log's): the README's `/metrics/orders`
# example (`footfall synth shop-events --events 100000 --seed 7`) is what every demo serves
SHOP_EVENTS = 100_000


@dataclass
class DemoContext:
    """What every step reads and writes: the demo folder, the warehouse, the outputs to report."""

    folder: Path
    data_dir: Path
    warehouse: Warehouse
    events: int
    report_tz: str | None
    outputs: dict[str, str]

    def filters(self, **chosen: object) -> Filters:
        """Report filters in the demo's zone (the setting unless the demo was given one)."""
        zone = {"tz": self.report_tz} if self.report_tz else {}
        return Filters(**chosen, **zone)  # type: ignore[arg-type]


def http_logs(ctx: DemoContext) -> DemoStep:
    """An access log → sessions with attribution, and its lossless Avro archive → the warehouse."""
    import polars as pl

    from footfall.sessions.http_pipeline import archive_http_logs, load_http_log_archive, run_http_sessions
    from footfall.synth.http_log import HttpLogSpec, generate_http_log

    log, mapping = ctx.folder / "http.log", ctx.folder / "campaign_reward_mapping.csv"
    # the app's campaigns and rewards are the rewards export's (loaded first), so reports can name them
    programme = pl.read_csv(ctx.folder / "rewards" / "reward_campaign.csv", infer_schema=False)
    links = programme.select("campaign_id", reward_id="id")
    spec = HttpLogSpec(events=ctx.events, users=max(100, ctx.events // 40), seed=SEED, days=28, zone=ctx.report_tz)
    generate_http_log(spec, log, mapping_out=mapping, links=links)
    report, archive = ctx.folder / "http_sessions.parquet", ctx.folder / "http_log.avro"
    sessions = run_http_sessions([log], mapping=mapping, out=report, warehouse=ctx.warehouse)
    archived = archive_http_logs([log], out=archive)
    loaded = load_http_log_archive([archive], warehouse=ctx.warehouse)
    n, driven = (
        pl.scan_parquet(report).select(pl.len(), pl.col("reward_driven_by_campaign_view").mean()).collect().row(0)
    )
    ctx.outputs.update(
        {
            "access log": str(log),
            "sessions report": f"{report} ({n:,} sessions, {driven or 0:.1%} reward-driven)",
            "Avro archive": str(archive),
        }
    )
    return DemoStep("HTTP-log sessions and the Avro archive", [sessions, archived, loaded])


def rewards(ctx: DemoContext) -> DemoStep:
    """Rewards exports → campaign, reward and transaction tables; the two rewards reports."""
    from footfall.reports.rewards import peak_engagement, weekly_reward_performance
    from footfall.rewards.load import load_rewards
    from footfall.synth.rewards import RewardsSpec, generate_rewards

    exports = generate_rewards(RewardsSpec(seed=SEED), ctx.folder / "rewards")
    loaded = load_rewards(
        campaigns=exports["campaigns"],
        rewards=exports["rewards"],
        transactions=exports["transactions"],
        warehouse=ctx.warehouse,
    )
    span = ctx.filters(campaign="1", date_from=date(2019, 7, 1), date_to=date(2019, 9, 30))
    peak = peak_engagement(ctx.warehouse, span, top=3)
    weekly = weekly_reward_performance(ctx.warehouse, ctx.filters(reward="1"))
    tables = [
        (f"peak engagement, campaign 1, Jul-Sep 2019 ({span.tz})", peak),
        (f"weekly redemptions of reward 1 ({span.tz})", weekly),
    ]
    ctx.outputs["rewards exports"] = str(ctx.folder / "rewards")
    return DemoStep("rewards", [loaded], tables)


def shop(ctx: DemoContext) -> DemoStep:
    """Web-shop events → customer sessions; the order metrics the API serves."""
    import polars as pl

    from footfall.reports.shop import order_metrics
    from footfall.sessions.shop_pipeline import run_shop_sessions
    from footfall.synth.shop_events import ShopSpec, generate_shop_events

    events = ctx.folder / "shop_events.jsonl"
    generate_shop_events(ShopSpec(events=SHOP_EVENTS, seed=SEED), events)  # the README's example data
    summary = run_shop_sessions([events], warehouse=ctx.warehouse)
    orders = pl.DataFrame([order_metrics(ctx.warehouse, ctx.filters())])
    ctx.outputs["shop events"] = str(events)
    return DemoStep("web-shop sessions", [summary], [("GET /metrics/orders", orders)])


def members(ctx: DemoContext) -> DemoStep:
    """Three hourly drops of applications → three member batches; sales to the members; top lists."""
    from footfall.members.inbox import process_inbox
    from footfall.members.sales import replace_sales
    from footfall.reports.sales import member_ids, top_items, top_members
    from footfall.synth.members import generate_applications, generate_sales

    inbox, out = ctx.folder / "members" / "inbox", ctx.folder / "members"
    batches = []
    this_hour = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    for hours_ago, seed in ((2, SEED), (1, SEED + 1), (0, SEED + 2)):  # three hourly drops, three batches
        generate_applications(inbox, files=1, rows=300, seed=seed)
        at = this_hour - timedelta(hours=hours_ago)  # the batch is cut at its hour, as the hourly schedule does
        batches.append(process_inbox(inbox, out, reference_date=REFERENCE_DATE, warehouse=ctx.warehouse, now=at))
    replace_sales(ctx.warehouse, generate_sales(member_ids(ctx.warehouse), orders=3_000, seed=SEED))
    tables = [
        ("top 10 members by spending", top_members(ctx.warehouse, n=10)),
        ("top 3 items by times bought", top_items(ctx.warehouse, n=3)),
    ]
    ctx.outputs["member batches"] = f"{out} (successful/, unsuccessful/, archive/)"
    return DemoStep("membership applications and sales", batches, tables)


def vouchers_covid_recommender(ctx: DemoContext) -> DemoStep:
    """Vouchers and COVID-19 cases → their tables; a recommender trained on the vouchers."""
    from footfall.covid.load import load_covid
    from footfall.synth.covid import generate_covid
    from footfall.synth.vouchers import VouchersSpec, generate_vouchers
    from footfall.vouchers.load import load_vouchers
    from footfall.vouchers.recommend import train_voucher_model

    vouchers_csv, covid_csv = ctx.folder / "vouchers.csv", ctx.folder / "covid_cases.csv"
    # 52 weeks of the programme (2024-01-01 to 12-29, whole weeks): the sale in June, and a holdout in the
    # autumn like the weeks before it
    generate_vouchers(VouchersSpec(seed=SEED, days=364, zone=ctx.report_tz), vouchers_csv)
    loaded = [load_vouchers(vouchers_csv, warehouse=ctx.warehouse)]
    generate_covid(covid_csv, seed=SEED)
    loaded.append(load_covid(covid_csv, warehouse=ctx.warehouse))
    models = ctx.data_dir / "models"
    notes = []
    if not (models / "current").is_file():
        notes.append(f"model: {train_voucher_model(ctx.warehouse, models)} (on the vouchers)")
    ctx.outputs["models"] = str(models)
    return DemoStep("vouchers, COVID-19 cases, a recommender on the vouchers", loaded, notes=notes)


def customer_models(ctx: DemoContext) -> DemoStep:
    """Customer segments and return predictions trained on the warehouse's transactions (docs/ml.md)."""
    from footfall.ml.pipeline import train_from_warehouse

    models = ctx.data_dir / "models"
    notes = []
    if not (models / "ml" / "segments" / "current").is_file():
        notes = [f"customer models: {line}" for line in train_from_warehouse(ctx.warehouse, models_root=models)]
    return DemoStep("customer segments and predictions", notes=notes)


# rewards first: the access log's campaigns and rewards are the rewards export's
STEPS: list[Callable[[DemoContext], DemoStep]] = [
    rewards,
    http_logs,
    shop,
    members,
    vouchers_covid_recommender,
    customer_models,
]
