"""`footfall demo`: generate sample data, run every pipeline into the warehouse, then serve."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Annotated

import typer

from footfall.cli._common import WarehouseOption, console, open_warehouse, print_summary, user_errors
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
) -> None:
    """Generate realistic sample data, run every pipeline into the warehouse, print where results are, serve."""
    from footfall.config import get_settings
    from footfall.sessions.http_pipeline import archive_http_logs, load_http_log_archive, run_http_sessions
    from footfall.synth.http_log import HttpLogSpec, generate_http_log

    settings = get_settings()
    root = data_dir or settings.data_dir
    demo_dir = root / "demo"
    url = warehouse or f"duckdb:///{root / 'footfall.duckdb'}"
    with user_errors():
        demo_dir.mkdir(parents=True, exist_ok=True)
        log, mapping = demo_dir / "http.log", demo_dir / "campaign_reward_mapping.csv"
        console.rule("generating sample data")
        generate_http_log(HttpLogSpec(events=events, users=max(100, events // 40), seed=7), log, mapping_out=mapping)
        console.print(f"access log: {log}\nmapping:    {mapping}")
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
    if serve_after:
        console.rule("serving")
        serve(host=None, port=port, warehouse=url)
