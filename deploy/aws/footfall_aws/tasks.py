"""Fargate task definitions of the one image, one per role: the same environment, files, logs and grants.

Each service task starts with a `migrate` container (`footfall migrate --schema dagster`, not essential)
and its main container waits for it to succeed: migrations run before the service starts, as in
deploy/compose.yaml. The password reaches the containers as PGPASSWORD from Secrets Manager, never in a URL.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_ecr as ecr
from aws_cdk import aws_ecs as ecs
from aws_cdk import aws_iam as iam
from aws_cdk import aws_logs as logs
from aws_cdk import aws_secretsmanager as secretsmanager
from constructs import Construct

from footfall_aws.config import Deployment
from footfall_aws.data import DB_NAME, DB_USER, DataStack, _days
from footfall_aws.shared import REPOSITORY

MIGRATE = ["migrate", "--schema", "dagster"]


@dataclass(frozen=True)
class TaskFactory:
    """Makes the stage's task definitions in `scope`."""

    scope: Construct
    deployment: Deployment
    data: DataStack
    log_groups: dict[str, logs.LogGroup] = field(default_factory=dict)  # by role

    def environment(self) -> dict[str, str]:
        """FOOTFALL_* settings of every role (docs/deploy.md), and Dagster's storage URL."""
        db = self.data.database
        warehouse = f"postgresql://{DB_USER}@{db.db_instance_endpoint_address}:{db.db_instance_endpoint_port}/{DB_NAME}"
        return {
            "FOOTFALL_WAREHOUSE": f"{warehouse}?sslmode=require",
            "DAGSTER_PG_URL": f"{warehouse}?sslmode=require&options=-csearch_path%3Ddagster",
            "FOOTFALL_DATA_DIR": "/data",
            "FOOTFALL_DEPLOYMENT": "production",
            "FOOTFALL_PROMOTE_TOLERANCE": str(self.deployment.stage.promote_tolerance),
        }

    def task(
        self,
        role: str,
        *,
        cpu: int,
        memory_mib: int,
        command: list[str],
        entry_point: list[str] | None = None,
        port: int | None = None,
        migrate_first: bool = True,
        read_only: bool = True,
        environment: dict[str, str] | None = None,
        secrets: dict[str, ecs.Secret] | None = None,
    ) -> ecs.FargateTaskDefinition:
        """A task definition `footfall-<stage>-<role>` running the image with `command`.

        `environment` and `secrets` add to the main container's (never the migrate container's): a secret
        reaches only the role that uses it, and the execution role may read only the secrets it injects.
        """
        stage = self.deployment.stage.name
        definition = ecs.FargateTaskDefinition(
            self.scope, f"{role.title()}Task", family=f"footfall-{stage}-{role}", cpu=cpu, memory_limit_mib=memory_mib
        )
        definition.add_volume(
            name="data",
            efs_volume_configuration=ecs.EfsVolumeConfiguration(
                file_system_id=self.data.files.file_system_id,
                transit_encryption="ENABLED",
                authorization_config=ecs.AuthorizationConfig(
                    access_point_id=self.data.access_point.access_point_id, iam="ENABLED"
                ),
            ),
        )
        definition.add_volume(name="tmp")  # a writable /tmp beside a read-only root file system
        log_group = logs.LogGroup(
            self.scope,
            f"{role.title()}Logs",
            log_group_name=f"/footfall/{stage}/{role}",
            encryption_key=self.data.key,
            retention=_days(self.deployment.stage.log_days),
            removal_policy=RemovalPolicy.DESTROY,
        )
        self.log_groups[role] = log_group
        main = self._container(
            definition, role, command, entry_point, log_group, read_only, environment=environment, secrets=secrets
        )
        if port is not None:
            main.add_port_mappings(ecs.PortMapping(container_port=port))
        if migrate_first:
            migrate = self._container(definition, "migrate", MIGRATE, None, log_group, True, essential=False)
            main.add_container_dependencies(
                ecs.ContainerDependency(container=migrate, condition=ecs.ContainerDependencyCondition.SUCCESS)
            )
        self._grant_files(definition.task_role)
        definition.obtain_execution_role().add_to_principal_policy(  # the secret's key, for the password only
            iam.PolicyStatement(
                actions=["kms:Decrypt"],
                resources=[self.data.key.key_arn],
                conditions={"StringEquals": {"kms:ViaService": f"secretsmanager.{self.data.region}.amazonaws.com"}},
            )
        )
        return definition

    def _container(
        self,
        definition: ecs.FargateTaskDefinition,
        name: str,
        command: list[str],
        entry_point: list[str] | None,
        log_group: logs.ILogGroup,
        read_only: bool,
        *,
        essential: bool = True,
        environment: dict[str, str] | None = None,
        secrets: dict[str, ecs.Secret] | None = None,
    ) -> ecs.ContainerDefinition:
        repository = ecr.Repository.from_repository_name(self.scope, f"Repo{definition.node.id}{name}", REPOSITORY)
        secret = self.data_secret(f"Secret{definition.node.id}{name}", self.data.database.secret)  # type: ignore[arg-type]
        container = definition.add_container(
            name,
            image=ecs.ContainerImage.from_ecr_repository(repository, self.deployment.image_tag),
            command=command,
            entry_point=entry_point,
            essential=essential,
            environment={**self.environment(), **(environment or {})},
            secrets={"PGPASSWORD": ecs.Secret.from_secrets_manager(secret, "password"), **(secrets or {})},
            logging=ecs.LogDriver.aws_logs(stream_prefix=name, log_group=log_group),
            readonly_root_filesystem=read_only,
            stop_timeout=Duration.seconds(60),
        )
        container.add_mount_points(
            ecs.MountPoint(container_path="/data", source_volume="data", read_only=False),
            ecs.MountPoint(container_path="/tmp", source_volume="tmp", read_only=False),
        )
        return container

    def data_secret(self, construct_id: str, secret: secretsmanager.ISecret) -> secretsmanager.ISecret:
        """A Data stack secret imported by ARN (a grant on the secret itself would make that stack refer to this)."""
        return secretsmanager.Secret.from_secret_complete_arn(self.scope, construct_id, secret.secret_arn)

    def _grant_files(self, role: iam.IRole) -> None:
        """Mount and write the shared files, through the stage's access point only."""
        role.add_to_principal_policy(
            iam.PolicyStatement(
                actions=["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"],
                resources=[self.data.files.file_system_arn],
                conditions={
                    "StringEquals": {"elasticfilesystem:AccessPointArn": self.data.access_point.access_point_arn}
                },
            )
        )
