"""`footfall orchestrate`: the Dagster UI and daemon on loopback with footfall's asset graph."""

import signal
from types import FrameType
from typing import Annotated

import typer

from footfall.cli._common import console


def orchestrate(
    port: Annotated[
        int | None,
        typer.Option(
            "--port", help="Port of the Dagster UI (default FOOTFALL_ORCHESTRATE_PORT or 3000).", show_default=False
        ),
    ] = None,
) -> None:
    """Start the Dagster UI and daemon on 127.0.0.1: the asset graph, runs, schedules and sensors.

    Inputs are read from FOOTFALL_DATA_DIR/inbox/{logs,shop,rewards,members}; the instance
    (run history) lives in FOOTFALL_DATA_DIR/dagster. Ctrl-C (or SIGTERM) stops the UI, the daemon and
    every process they started within 10 seconds. See docs/orchestration.md.
    """
    from footfall.config import get_settings
    from footfall.orchestration.process import start_orchestrator, stop_orchestrator, wait_for
    from footfall.orchestration.resources import resources_for

    settings = get_settings()
    chosen = port or settings.orchestrate_port
    resources_for(settings)  # a bad FOOTFALL_DEPLOYMENT or a missing warehouse URL: one line, exit 2
    proc = start_orchestrator(port=chosen, home=settings.data_dir / "dagster")
    console.print(f"Dagster UI on http://127.0.0.1:{chosen} (data dir {settings.data_dir}); Ctrl-C stops it")

    def stop(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        wait_for(proc)
    except KeyboardInterrupt:
        console.print("stopping the Dagster UI and daemon…")
    finally:
        stop_orchestrator(proc)
        signal.signal(signal.SIGTERM, previous)
    if proc.returncode not in (0, -signal.SIGINT, -signal.SIGKILL, 130):
        raise typer.Exit(code=1)
