"""`footfall serve`: the dashboard and the API on one port (docs/serving.md)."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from footfall.cli._common import WarehouseOption, err_console
from footfall.cli.registry_commands import RegistryOption
from footfall.errors import InputError


def serve(
    host: Annotated[
        str | None,
        typer.Option(
            "--host",
            help="Interface to listen on (default FOOTFALL_HOST or 127.0.0.1). Any address but loopback needs "
            "authentication: FOOTFALL_SECRET_KEY set, and tokens from footfall auth token create.",
            show_default=False,
        ),
    ] = None,
    port: Annotated[
        int | None, typer.Option("--port", help="Port (default FOOTFALL_PORT or 8000).", show_default=False)
    ] = None,
    health_port: Annotated[
        int | None,
        typer.Option(
            "--health-port",
            min=1,
            max=65535,
            help="Also answer GET /health on this port, from a thread of its own, so health checks are answered at "
            "once however busy the main port is; 503 when the server's event loop has stalled (default "
            "FOOTFALL_HEALTH_PORT; none when unset).",
            show_default=False,
        ),
    ] = None,
    warehouse: WarehouseOption = None,
    registry: RegistryOption = None,
    sagemaker: Annotated[
        bool,
        typer.Option(
            "--sagemaker",
            help="Serve the SageMaker inference contract instead: GET /ping and POST /invocations on 0.0.0.0:8080 "
            "(unless --host/--port say otherwise), models from --registry or /opt/ml/model. Also when "
            "FOOTFALL_SAGEMAKER is set, so that the image's `serve` argument does this inside SageMaker.",
        ),
    ] = False,
) -> None:
    """Serve the dashboard (at /) and the REST API (OpenAPI docs at /docs) over the warehouse."""
    import uvicorn

    from footfall.api import create_app
    from footfall.api.access import auth_required, check_secret
    from footfall.api.process import check_port_free
    from footfall.config import get_settings
    from footfall.warehouse import connect

    settings = get_settings()
    if sagemaker or settings.sagemaker:  # docs/deploy.md: the SageMaker inference contract
        from footfall.api.sagemaker import serve_sagemaker

        serve_sagemaker(host=host, port=port, model_dir=registry, warehouse=warehouse)
        return
    url = warehouse or settings.warehouse_url()
    where = (host or settings.host, port or settings.port)
    checks_port = health_port or settings.health_port
    if checks_port == where[1]:
        raise InputError(f"bad {{param}} {checks_port}: it is the main port; pick another", param="health_port")
    required = auth_required(where[0], settings.auth)
    if required:
        check_secret(where[0], settings.secret_key.get_secret_value() if settings.secret_key else None)
    with connect(url, must_exist=True) as wh:  # bring the schema up to date, so read-only requests find it
        tokens = int(wh.query("SELECT count(*) AS n FROM api_tokens WHERE revoked_at IS NULL")["n"][0])
    if required and not tokens:
        err_console.print(
            "warning: authentication is on and no token exists yet: create one with "
            "footfall auth token create --role admin",
            highlight=False,
            soft_wrap=True,
        )
    check_port_free(*where)
    if checks_port is not None:
        check_port_free(where[0], checks_port)
    _log_to_stderr()
    # The event loop shares the GIL with the threads running queries; handing it over every 1 ms
    # instead of 5 ms keeps /health and refusals quick while queries run (docs/serving.md).
    sys.setswitchinterval(0.001)
    uvicorn.run(
        create_app(url, models=registry, host=where[0], health_port=checks_port),
        host=where[0],
        port=where[1],
        log_level="info",
        access_log=False,  # footfall's own, cheaper (FOOTFALL_ACCESS_LOG, docs/serving.md#the-access-log)
        server_header=False,
        timeout_graceful_shutdown=5,
    )


def _log_to_stderr() -> None:
    """footfall's own log lines (the read pool, sign-ins refused, bugs) beside uvicorn's."""
    import logging

    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(levelname)s:     %(name)s: %(message)s"))
    for name in ("footfall", "psycopg.pool"):
        logger = logging.getLogger(name)
        logger.addHandler(handler)
        logger.setLevel(logging.INFO if name == "footfall" else logging.WARNING)
