"""The CDK app synthesized once per test session, for both stages (offline: `app.synth()`, no `cdk` CLI)."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
CDK = ROOT / "deploy" / "aws"
CERTIFICATE = "arn:aws:acm:ap-southeast-1:123456789012:certificate/12345678-1234-1234-1234-123456789012"
HOST = "footfall.example.com"
MODEL = "s3://footfall-dev-data/models/recommender/20261201T020000000000Z-recency-ease/model.tar.gz"


def context(**values: str) -> dict[str, Any]:
    """cdk.json's context (what the `cdk` CLI would pass) with the values a deployment gives on the command line."""
    base = json.loads((CDK / "cdk.json").read_text())["context"]
    given = {
        "image_tag": "3f2c1ab",
        "certificate_arn": CERTIFICATE,
        "github_repo": "example/footfall",
        "admin_cidrs": "203.0.113.0/24",
        "model_data_url": MODEL,
        "alarm_email": "ops@example.com",
        "host_name": HOST,
    }
    return {**base, **given, **values}


@dataclass(frozen=True)
class Synthesized:
    """One stage's cloud assembly: its folder and each stack's template by name."""

    stage: str
    outdir: Path
    templates: dict[str, dict[str, Any]]


def _cdk() -> Any:
    os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "18,20")  # Node 20 works; jsii nags
    pytest.importorskip("aws_cdk", reason="the infra extra is not installed (make install installs it)")
    if str(CDK) not in sys.path:
        sys.path.insert(0, str(CDK))
    from footfall_aws import app

    return app


@pytest.fixture(scope="session")
def footfall_aws() -> Any:
    """The CDK app's module (deploy/aws/footfall_aws/app.py)."""
    return _cdk()


@pytest.fixture(scope="session")
def synthesized(footfall_aws: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Synthesized]]:
    """Both stages synthesized (about 15 s each on two cores)."""
    out = {}
    for stage in ("dev", "prod"):
        outdir = tmp_path_factory.mktemp(f"cdk-{stage}")
        assembly = footfall_aws.build_app(context(stage=stage), outdir=str(outdir)).synth()
        out[stage] = Synthesized(stage, outdir, {s.stack_name: s.template for s in assembly.stacks})
    yield out
