"""Policy-check exceptions written where the resource is made: checkov reads them from the template's Metadata."""

from __future__ import annotations

from typing import Any

from aws_cdk import CfnResource
from constructs import IConstruct

__all__ = ["skip_checks"]


def skip_checks(construct: Any, **reasons: str) -> None:
    """Record on `construct`'s CloudFormation resource that checkov's checks `reasons` (id=why) do not apply."""
    resource = construct if isinstance(construct, CfnResource) else _resource(construct)
    previous = resource.get_metadata("checkov") or {"skip": []}
    skips = previous["skip"] + [{"id": check, "comment": why} for check, why in reasons.items()]
    resource.add_metadata("checkov", {"skip": skips})


def _resource(construct: IConstruct) -> CfnResource:
    child = construct.node.default_child
    if not isinstance(child, CfnResource):
        raise TypeError(f"{construct.node.path} has no CloudFormation resource to annotate")
    return child
