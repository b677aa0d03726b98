"""A stage's SageMaker serving: the model (the image in its `serve` role, the artifact in S3), the endpoint, alarms.

The container answers the SageMaker inference contract (`footfall serve` with FOOTFALL_SAGEMAKER set:
`GET /ping`, `POST /invocations` on 8080) from the artifact SageMaker unpacks into /opt/ml/model; it
runs with network isolation. `footfall sagemaker publish` (the retrain task) rolls the endpoint onto
newer artifacts; names carry a hash of the artifact and the image, so a changed one is a new
model and endpoint configuration, and the endpoint switches over without downtime.
"""

from __future__ import annotations

import hashlib

from aws_cdk import Duration, Stack
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as actions
from aws_cdk import aws_ecr as ecr
from aws_cdk import aws_iam as iam
from aws_cdk import aws_sagemaker as sagemaker
from constructs import Construct

from footfall_aws.config import Deployment
from footfall_aws.data import DataStack
from footfall_aws.retrain import MODELS_PREFIX
from footfall_aws.shared import REPOSITORY


class ServingStack(Stack):
    """SageMaker execution role, model, endpoint configuration (KMS), endpoint `footfall-<stage>`, alarms."""

    def __init__(
        self, scope: Construct, construct_id: str, *, deployment: Deployment, data: DataStack, **kwargs: object
    ) -> None:
        super().__init__(scope, construct_id, **kwargs)  # type: ignore[arg-type]
        stage = deployment.stage
        assert deployment.model_data_url is not None, "the serving stack needs context model_data_url"
        repository = ecr.Repository.from_repository_name(self, "Images", REPOSITORY)
        image = repository.repository_uri_for_tag(deployment.image_tag)
        role = self._role(stage.name, data, repository)
        suffix = hashlib.sha256(f"{deployment.model_data_url} {deployment.image_tag}".encode()).hexdigest()[:10]
        model = sagemaker.CfnModel(
            self,
            "Model",
            model_name=f"footfall-{stage.name}-{suffix}",
            execution_role_arn=role.role_arn,
            enable_network_isolation=True,
            primary_container=sagemaker.CfnModel.ContainerDefinitionProperty(
                image=image,
                model_data_url=deployment.model_data_url,
                environment={"FOOTFALL_SAGEMAKER": "true", "HEALTHCHECK_URL": "http://127.0.0.1:8080/ping"},
            ),
        )
        model.node.add_dependency(role.node.find_child("DefaultPolicy"))  # its permissions exist before it is used
        config = sagemaker.CfnEndpointConfig(
            self,
            "EndpointConfig",
            endpoint_config_name=f"footfall-{stage.name}-{suffix}",
            kms_key_id=data.key.key_arn,
            production_variants=[
                sagemaker.CfnEndpointConfig.ProductionVariantProperty(
                    variant_name="AllTraffic",
                    model_name=model.attr_model_name,
                    initial_instance_count=stage.endpoint_instances,
                    instance_type=stage.endpoint_instance,
                    initial_variant_weight=1.0,
                )
            ],
        )
        self.endpoint = sagemaker.CfnEndpoint(
            self,
            "Endpoint",
            endpoint_name=f"footfall-{stage.name}",
            endpoint_config_name=config.attr_endpoint_config_name,
        )
        self._alarms(stage.name, data)

    def _role(self, stage: str, data: DataStack, repository: ecr.IRepository) -> iam.Role:
        """What SageMaker may do for the endpoint: pull the image, read model artifacts, write its logs and metrics."""
        role = iam.Role(
            self,
            "ExecutionRole",
            role_name=f"footfall-{stage}-sagemaker",
            assumed_by=iam.ServicePrincipal("sagemaker.amazonaws.com"),
        )
        account, region = self.account, self.region
        for actions_, resources in (
            (["s3:GetObject"], [data.bucket.arn_for_objects(f"{MODELS_PREFIX}/*")]),
            (["kms:Decrypt"], [data.key.key_arn]),
            (
                ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
                [repository.repository_arn],
            ),
            (["ecr:GetAuthorizationToken"], ["*"]),  # takes no resource
            (
                ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"],
                [f"arn:aws:logs:{region}:{account}:log-group:/aws/sagemaker/Endpoints/footfall-{stage}*"],
            ),
        ):
            role.add_to_policy(iam.PolicyStatement(actions=actions_, resources=resources))
        role.add_to_policy(
            iam.PolicyStatement(
                actions=["cloudwatch:PutMetricData"],
                resources=["*"],  # takes no resource; limited to SageMaker's namespace
                conditions={"StringLike": {"cloudwatch:namespace": "/aws/sagemaker/*"}},
            )
        )
        return role

    def _alarms(self, stage: str, data: DataStack) -> None:
        """Invocation errors (the container's 5xx) and a slow model."""
        dimensions = {"EndpointName": f"footfall-{stage}", "VariantName": "AllTraffic"}
        for name, metric_name, statistic, threshold in (
            ("Endpoint5xx", "Invocation5XXErrors", "Sum", 1),
            ("EndpointSlow", "ModelLatency", "p99", 1_000_000),  # microseconds: 1 s
        ):
            metric = cloudwatch.Metric(
                namespace="AWS/SageMaker",
                metric_name=metric_name,
                dimensions_map=dimensions,
                statistic=statistic,
                period=Duration.minutes(5),
            )
            alarm = metric.create_alarm(
                self,
                name,
                threshold=threshold,
                evaluation_periods=2 if name == "EndpointSlow" else 1,
                comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
                treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
            )
            alarm.add_alarm_action(actions.SnsAction(data.alarms))
