"""deploy/aws: every stack synthesizes offline for both stages; services, retrain, endpoint, context checks."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any

import pytest

from tests.deploy.cdk_templates import STACKS, resources, template
from tests.deploy.conftest import CDK, Synthesized, context

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("stage", ["dev", "prod"])
def test_every_stack_synthesizes(synthesized: dict[str, Synthesized], stage: str) -> None:
    assert sorted(synthesized[stage].templates) == sorted(s.format(stage=stage) for s in STACKS)


@pytest.mark.parametrize(("stage", "multi_az"), [("dev", False), ("prod", True)])
def test_the_warehouse_per_stage(synthesized: dict[str, Synthesized], stage: str, multi_az: bool) -> None:
    data = template(synthesized, stage, "Footfall-{stage}-Data")
    data.has_resource_properties(
        "AWS::RDS::DBInstance",
        {
            "Engine": "postgres",
            "MultiAZ": multi_az,
            "DeletionProtection": multi_az,
            "EnableIAMDatabaseAuthentication": True,
        },
    )
    data.has_resource_properties("AWS::RDS::DBParameterGroup", {"Parameters": {"rds.force_ssl": "1"}})
    subnets = data.find_resources("AWS::RDS::DBSubnetGroup")
    (group,) = subnets.values()
    ids = {s["Ref"] for s in group["Properties"]["SubnetIds"]}
    assert ids and all("data" in i.lower() for i in ids), "the database lives in the isolated subnets"


def test_tls_load_balancer_with_waf_and_services_on_fargate(synthesized: dict[str, Synthesized]) -> None:
    from aws_cdk.assertions import Match

    services = template(synthesized, "prod", "Footfall-{stage}-Services")
    services.has_resource_properties(
        "AWS::ElasticLoadBalancingV2::Listener",
        {
            "Port": 443,
            "Protocol": "HTTPS",
            "Certificates": [{"CertificateArn": context()["certificate_arn"]}],
            "SslPolicy": Match.string_like_regexp("TLS"),
        },
    )
    services.has_resource_properties(
        "AWS::ElasticLoadBalancingV2::Listener",
        {
            "Port": 80,
            "DefaultActions": [
                Match.object_like(
                    {"Type": "redirect", "RedirectConfig": Match.object_like({"Port": "443", "Protocol": "HTTPS"})}
                )
            ],
        },
    )
    services.resource_count_is("AWS::WAFv2::WebACLAssociation", 1)
    services.has_resource_properties("AWS::ECS::Service", {"LaunchType": "FARGATE", "DesiredCount": 2})
    services.resource_count_is("AWS::ECS::Service", 3)  # API, Dagster webserver, Dagster daemon
    services.has_resource_properties(
        "AWS::ElasticLoadBalancingV2::ListenerRule",
        {
            "Conditions": Match.array_with(
                [Match.object_like({"Field": "source-ip", "SourceIpConfig": {"Values": ["203.0.113.0/24"]}})]
            )
        },
    )


def _containers(synthesized: dict[str, Synthesized], stage: str) -> dict[str, list[dict[str, Any]]]:
    body = synthesized[stage].templates[f"Footfall-{stage}-Services"]
    return {
        r["Properties"]["Family"]: r["Properties"]["ContainerDefinitions"]
        for r in body["Resources"].values()
        if r["Type"] == "AWS::ECS::TaskDefinition"
    }


def test_tasks_migrate_first_and_get_the_password_only_from_secrets_manager(
    synthesized: dict[str, Synthesized],
) -> None:
    tasks = _containers(synthesized, "dev")
    assert set(tasks) == {f"footfall-dev-{r}" for r in ("api", "dagster-webserver", "dagster-daemon", "retrain")}
    for family, containers in tasks.items():
        main = containers[0]
        env = {e["Name"]: json.dumps(e["Value"]) for e in main["Environment"]}
        assert "PGPASSWORD" not in env and "PGPASSWORD" in [s["Name"] for s in main["Secrets"]], family
        assert "sslmode=require" in env["FOOTFALL_WAREHOUSE"] and env["FOOTFALL_DATA_DIR"] == '"/data"', family
        assert {m["ContainerPath"] for m in main["MountPoints"]} == {"/data", "/tmp"}, family
        if family.endswith("retrain"):
            continue
        migrate = containers[1]
        assert migrate["Command"] == ["migrate", "--schema", "dagster"] and migrate["Essential"] is False
        assert main["DependsOn"] == [{"ContainerName": "migrate", "Condition": "SUCCESS"}], family
    assert tasks["footfall-dev-api"][0]["ReadonlyRootFilesystem"] is True


@pytest.mark.parametrize("stage", ["dev", "prod"])
def test_the_scheduled_retrain_runs_the_promotion_gate_and_ships_the_model(
    synthesized: dict[str, Synthesized], stage: str
) -> None:
    from aws_cdk.assertions import Match

    services = template(synthesized, stage, "Footfall-{stage}-Services")
    services.has_resource_properties(
        "AWS::Events::Rule",
        {
            "ScheduleExpression": "cron(0 2 * * ? *)",
            "State": "ENABLED",
            "Targets": [
                Match.object_like({"EcsParameters": Match.object_like({"LaunchType": "FARGATE", "TaskCount": 1})})
            ],
        },
    )
    (command,) = _containers(synthesized, stage)[f"footfall-{stage}-retrain"][0]["Command"]
    line = json.dumps(command)
    assert "footfall recsys train --interactions rewards --promote" in line and "--force" not in line
    assert "footfall sagemaker publish --to s3://" in line and f"--endpoint footfall-{stage}" in line


def test_failed_runs_raise_alarms(synthesized: dict[str, Synthesized]) -> None:
    from aws_cdk.assertions import Match

    services = template(synthesized, "dev", "Footfall-{stage}-Services")
    failed = {"exitCode": [{"anything-but": 0}]}
    services.has_resource_properties(
        "AWS::Events::Rule",
        {
            "EventPattern": Match.object_like(
                {"detail": Match.object_like({"containers": failed, "lastStatus": ["STOPPED"]})}
            ),
            "Targets": [Match.object_like({"Arn": Match.any_value()})],
        },
    )
    services.has_resource_properties(
        "AWS::Events::Rule",
        {"EventPattern": Match.object_like({"detail": Match.object_like({"stopCode": ["TaskFailedToStart"]})})},
    )
    services.has_resource_properties("AWS::Logs::MetricFilter", {"FilterPattern": '"RUN_FAILURE"'})
    alarms = [p for _, p in resources(synthesized, "AWS::CloudWatch::Alarm")]
    names = {p["MetricName"] for p in alarms}
    assert {"FailedInvocations", "DagsterRunFailures", "HTTPCode_Target_5XX_Count", "Invocation5XXErrors"} <= names
    assert all(p.get("AlarmActions") for p in alarms), "every alarm notifies the stage's topic"


@pytest.mark.parametrize(("stage", "instance", "count"), [("dev", "ml.t2.medium", 1), ("prod", "ml.m5.large", 2)])
def test_the_sagemaker_endpoint(synthesized: dict[str, Synthesized], stage: str, instance: str, count: int) -> None:
    from aws_cdk.assertions import Match

    serving = template(synthesized, stage, "Footfall-{stage}-Serving")
    serving.has_resource_properties("AWS::SageMaker::Endpoint", {"EndpointName": f"footfall-{stage}"})
    serving.has_resource_properties(
        "AWS::SageMaker::EndpointConfig",
        {"ProductionVariants": [Match.object_like({"InstanceType": instance, "InitialInstanceCount": count})]},
    )
    serving.has_resource_properties(
        "AWS::SageMaker::Model",
        {
            "EnableNetworkIsolation": True,
            "PrimaryContainer": Match.object_like(
                {
                    "ModelDataUrl": context()["model_data_url"],
                    "Environment": Match.object_like({"FOOTFALL_SAGEMAKER": "true"}),
                }
            ),
            "ModelName": Match.string_like_regexp(f"^footfall-{stage}-[0-9a-f]{{10}}$"),
        },
    )
    image = json.dumps(serving.find_resources("AWS::SageMaker::Model"))
    assert "footfall:3f2c1ab" in image


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"stage": "qa"}, "context stage='qa' is not one of dev, prod: synthesize with -c stage=dev"),
        ({"image_tag": "my tag"}, "context image_tag='my tag' is not an image tag, e.g. the git commit"),
        ({"certificate_arn": "arn:aws:acm:x"}, "context certificate_arn='arn:aws:acm:x' is not an ACM certificate ARN"),
        (
            {"github_repo": ""},
            "context github_repo is missing: give -c github_repo=... (owner/name of the GitHub repository)",
        ),
        (
            {"admin_cidrs": "0.0.0.0/0"},
            "context admin_cidrs: 0.0.0.0/0 opens the Dagster UI to everyone: name your networks",
        ),
        (
            {"admin_cidrs": "10.0.0.0/33"},
            "context admin_cidrs: '10.0.0.0/33' is not a CIDR block (e.g. 203.0.113.0/24)",
        ),
        (
            {"host_name": "https://footfall.example.com"},
            "context host_name='https://footfall.example.com' is not a DNS name, e.g. footfall.example.com",
        ),
        (
            {"model_data_url": "https://x/model.tar.gz"},
            "context model_data_url='https://x/model.tar.gz' is not s3://bucket/key/model.tar.gz",
        ),
    ],
)
def test_a_context_value_outside_its_allowed_set_is_one_line(
    footfall_aws: Any, values: dict[str, str], message: str
) -> None:
    from footfall_aws.config import ContextError, read_context

    given = context(**values)
    with pytest.raises(ContextError) as failure:
        read_context(given.get)
    assert str(failure.value) == message and "\n" not in message


def test_synthesis_with_a_bad_stage_fails_with_one_line(footfall_aws: Any, tmp_path: Any) -> None:
    """What `cdk synth -c stage=qa` shows: the CLI passes context in CDK_CONTEXT_JSON and runs app.py."""
    env = {**os.environ, "CDK_CONTEXT_JSON": json.dumps(context(stage="qa")), "CDK_OUTDIR": str(tmp_path)}
    result = subprocess.run([sys.executable, "app.py"], cwd=CDK, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 2
    assert (
        result.stderr.strip().splitlines()[-1]
        == "error: context stage='qa' is not one of dev, prod: synthesize with -c stage=dev"
    )
    assert "Traceback" not in result.stderr


def test_without_a_model_yet_there_is_no_serving_stack(footfall_aws: Any) -> None:
    app = footfall_aws.build_app(context(model_data_url=""))
    names = [c.node.id for c in app.node.children]
    assert names == ["Footfall-Shared", "Footfall-dev-Data", "Footfall-dev-Services"]
