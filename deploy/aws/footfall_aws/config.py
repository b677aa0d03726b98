"""What differs between stages, and the context values a synthesis reads (each checked: one-line errors).

`cdk synth -c stage=dev -c image_tag=<git sha> -c certificate_arn=arn:aws:acm:... -c github_repo=owner/name`;
the table of values is in docs/deploy.md.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from typing import Any

__all__ = ["STAGES", "ContextError", "Deployment", "Stage", "read_context"]


class ContextError(ValueError):
    """A context value is missing or outside its allowed set; the message is one line."""


@dataclass(frozen=True, kw_only=True)
class Stage:
    """Sizes and safety settings of one stage."""

    name: str
    nat_gateways: int
    db_instance: str
    db_multi_az: bool
    db_storage_gb: int
    db_backup_days: int
    retain_data: bool  # keep the bucket, database and file system when the stack is deleted
    api_cpu: int
    api_memory_mib: int
    api_tasks: int
    retrain_cpu: int
    retrain_memory_mib: int
    retrain_schedule: str  # an EventBridge cron expression, UTC
    endpoint_instance: str
    endpoint_instances: int
    promote_tolerance: float
    log_days: int


STAGES = {
    "dev": Stage(
        name="dev",
        nat_gateways=1,
        db_instance="t4g.small",
        db_multi_az=False,
        db_storage_gb=50,
        db_backup_days=7,
        retain_data=False,
        api_cpu=512,
        api_memory_mib=1024,
        api_tasks=1,
        retrain_cpu=1024,
        retrain_memory_mib=4096,
        retrain_schedule="cron(0 2 * * ? *)",
        endpoint_instance="ml.t2.medium",
        endpoint_instances=1,
        promote_tolerance=0.0,
        log_days=30,
    ),
    "prod": Stage(
        name="prod",
        nat_gateways=2,
        db_instance="m7g.large",
        db_multi_az=True,
        db_storage_gb=200,
        db_backup_days=30,
        retain_data=True,
        api_cpu=1024,
        api_memory_mib=2048,
        api_tasks=2,
        retrain_cpu=2048,
        retrain_memory_mib=8192,
        retrain_schedule="cron(0 2 * * ? *)",
        endpoint_instance="ml.m5.large",
        endpoint_instances=2,
        promote_tolerance=0.0,
        log_days=365,
    ),
}


@dataclass(frozen=True, kw_only=True)
class Deployment:
    """The checked context of one synthesis."""

    stage: Stage
    image_tag: str
    certificate_arn: str
    github_repo: str
    region: str
    account: str | None
    admin_cidrs: tuple[str, ...]
    model_data_url: str | None
    alarm_email: str | None
    host_name: str | None  # the name users type (the certificate's): the API answers for it and the ALB's own


_PATTERNS = {
    "image_tag": (r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}", "an image tag, e.g. the git commit"),
    "certificate_arn": (r"arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate/[0-9a-f-]{36}", "an ACM certificate ARN"),
    "github_repo": (r"[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+", "owner/name of the GitHub repository"),
    "region": (r"[a-z]{2}(-gov)?-[a-z]+-\d", "an AWS region, e.g. ap-southeast-1"),
    "account": (r"\d{12}", "a 12-digit AWS account id"),
    "model_data_url": (r"s3://[a-z0-9.-]{3,63}/\S+\.tar\.gz", "s3://bucket/key/model.tar.gz"),
    "alarm_email": (r"[^@\s]+@[^@\s]+\.[^@\s]+", "an e-mail address"),
    "host_name": (
        r"(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}",
        "a DNS name, e.g. footfall.example.com",
    ),
}
_REQUIRED = ("image_tag", "certificate_arn", "github_repo")


def read_context(get: Any) -> Deployment:
    """The deployment `get(key)` (a construct node's `try_get_context`) describes; ContextError when a value is bad."""
    stage = get("stage") or "dev"
    if stage not in STAGES:
        raise ContextError(f"context stage={stage!r} is not one of {', '.join(STAGES)}: synthesize with -c stage=dev")
    values: dict[str, str | None] = {}
    for key, (pattern, what) in _PATTERNS.items():
        value = get(key)
        if value in (None, ""):
            if key in _REQUIRED:
                raise ContextError(f"context {key} is missing: give -c {key}=... ({what})")
            values[key] = None
        elif not isinstance(value, str) or not re.fullmatch(pattern, value):
            raise ContextError(f"context {key}={value!r} is not {what}")
        else:
            values[key] = value
    return Deployment(
        stage=STAGES[stage],
        image_tag=str(values["image_tag"]),
        certificate_arn=str(values["certificate_arn"]),
        github_repo=str(values["github_repo"]),
        region=values["region"] or "ap-southeast-1",
        account=values["account"],
        admin_cidrs=_cidrs(get("admin_cidrs")),
        model_data_url=values["model_data_url"],
        alarm_email=values["alarm_email"],
        host_name=values["host_name"].lower() if values["host_name"] else None,
    )


def _cidrs(value: Any) -> tuple[str, ...]:
    """Comma-separated CIDR blocks allowed to reach the Dagster UI; never the whole internet."""
    if value in (None, ""):
        return ()
    blocks = []
    for item in str(value).split(","):
        try:
            network = ipaddress.ip_network(item.strip())
        except ValueError:
            raise ContextError(
                f"context admin_cidrs: {item.strip()!r} is not a CIDR block (e.g. 203.0.113.0/24)"
            ) from None
        if network.prefixlen == 0:
            raise ContextError(
                f"context admin_cidrs: {item.strip()} opens the Dagster UI to everyone: name your networks"
            )
        blocks.append(str(network))
    return tuple(blocks)
