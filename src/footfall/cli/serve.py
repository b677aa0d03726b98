"""`footfall serve`: the API (and, as it grows, the dashboard) on one port."""

from __future__ import annotations

from typing import Annotated

import typer

from footfall.cli._common import WarehouseOption
from footfall.cli.recsys import RegistryOption


def serve(
    host: Annotated[
        str | None,
        typer.Option("--host", help="Interface to listen on (default FOOTFALL_HOST or 127.0.0.1).", show_default=False),
    ] = None,
    port: Annotated[
        int | None, typer.Option("--port", help="Port (default FOOTFALL_PORT or 8000).", show_default=False)
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
    from footfall.api.process import check_port_free
    from footfall.config import get_settings
    from footfall.warehouse import connect

    settings = get_settings()
    if sagemaker or settings.sagemaker:  # docs/deploy.md: the SageMaker inference contract
        from footfall.api.sagemaker import serve_sagemaker

        serve_sagemaker(host=host, port=port, model_dir=registry, warehouse=warehouse)
        return
    url = warehouse or settings.warehouse_url()
    connect(url, must_exist=True).close()  # bring the schema up to date, so read-only requests find it
    where = (host or settings.host, port or settings.port)
    check_port_free(*where)
    uvicorn.run(create_app(url, models=registry), host=where[0], port=where[1], log_level="info")
