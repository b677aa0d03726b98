"""`footfall demo`: generate sample data, run every pipeline into the warehouse, then serve."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Annotated

import typer

from footfall.cli._common import WarehouseOption, console, open_warehouse, print_frame, print_summary, user_errors
from footfall.cli.serve import serve


def demo(
    serve_after: Annotated[
        bool, typer.Option("--serve/--no-serve", help="Serve the API when the pipelines are done.")
    ] = True,
    warehouse: WarehouseOption = None,
    data_dir: Annotated[
        Path | None,
        typer.Option(
            "--data-dir",
            help="Where sample data and outputs go (default FOOTFALL_DATA_DIR or ./footfall-data).",
            show_default=False,
        ),
    ] = None,
    events: Annotated[int, typer.Option("--events", help="Size of the generated access log.")] = 200_000,
    port: Annotated[int | None, typer.Option("--port", help="Port to serve on.", show_default=False)] = None,
    orchestrate: Annotated[
        bool,
        typer.Option(
            "--orchestrate",
            help="Also drop the sample inputs into DATA_DIR/inbox and start the Dagster UI and daemon "
            "(http://127.0.0.1:3000, FOOTFALL_ORCHESTRATE_PORT) beside the API; its sensors process the inputs.",
        ),
    ] = False,
) -> None:
    """Generate realistic sample data, run every pipeline into the warehouse, print where results are, serve."""
    from footfall.config import get_settings
    from footfall.covid.load import load_covid
    from footfall.members.inbox import process_inbox
    from footfall.members.sales import replace_sales
    from footfall.reports.rewards import peak_engagement, weekly_reward_performance
    from footfall.reports.sales import top_items, top_members
    from footfall.reports.shop import order_metrics
    from footfall.rewards.load import load_rewards
    from footfall.sessions.http_pipeline import archive_http_logs, load_http_log_archive, run_http_sessions
    from footfall.sessions.shop_pipeline import run_shop_sessions
    from footfall.synth.covid import generate_covid
    from footfall.synth.http_log import HttpLogSpec, generate_http_log
    from footfall.synth.members import generate_applications, generate_sales
    from footfall.synth.rewards import RewardsSpec, generate_rewards
    from footfall.synth.shop_events import ShopSpec, generate_shop_events
    from footfall.synth.vouchers import VouchersSpec, generate_vouchers
    from footfall.vouchers.load import load_vouchers
    from footfall.vouchers.recommend import train_voucher_model

    settings = get_settings()
    root = data_dir or settings.data_dir
    demo_dir = root / "demo"
    url = warehouse or f"duckdb:///{root / 'footfall.duckdb'}"
    with user_errors():
        demo_dir.mkdir(parents=True, exist_ok=True)
        log, mapping = demo_dir / "http.log", demo_dir / "campaign_reward_mapping.csv"
        console.rule("generating sample data")
        generate_http_log(
            HttpLogSpec(events=events, users=max(100, events // 40), seed=7, days=28), log, mapping_out=mapping
        )
        exports = generate_rewards(RewardsSpec(seed=7), demo_dir / "rewards")
        shop_file = demo_dir / "shop_events.jsonl"
        generate_shop_events(ShopSpec(events=events, seed=7), shop_file)
        console.print(
            f"access log: {log}\nmapping:    {mapping}\nrewards:    {demo_dir / 'rewards'}\nshop:       {shop_file}"
        )
        with open_warehouse(url) as wh:
            console.rule("HTTP-log sessions")
            print_summary(
                run_http_sessions(
                    [log],
                    mapping=mapping,
                    out=demo_dir / "http_sessions.parquet",
                    gap=timedelta(minutes=5),
                    warehouse=wh,
                )
            )
            console.rule("Avro archive → warehouse")
            archive = archive_http_logs([log], out=demo_dir / "http_log.avro")
            print_summary(archive)
            print_summary(load_http_log_archive([demo_dir / "http_log.avro"], warehouse=wh))
            console.rule("rewards")
            print_summary(
                load_rewards(
                    campaigns=exports["campaigns"],
                    rewards=exports["rewards"],
                    transactions=exports["transactions"],
                    warehouse=wh,
                )
            )
            tz = settings.report_tz
            print_frame(
                peak_engagement(wh, campaign="1", date_from=date(2019, 7, 1), date_to=date(2019, 9, 30), tz=tz, top=3),
                "table",
                title=f"peak engagement, campaign 1, Jul-Sep 2019 ({tz})",
            )
            weekly = weekly_reward_performance(wh, tz=tz, reward="1")
            print_frame(weekly, "table", title=f"weekly redemptions of reward 1 ({tz})")
            console.rule("web-shop sessions")
            print_summary(run_shop_sessions([shop_file], gap=timedelta(minutes=30), warehouse=wh))
            orders = order_metrics(wh)
            console.rule("membership applications and sales")
            inbox = demo_dir / "members" / "inbox"
            for seed in (7, 8, 9):  # three hourly drops, three batches
                generate_applications(inbox, files=1, rows=300, seed=seed)
                batch = process_inbox(inbox, demo_dir / "members", reference_date=date(2022, 1, 1), warehouse=wh)
                print_summary(batch)
            members = wh.query("SELECT membership_id FROM members ORDER BY membership_id")["membership_id"].to_list()
            replace_sales(wh, generate_sales(members, orders=3_000, seed=7))
            print_frame(top_members(wh, n=10), "table", title="top 10 members by spending")
            print_frame(top_items(wh, n=3), "table", title="top 3 items by times bought")
            console.rule("vouchers, COVID-19 cases, a recommender on the vouchers")
            vouchers_csv, covid_csv, models = demo_dir / "vouchers.csv", demo_dir / "covid_cases.csv", root / "models"
            generate_vouchers(VouchersSpec(seed=7), vouchers_csv)
            print_summary(load_vouchers(vouchers_csv, warehouse=wh))
            generate_covid(covid_csv, seed=7)
            print_summary(load_covid(covid_csv, warehouse=wh))
            if not (models / "current").is_file():
                console.print(f"model:            {train_voucher_model(wh, models)} (ease, on redeemed vouchers)")
            if not (models / "ml" / "segments" / "current").is_file():
                from footfall.ml.pipeline import train_from_warehouse

                for line in train_from_warehouse(wh, models_root=models):
                    console.print(f"customer models:  {line}", highlight=False)
            sessions = wh.query(
                "SELECT count(*) AS n, avg(CASE WHEN reward_driven_by_campaign_view THEN 1.0 ELSE 0 END) "
                "AS driven FROM http_sessions"
            )
    console.rule("results")
    console.print(f"warehouse:        {url}  (tables http_log, http_log_rejects, http_sessions, runs)")
    console.print(
        f"sessions report:  {demo_dir / 'http_sessions.parquet'}  "
        f"({sessions['n'][0]:,} sessions, {sessions['driven'][0]:.1%} reward-driven)"
    )
    console.print(f"Avro archive:     {demo_dir / 'http_log.avro'}")
    console.print(f"member batches:   {demo_dir / 'members'}  (successful/, unsuccessful/, archive/)")
    console.print(f"shop orders:      {orders}  (GET /metrics/orders)")
    console.print(
        "rewards reports:  footfall rewards peak-engagement --campaign 1 --from 2019-07-01 --to 2019-09-30; "
        "footfall rewards weekly"
    )
    if orchestrate:
        _serve_beside_orchestrator(root, url, events=events, serve_after=serve_after, port=port)
    elif serve_after:
        console.rule("serving")
        console.print(f"dashboard:        http://{get_settings().host}:{port or settings.port}/")
        serve(host=None, port=port, warehouse=url, registry=root / "models")


def _serve_beside_orchestrator(root: Path, url: str, *, events: int, serve_after: bool, port: int | None) -> None:
    """Stage the sample inputs in the inbox, start `footfall orchestrate`'s processes, serve; stop them after."""
    from footfall.config import get_settings
    from footfall.orchestration.process import start_orchestrator, stop_orchestrator
    from footfall.orchestration.sample import stage_sample_inputs

    console.rule("orchestration")
    stage_sample_inputs(root, events=events, seed=7)
    ui_port = get_settings().orchestrate_port
    env = {"FOOTFALL_DATA_DIR": str(root.resolve()), "FOOTFALL_WAREHOUSE": url}
    proc = start_orchestrator(port=ui_port, home=root / "dagster", env=env)
    console.print(
        f"Dagster UI:       http://127.0.0.1:{ui_port}  (sample inputs in {root / 'inbox'}; its sensors start runs, "
        "or 'Materialize all' in the asset graph)"
    )
    try:
        if serve_after:
            console.rule("serving")
            console.print(f"dashboard:        http://{get_settings().host}:{port or get_settings().port}/")
            serve(host=None, port=port, warehouse=url, registry=root / "models")
        else:
            proc.wait()
    except KeyboardInterrupt:
        pass
    finally:
        stop_orchestrator(proc)
