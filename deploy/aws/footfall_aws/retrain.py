"""The scheduled retrain: EventBridge starts a Fargate task that trains, gates, promotes and ships the model.

The task runs `footfall recsys train --interactions rewards --promote` (the promotion gate:
`Registry.promote_if_better`, the candidate is promoted only when its NDCG@10 is not worse than the
current model's on the same data, FOOTFALL_PROMOTE_TOLERANCE) and then `footfall sagemaker publish`,
which uploads the current version and rolls the endpoint onto it (nothing happens when the
gate kept the current model). A failed run (non-zero exit, or a task that could not start, or a
schedule that could not start it) reaches the stage's alarm topic; so do failed Dagster runs.
"""

from __future__ import annotations

from aws_cdk import Duration, Stack
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as actions
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_ecs as ecs
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_logs as logs

from footfall_aws.config import Deployment
from footfall_aws.data import DataStack
from footfall_aws.tasks import TaskFactory

MODELS_PREFIX = "models/recommender"


def retrain_command(deployment: Deployment, bucket: str) -> str:
    """The shell line the retrain task runs (publishing to the endpoint only when the stage has one)."""
    endpoint = f" --endpoint footfall-{deployment.stage.name}" if deployment.model_data_url else ""
    return (
        "footfall recsys train --interactions rewards --promote"
        f" && footfall sagemaker publish --to s3://{bucket}/{MODELS_PREFIX}{endpoint}"
    )


def add_retrain(
    stack: Stack, *, deployment: Deployment, data: DataStack, cluster: ecs.ICluster, factory: TaskFactory
) -> None:
    """The retrain task definition, its schedule, its grants and its failure alarms."""
    stage = deployment.stage
    task = factory.task(
        "retrain",
        cpu=stage.retrain_cpu,
        memory_mib=stage.retrain_memory_mib,
        entry_point=["sh", "-c"],
        command=[retrain_command(deployment, data.bucket.bucket_name)],
        migrate_first=False,
    )
    _grant_publish(stack, task.task_role, data, stage.name)
    schedule = events.Rule(
        stack,
        "RetrainSchedule",
        schedule=events.Schedule.expression(stage.retrain_schedule),
        description="Retrains the recommender; promoted only if not worse; the endpoint follows",
    )
    schedule.add_target(
        targets.EcsTask(
            cluster=cluster,
            task_definition=task,
            subnet_selection=ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS),
            security_groups=[data.tasks],
            platform_version=ecs.FargatePlatformVersion.LATEST,
        )
    )
    failed = {"clusterArn": [cluster.cluster_arn], "group": [f"family:{task.family}"], "lastStatus": ["STOPPED"]}
    alarm_topic = targets.SnsTopic(data.alarms)
    alarms: dict[str, tuple[str, dict[str, object]]] = {  # rule id: (what went wrong, the stopped task's event)
        "RetrainFailed": ("The retrain task exited with an error", {"containers": {"exitCode": [{"anything-but": 0}]}}),
        "RetrainNotStarted": ("The retrain task could not start", {"stopCode": ["TaskFailedToStart"]}),
    }
    for rule, (description, detail) in alarms.items():
        events.Rule(
            stack,
            rule,
            description=description,
            event_pattern=events.EventPattern(
                source=["aws.ecs"], detail_type=["ECS Task State Change"], detail={**failed, **detail}
            ),
            targets=[alarm_topic],
        )
    _alarm(stack, data, "RetrainScheduleFailed", _rule_metric(schedule.rule_name))
    runs = logs.MetricFilter(
        stack,
        "DagsterRunFailures",
        log_group=factory.log_groups["dagster-daemon"],
        filter_pattern=logs.FilterPattern.literal('"RUN_FAILURE"'),
        metric_namespace=f"footfall/{stage.name}",
        metric_name="DagsterRunFailures",
        metric_value="1",
    )
    _alarm(stack, data, "DagsterRunFailed", runs.metric(statistic="Sum", period=Duration.minutes(5)))


def _rule_metric(rule_name: str) -> cloudwatch.Metric:
    return cloudwatch.Metric(
        namespace="AWS/Events",
        metric_name="FailedInvocations",
        dimensions_map={"RuleName": rule_name},
        statistic="Sum",
        period=Duration.minutes(5),
    )


def _alarm(stack: Stack, data: DataStack, name: str, metric: cloudwatch.Metric) -> None:
    alarm = metric.create_alarm(
        stack,
        name,
        threshold=1,
        evaluation_periods=1,
        comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
    )
    alarm.add_alarm_action(actions.SnsAction(data.alarms))


def _grant_publish(stack: Stack, role: iam.IRole, data: DataStack, stage: str) -> None:
    """Write model artifacts under models/, and roll only this stage's endpoint onto them."""
    account, region = stack.account, stack.region
    statements = [
        iam.PolicyStatement(actions=["s3:PutObject"], resources=[data.bucket.arn_for_objects(f"{MODELS_PREFIX}/*")]),
        iam.PolicyStatement(actions=["kms:GenerateDataKey", "kms:Decrypt"], resources=[data.key.key_arn]),
        iam.PolicyStatement(
            actions=["kms:CreateGrant", "kms:DescribeKey"],
            resources=[data.key.key_arn],
            conditions={"Bool": {"kms:GrantIsForAWSResource": "true"}},
        ),
        iam.PolicyStatement(
            actions=[
                "sagemaker:DescribeEndpoint",
                "sagemaker:DescribeEndpointConfig",
                "sagemaker:DescribeModel",
                "sagemaker:CreateModel",
                "sagemaker:CreateEndpointConfig",
                "sagemaker:UpdateEndpoint",
            ],
            resources=[
                f"arn:aws:sagemaker:{region}:{account}:endpoint/footfall-{stage}",
                f"arn:aws:sagemaker:{region}:{account}:endpoint-config/footfall-{stage}-*",
                f"arn:aws:sagemaker:{region}:{account}:model/footfall-{stage}-*",
            ],
        ),
        iam.PolicyStatement(
            actions=["iam:PassRole"],
            resources=[f"arn:aws:iam::{account}:role/footfall-{stage}-sagemaker"],
            conditions={"StringEquals": {"iam:PassedToService": "sagemaker.amazonaws.com"}},
        ),
    ]
    for statement in statements:
        role.add_to_principal_policy(statement)


__all__ = ["MODELS_PREFIX", "add_retrain", "retrain_command"]
