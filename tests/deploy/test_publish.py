"""`footfall sagemaker publish`: the artifact SageMaker unpacks, its upload, the endpoint roll (Stubber)."""

from __future__ import annotations

import io
import json
import tarfile
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.stub import ANY, Stubber
from typer.testing import CliRunner

from footfall.cli.main import app
from footfall.deploy.artifact import pack_version
from footfall.deploy.sagemaker import publish_current, split_s3_uri
from footfall.errors import FootfallError, InputError
from footfall.recsys.models import make_model
from footfall.recsys.registry import Registry
from footfall.recsys.serving import CurrentModel
from tests.recsys.test_recsys import _events

EVENTS = [("a", "1"), ("a", "2"), ("b", "2"), ("b", "3"), ("c", "3")]
IMAGE = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/footfall:abc123"
ROLE = "arn:aws:iam::123456789012:role/footfall-prod-sagemaker"


def _registry(root: Path, *models: str) -> tuple[Registry, list[str]]:
    store = Registry(root)
    versions = [store.register(make_model(m).fit(_events(EVENTS)), {"ndcg@10": 0.1}) for m in models]
    store.promote(versions[-1])
    return store, versions


def _client(service: str) -> Any:
    return boto3.client(service, region_name="eu-west-1", aws_access_key_id="test", aws_secret_access_key="test")


def test_the_artifact_is_a_one_version_registry_that_serving_loads(tmp_path: Path) -> None:
    store, (old, current) = _registry(tmp_path / "models", "popularity", "ease")
    assert pack_version(store, tmp_path / "model.tar.gz") == current
    with tarfile.open(tmp_path / "model.tar.gz") as tar:
        names = tar.getnames()
        tar.extractall(tmp_path / "opt-ml-model", filter="data")  # what SageMaker does with the artifact
    assert "current" in names and all(n == "current" or n.startswith(f"versions/{current}/") for n in names)
    assert not any(old in n for n in names)
    loaded = CurrentModel(tmp_path / "opt-ml-model").get()
    assert loaded.version == current and loaded.model.recommend("a", 1).items == ["3"]
    with pytest.raises(InputError, match="no model version 'nope'"):
        pack_version(store, tmp_path / "x.tar.gz", version="nope")


@pytest.mark.parametrize(
    ("uri", "expected"),
    [("s3://b/models/recommender", ("b", "models/recommender/")), ("s3://b/m/", ("b", "m/")), ("s3://b", ("b", ""))],
)
def test_s3_uris(uri: str, expected: tuple[str, str]) -> None:
    assert split_s3_uri(uri) == expected


@pytest.mark.parametrize("uri", ["b/models", "s3://", "https://b.s3.amazonaws.com/m"])
def test_bad_s3_uris_are_one_line_errors(uri: str) -> None:
    with pytest.raises(InputError, match=r"bad s3_uri .*: give s3://bucket/prefix"):
        split_s3_uri(uri)


def _expect_uploads(s3: Stubber, version: str) -> None:
    key = f"models/recommender/{version}/model.tar.gz"
    s3.add_response("put_object", {}, {"Bucket": "data", "Key": key, "Body": ANY, "ContentType": "application/gzip"})
    s3.add_response("put_object", {}, {"Bucket": "data", "Key": "models/recommender/latest.json", "Body": ANY})


def _expect_describes(sm: Stubber, model_data_url: str) -> None:
    sm.add_response("describe_endpoint", _endpoint(), {"EndpointName": "footfall-prod"})
    variant = {"VariantName": "AllTraffic", "ModelName": "m0", "InitialInstanceCount": 2, "InstanceType": "ml.m5.large"}
    config = {
        "EndpointConfigName": "c0",
        "EndpointConfigArn": "arn:aws:sagemaker:eu-west-1:123456789012:endpoint-config/c0",
        "ProductionVariants": [{**variant, "InitialVariantWeight": 1.0}],
        "KmsKeyId": "arn:aws:kms:eu-west-1:123456789012:key/k",
        "CreationTime": "2026-12-01T00:00:00Z",
    }
    sm.add_response("describe_endpoint_config", config, {"EndpointConfigName": "c0"})
    model = {
        "ModelName": "m0",
        "ModelArn": "arn:aws:sagemaker:eu-west-1:123456789012:model/m0",
        "ExecutionRoleArn": ROLE,
        "PrimaryContainer": {
            "Image": IMAGE,
            "ModelDataUrl": model_data_url,
            "Environment": {"FOOTFALL_SAGEMAKER": "1"},
        },
        "CreationTime": "2026-12-01T00:00:00Z",
    }
    sm.add_response("describe_model", model, {"ModelName": "m0"})


