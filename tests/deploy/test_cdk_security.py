"""deploy/aws: encryption, no public data, least-privilege IAM without wildcard actions, OIDC-only access."""

from __future__ import annotations

import pytest

from tests.deploy.cdk_templates import _list, resources, statements, template
from tests.deploy.conftest import Synthesized

pytestmark = pytest.mark.slow


def test_the_data_bucket_is_encrypted_versioned_and_private(synthesized: dict[str, Synthesized]) -> None:
    from aws_cdk.assertions import Match

    for stage in ("dev", "prod"):
        data = template(synthesized, stage, "Footfall-{stage}-Data")
        data.has_resource_properties(
            "AWS::S3::Bucket",
            {
                "BucketEncryption": {
                    "ServerSideEncryptionConfiguration": [
                        Match.object_like(
                            {
                                "ServerSideEncryptionByDefault": {
                                    "SSEAlgorithm": "aws:kms",
                                    "KMSMasterKeyID": Match.any_value(),
                                },
                                "BucketKeyEnabled": True,
                            }
                        )
                    ]
                },
                "VersioningConfiguration": {"Status": "Enabled"},
                "LoggingConfiguration": Match.object_like({"LogFilePrefix": "data/"}),
            },
        )
        data.has_resource_properties("AWS::KMS::Key", {"EnableKeyRotation": True})


def test_no_bucket_is_public_and_every_bucket_requires_tls(synthesized: dict[str, Synthesized]) -> None:
    buckets = resources(synthesized, "AWS::S3::Bucket")
    assert len(buckets) == 4  # data and access logs, per stage
    for where, props in buckets:
        block = props["PublicAccessBlockConfiguration"]
        assert all(
            block[k] for k in ("BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets")
        ), where
    policies = resources(synthesized, "AWS::S3::BucketPolicy")
    assert len(policies) == 4
    for where, props in policies:
        rules = props["PolicyDocument"]["Statement"]
        assert any(
            s["Effect"] == "Deny" and s["Condition"] == {"Bool": {"aws:SecureTransport": "false"}} for s in rules
        )
        assert not [s for s in rules if s["Effect"] == "Allow" and s.get("Principal") in ("*", {"AWS": "*"})], where


def test_no_wildcard_iam_actions_anywhere(synthesized: dict[str, Synthesized]) -> None:
    found = statements(synthesized)
    assert len(found) > 40
    for where, statement in found:
        for action in _list(statement.get("Action", [])):
            assert action != "*" and not action.endswith(":*") and "*" not in action, f"{where}: {action}"


def test_data_is_reached_only_by_named_actions_on_named_resources(synthesized: dict[str, Synthesized]) -> None:
    """A statement on the bucket, the key, the secret or the files names its resources: no `*` resource."""
    data_services = ("s3:", "kms:", "secretsmanager:", "elasticfilesystem:", "rds:")
    for where, statement in statements(synthesized):
        actions = _list(statement.get("Action", []))
        if statement["Effect"] == "Allow" and any(a.startswith(data_services) for a in actions):
            assert "*" not in _list(statement.get("Resource")), f"{where}: {actions} on *"


def test_everything_at_rest_is_encrypted_with_the_stages_key(synthesized: dict[str, Synthesized]) -> None:
    for where, props in resources(synthesized, "AWS::RDS::DBInstance"):
        assert props["StorageEncrypted"] is True and "KmsKeyId" in props and props["PubliclyAccessible"] is False, where
    for kind, key in (
        ("AWS::EFS::FileSystem", "KmsKeyId"),
        ("AWS::Logs::LogGroup", "KmsKeyId"),
        ("AWS::SNS::Topic", "KmsMasterKeyId"),
        ("AWS::SecretsManager::Secret", "KmsKeyId"),
        ("AWS::SageMaker::EndpointConfig", "KmsKeyId"),
        ("AWS::ECR::Repository", "EncryptionConfiguration"),
    ):
        found = resources(synthesized, kind)
        assert found, kind
        assert all(key in props for _, props in found), [w for w, p in found if key not in p]


def test_github_reaches_aws_only_through_oidc_roles(synthesized: dict[str, Synthesized]) -> None:
    shared = synthesized["dev"].templates["Footfall-Shared"]
    kinds = {r["Type"] for r in shared["Resources"].values()}
    assert "AWS::IAM::OIDCProvider" in kinds and not kinds & {"AWS::IAM::User", "AWS::IAM::AccessKey"}
    subjects = {}
    for r in shared["Resources"].values():
        if r["Type"] == "AWS::IAM::Role":
            (statement,) = r["Properties"]["AssumeRolePolicyDocument"]["Statement"]
            condition = statement["Condition"]["StringEquals"]
            subjects[r["Properties"]["RoleName"]] = condition["token.actions.githubusercontent.com:sub"]
            assert condition["token.actions.githubusercontent.com:aud"] == "sts.amazonaws.com"
    assert subjects == {
        "footfall-github-build": "repo:example/footfall:ref:refs/heads/main",
        "footfall-github-dev": "repo:example/footfall:environment:dev",
        "footfall-github-prod": "repo:example/footfall:environment:prod",
    }
