"""`footfall sagemaker …`: ship the registry's current model to a SageMaker endpoint (docs/deploy.md)."""

from __future__ import annotations

from typing import Annotated

import typer

from footfall.cli._common import command_group, console
from footfall.cli.registry_commands import RegistryOption, registry_path

app = command_group("SageMaker: publish the current model and roll an endpoint onto it.")


@app.command()
def publish(
    to: Annotated[
        str,
        typer.Option("--to", help="Where artifacts go: s3://bucket/prefix (<version>/model.tar.gz and latest.json)."),
    ],
    endpoint: Annotated[
        str | None,
        typer.Option("--endpoint", help="A SageMaker endpoint to switch onto the published model.", show_default=False),
    ] = None,
    registry: RegistryOption = None,
) -> None:
    """Upload the registry's current model as a SageMaker model artifact; with --endpoint, update that endpoint.

    The promotion gate is `footfall recsys train --promote`: this ships whatever is current, and
    leaves an endpoint alone when it serves that version already. AWS credentials come from the
    environment (a task role, OIDC in CI).
    """
    from footfall.deploy.sagemaker import publish_current
    from footfall.recsys.registry import Registry

    done = publish_current(Registry(registry_path(registry)), s3_uri=to, endpoint=endpoint)
    console.print(f"published {done.version} to {done.model_data_url}", highlight=False)
    if done.endpoint is not None:
        console.print(("updated: " if done.endpoint_updated else "unchanged: ") + done.reason, highlight=False)
