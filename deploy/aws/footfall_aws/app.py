"""The CDK app: `Footfall-Shared`, and per stage `Footfall-<stage>-Data`, `-Services` and `-Serving`."""

from __future__ import annotations

import sys
from typing import Any

import aws_cdk as cdk

from footfall_aws.config import ContextError, read_context
from footfall_aws.data import DataStack
from footfall_aws.services import ServicesStack
from footfall_aws.serving import ServingStack
from footfall_aws.shared import SharedStack

__all__ = ["build_app", "main"]


def build_app(context: dict[str, Any] | None = None, *, outdir: str | None = None) -> cdk.App:
    """The app and its stacks for the context's stage (tests pass `context`; the `cdk` CLI, the environment)."""
    app = cdk.App(context=context, outdir=outdir)
    deployment = read_context(app.node.try_get_context)
    env = cdk.Environment(account=deployment.account, region=deployment.region)
    stage = deployment.stage.name
    SharedStack(app, "Footfall-Shared", deployment=deployment, env=env)
    data = DataStack(app, f"Footfall-{stage}-Data", deployment=deployment, env=env)
    ServicesStack(app, f"Footfall-{stage}-Services", deployment=deployment, data=data, env=env)
    if deployment.model_data_url is not None:  # the first deployment has no model yet: docs/deploy.md
        ServingStack(app, f"Footfall-{stage}-Serving", deployment=deployment, data=data, env=env)
    for stack in app.node.children:
        if isinstance(stack, cdk.Stack):
            cdk.Tags.of(stack).add("project", "footfall")
            cdk.Tags.of(stack).add("stage", stage)
    return app


def main() -> None:
    """Synthesize; a bad context value is one line on stderr and exit code 2."""
    try:
        app = build_app()
    except ContextError as exc:
        sys.stderr.write(f"error: {exc}\n")
        raise SystemExit(2) from None
    app.synth()
