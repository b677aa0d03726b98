"""Publish the registry's current model to S3 and roll a SageMaker endpoint onto it (docs/deploy.md).

`publish_current` uploads `<s3_uri>/<version>/model.tar.gz` and `<s3_uri>/latest.json`; with an
endpoint, it creates a SageMaker model and endpoint configuration named after the version, copied
from what the endpoint runs now (image, environment, execution role, instances), and updates the
endpoint, which SageMaker switches over without downtime. Nothing is compared here: the promotion
gate is the registry's (`footfall recsys train --promote`); this ships whatever is current, and a
version the endpoint serves already is left alone, so a nightly run after a refused promotion does nothing.
"""

from __future__ import annotations

import hashlib
import json
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from footfall.deploy.artifact import pack_version
from footfall.errors import FootfallError, InputError, UnavailableError
from footfall.recsys.registry import Registry

__all__ = ["Publication", "publish_current", "split_s3_uri"]


@dataclass(frozen=True, kw_only=True)
class Publication:
    """What `publish_current` did: the version, its artifact's URL, and whether the endpoint moved (and why)."""

    version: str
    model_data_url: str
    endpoint: str | None
    endpoint_updated: bool
    reason: str


def publish_current(
    registry: Registry, *, s3_uri: str, endpoint: str | None = None, s3: Any = None, sagemaker: Any = None
) -> Publication:
    """Upload the current version's artifact under `s3_uri` and, given `endpoint`, roll that endpoint onto it.

    `s3` and `sagemaker` are boto3 clients (None: made from the environment's AWS credentials)."""
    bucket, prefix = split_s3_uri(s3_uri)
    s3 = s3 or _client("s3")
    with tempfile.TemporaryDirectory() as tmp:
        version = pack_version(registry, Path(tmp) / "model.tar.gz")
        key = f"{prefix}{version}/model.tar.gz"
        url = f"s3://{bucket}/{key}"
        body = (Path(tmp) / "model.tar.gz").read_bytes()
        _aws(s3.put_object, Bucket=bucket, Key=key, Body=body, ContentType="application/gzip")
    latest = {"version": version, "model_data_url": url, "published_at": datetime.now(UTC).isoformat()}
    _aws(s3.put_object, Bucket=bucket, Key=f"{prefix}latest.json", Body=json.dumps(latest).encode())
    if endpoint is None:
        return Publication(version=version, model_data_url=url, endpoint=None, endpoint_updated=False, reason="")
    updated, reason = _roll_endpoint(sagemaker or _client("sagemaker"), endpoint, version, url)
    return Publication(version=version, model_data_url=url, endpoint=endpoint, endpoint_updated=updated, reason=reason)


def split_s3_uri(uri: str) -> tuple[str, str]:
    """(bucket, key prefix ending in `/` or empty) of `s3://bucket/prefix`; an InputError for anything else."""
    bucket, _, prefix = uri.removeprefix("s3://").partition("/")
    if not uri.startswith("s3://") or not bucket:
        raise InputError(f"bad s3_uri {uri!r}: give s3://bucket/prefix, e.g. s3://footfall-data/models/recommender")
    prefix = prefix.strip("/")
    return bucket, f"{prefix}/" if prefix else ""


def _roll_endpoint(sm: Any, endpoint: str, version: str, url: str) -> tuple[bool, str]:
    """Create a model and endpoint configuration for `url` from the endpoint's current ones; update the endpoint."""
    described = _aws(sm.describe_endpoint, EndpointName=endpoint)
    config = _aws(sm.describe_endpoint_config, EndpointConfigName=described["EndpointConfigName"])
    variant = config["ProductionVariants"][0]
    model = _aws(sm.describe_model, ModelName=variant["ModelName"])
    container = model["PrimaryContainer"]
    if container.get("ModelDataUrl") == url:
        return False, f"{endpoint} serves {version} already"
    name = _resource_name(endpoint, version)
    new_container = {k: container[k] for k in ("Image", "Environment", "Mode") if k in container}
    extra = {k: model[k] for k in ("VpcConfig", "EnableNetworkIsolation") if k in model}
    _aws(
        sm.create_model,
        ModelName=name,
        ExecutionRoleArn=model["ExecutionRoleArn"],
        PrimaryContainer={**new_container, "ModelDataUrl": url},
        **extra,
    )
    keys = ("VariantName", "InitialInstanceCount", "InstanceType", "InitialVariantWeight")
    new_variant = {k: variant[k] for k in keys if k in variant} | {"ModelName": name}
    kms = {"KmsKeyId": config["KmsKeyId"]} if config.get("KmsKeyId") else {}
    _aws(sm.create_endpoint_config, EndpointConfigName=name, ProductionVariants=[new_variant], **kms)
    _aws(sm.update_endpoint, EndpointName=endpoint, EndpointConfigName=name)
    return True, f"{endpoint} is switching from {container.get('ModelDataUrl')} to {url}"


def _resource_name(endpoint: str, version: str) -> str:
    """A SageMaker name (letters, digits, hyphens; at most 63) for `version` on `endpoint`."""
    clean = "".join(c if c.isalnum() else "-" for c in f"{endpoint}-{version}").strip("-")
    if len(clean) <= 63:
        return clean
    return f"{clean[:50].rstrip('-')}-{hashlib.sha256(clean.encode()).hexdigest()[:12]}"


def _client(service: str) -> Any:
    try:
        import boto3
    except ImportError:
        raise FootfallError("publishing to AWS needs boto3: pip install 'footfall[aws]'") from None
    return boto3.client(service)


def _aws(call: Any, **params: Any) -> Any:
    """`call(**params)`, with an AWS failure (credentials, permissions, a missing resource) as one line."""
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        return call(**params)
    except ClientError as exc:
        error = exc.response.get("Error", {})
        raise UnavailableError(f"AWS {exc.operation_name}: {error.get('Code')}: {error.get('Message')}") from None
    except BotoCoreError as exc:
        raise UnavailableError(f"AWS: {exc}") from None
