"""Looking into the synthesized templates (tests/deploy/conftest.py synthesizes them once per session)."""

from __future__ import annotations

from typing import Any

from tests.deploy.conftest import Synthesized

STACKS = ("Footfall-Shared", "Footfall-{stage}-Data", "Footfall-{stage}-Services", "Footfall-{stage}-Serving")


def template(synthesized: dict[str, Synthesized], stage: str, stack: str) -> Any:
    from aws_cdk.assertions import Template

    return Template.from_json(synthesized[stage].templates[stack.format(stage=stage)])


def resources(synthesized: dict[str, Synthesized], kind: str) -> list[tuple[str, dict[str, Any]]]:
    """(stage/stack/id, properties) of every resource of `kind` in both stages."""
    found = []
    for stage, synth in synthesized.items():
        for stack, body in synth.templates.items():
            for name, resource in body["Resources"].items():
                if resource["Type"] == kind:
                    found.append((f"{stage}/{stack}/{name}", resource.get("Properties", {})))
    return found


def statements(synthesized: dict[str, Synthesized]) -> list[tuple[str, dict[str, Any]]]:
    """Every IAM policy statement (identity policies, role inline policies) in both stages."""
    found = []
    for kind in ("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy", "AWS::IAM::Role"):
        for where, props in resources(synthesized, kind):
            documents = [props.get("PolicyDocument")] + [p["PolicyDocument"] for p in props.get("Policies", [])]
            found += [(where, s) for d in documents if d for s in d["Statement"]]
    return found


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]
