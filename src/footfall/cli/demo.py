"""`footfall demo`: generate sample data, run every pipeline into the warehouse, then serve."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from footfall.cli._common import WarehouseOption, console, print_frame, print_summary
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
    from footfall.demo import DemoStep, run_demo

    settings = get_settings()
    root = data_dir or settings.data_dir

    def show(step: DemoStep) -> None:
        console.rule(step.title)
        for summary in step.summaries:
            print_summary(summary)
        for title, frame in step.tables:
            print_frame(frame, "table", title=title)
        for note in step.notes:
            console.print(note)

    result = run_demo(root, warehouse_url=warehouse, events=events, on_step=show)
    console.rule("results")
    for label, where in {"warehouse": result.warehouse_url, **result.outputs}.items():
        console.print(f"{label + ':':<18}{where}", highlight=False, soft_wrap=True)
    console.print(
        "rewards reports:  footfall rewards peak-engagement --campaign 1 --from 2019-07-01 --to 2019-09-30; "
        "footfall rewards weekly"
    )
    url = result.warehouse_url
    if orchestrate:
        _serve_beside_orchestrator(root, url, events=events, serve_after=serve_after, port=port)
    elif serve_after:
        console.rule("serving")
        console.print(f"dashboard:        http://{settings.host}:{port or settings.port}/")
        serve(host=None, port=port, warehouse=url, registry=root / "models")


def _serve_beside_orchestrator(root: Path, url: str, *, events: int, serve_after: bool, port: int | None) -> None:
    """Stage the sample inputs in the inbox, start `footfall orchestrate`'s processes, serve; stop them after."""
    from footfall.config import get_settings
    from footfall.orchestration.process import start_orchestrator, stop_orchestrator, wait_for
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
            wait_for(proc)
    except KeyboardInterrupt:
        pass
    finally:
        stop_orchestrator(proc)