def _endpoint() -> dict[str, Any]:
    return {
        "EndpointName": "footfall-prod",
        "EndpointArn": "arn:aws:sagemaker:eu-west-1:123456789012:endpoint/footfall-prod",
        "EndpointConfigName": "c0",
        "EndpointStatus": "InService",
        "CreationTime": "2026-12-01T00:00:00Z",
        "LastModifiedTime": "2026-12-01T00:00:00Z",
    }


def test_publish_uploads_and_rolls_the_endpoint_onto_the_new_version(tmp_path: Path) -> None:
    store, (current,) = _registry(tmp_path / "models", "popularity")
    s3, sm = _client("s3"), _client("sagemaker")
    url = f"s3://data/models/recommender/{current}/model.tar.gz"
    name = f"footfall-prod-{current}"
    with Stubber(s3) as s3_stub, Stubber(sm) as sm_stub:
        _expect_uploads(s3_stub, current)
        _expect_describes(sm_stub, "s3://data/models/recommender/older/model.tar.gz")
        container = {"Image": IMAGE, "Environment": {"FOOTFALL_SAGEMAKER": "1"}, "ModelDataUrl": url}
        sm_stub.add_response(
            "create_model",
            {"ModelArn": f"arn:aws:sagemaker:eu-west-1:123456789012:model/{name}"},
            {"ModelName": name, "ExecutionRoleArn": ROLE, "PrimaryContainer": container},
        )
        variant = {
            "VariantName": "AllTraffic",
            "ModelName": name,
            "InitialInstanceCount": 2,
            "InstanceType": "ml.m5.large",
            "InitialVariantWeight": 1.0,
        }
        sm_stub.add_response(
            "create_endpoint_config",
            {"EndpointConfigArn": f"arn:aws:sagemaker:eu-west-1:123456789012:endpoint-config/{name}"},
            {
                "EndpointConfigName": name,
                "ProductionVariants": [variant],
                "KmsKeyId": "arn:aws:kms:eu-west-1:123456789012:key/k",
            },
        )
        sm_stub.add_response(
            "update_endpoint",
            {"EndpointArn": _endpoint()["EndpointArn"]},
            {"EndpointName": "footfall-prod", "EndpointConfigName": name},
        )
        done = publish_current(
            store, s3_uri="s3://data/models/recommender", endpoint="footfall-prod", s3=s3, sagemaker=sm
        )
        s3_stub.assert_no_pending_responses()
        sm_stub.assert_no_pending_responses()
    assert done.version == current and done.model_data_url == url and done.endpoint_updated


def test_an_endpoint_serving_the_version_already_is_left_alone(tmp_path: Path) -> None:
    store, (current,) = _registry(tmp_path / "models", "popularity")
    s3, sm = _client("s3"), _client("sagemaker")
    with Stubber(s3) as s3_stub, Stubber(sm) as sm_stub:
        _expect_uploads(s3_stub, current)
        _expect_describes(sm_stub, f"s3://data/models/recommender/{current}/model.tar.gz")
        done = publish_current(
            store, s3_uri="s3://data/models/recommender/", endpoint="footfall-prod", s3=s3, sagemaker=sm
        )
        sm_stub.assert_no_pending_responses()  # no create_model, no update_endpoint
    assert not done.endpoint_updated and done.reason == f"footfall-prod serves {current} already"


def test_an_aws_failure_is_one_line(tmp_path: Path) -> None:
    store, _ = _registry(tmp_path / "models", "popularity")
    s3 = _client("s3")
    with Stubber(s3) as stub:
        stub.add_client_error("put_object", "AccessDenied", "Access Denied", 403)
        with pytest.raises(FootfallError, match=r"^AWS PutObject: AccessDenied: Access Denied$"):
            publish_current(store, s3_uri="s3://data/models", s3=s3)


def test_the_latest_pointer_names_the_version(tmp_path: Path) -> None:
    store, (current,) = _registry(tmp_path / "models", "popularity")
    s3 = _client("s3")
    bodies: list[bytes] = []
    s3.meta.events.register("provide-client-params.s3.PutObject", lambda params, **_: bodies.append(params["Body"]))
    with Stubber(s3) as stub:
        _expect_uploads(stub, current)
        publish_current(store, s3_uri="s3://data/models/recommender", s3=s3)
    with tarfile.open(fileobj=io.BytesIO(bodies[0])) as tar:
        assert tar.extractfile("current").read().decode() == current  # type: ignore[union-attr]
    latest = json.loads(bodies[1])
    assert latest["version"] == current and latest["model_data_url"].endswith(f"/{current}/model.tar.gz")


def test_the_cli_without_a_current_model_is_a_one_line_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["sagemaker", "publish", "--to", "s3://b/m", "--registry", str(tmp_path)])
    assert result.exit_code == 2 and "no current model" in result.output
