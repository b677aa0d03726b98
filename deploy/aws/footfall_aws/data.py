"""A stage's network and data: the VPC, one KMS key, the data bucket, the warehouse (RDS PostgreSQL), the shared files.

Everything at rest is encrypted with the stage's customer-managed key (rotated yearly); nothing is public:
the database and the file system live in subnets without a route to the internet, and only the security
groups of the stage's tasks may reach them. Redshift in place of RDS: docs/deploy.md.
"""

from __future__ import annotations

from aws_cdk import CfnOutput, Duration, RemovalPolicy, Stack
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_efs as efs
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from aws_cdk import aws_rds as rds
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_secretsmanager as secretsmanager
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from constructs import Construct

from footfall_aws.config import Deployment
from footfall_aws.policy import skip_checks

DB_NAME = "footfall"
DB_USER = "footfall"
UID = 10001  # the image's user


class DataStack(Stack):
    """VPC, KMS key, data and log buckets, RDS PostgreSQL, EFS."""

    def __init__(self, scope: Construct, construct_id: str, *, deployment: Deployment, **kwargs: object) -> None:
        super().__init__(scope, construct_id, **kwargs)  # type: ignore[arg-type]
        stage = deployment.stage
        removal = RemovalPolicy.RETAIN if stage.retain_data else RemovalPolicy.DESTROY
        self.key = kms.Key(self, "Key", enable_key_rotation=True, description=f"footfall {stage.name}: data at rest")
        for service in ("logs", "events", "sns"):  # services that encrypt with it on the stage's behalf
            self.key.add_to_resource_policy(
                iam.PolicyStatement(
                    actions=["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:DescribeKey"],
                    principals=[iam.ServicePrincipal(f"{service}.amazonaws.com")],
                    resources=["*"],  # in a key policy, "*" is this key
                )
            )
        self.alarms = sns.Topic(
            self, "Alarms", display_name=f"footfall {stage.name} alarms", master_key=self.key, enforce_ssl=True
        )
        if deployment.alarm_email:
            self.alarms.add_subscription(subscriptions.EmailSubscription(deployment.alarm_email))
        self.vpc = self._network(stage.nat_gateways, stage.log_days)
        self.logs_bucket = s3.Bucket(
            self,
            "AccessLogs",
            encryption=s3.BucketEncryption.S3_MANAGED,  # S3 server access logs cannot be written with a KMS key
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            enforce_ssl=True,
            versioned=True,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
            lifecycle_rules=[s3.LifecycleRule(expiration=Duration.days(stage.log_days))],
            removal_policy=removal,
        )
        skip_checks(self.logs_bucket, CKV_AWS_18="the access-log bucket itself: logging it would loop")
        self.bucket = s3.Bucket(
            self,
            "Data",
            encryption=s3.BucketEncryption.KMS,
            encryption_key=self.key,
            bucket_key_enabled=True,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            enforce_ssl=True,
            versioned=True,
            server_access_logs_bucket=self.logs_bucket,
            server_access_logs_prefix="data/",
            lifecycle_rules=[s3.LifecycleRule(noncurrent_version_expiration=Duration.days(90))],
            removal_policy=removal,
        )
        self._let_ci_read_the_latest_model(stage.name)
        self.tasks = ec2.SecurityGroup(self, "Tasks", vpc=self.vpc, description="footfall tasks of this stage")
        # the load balancer's group lives here too, so that its rules with the tasks' group stay in one stack
        self.load_balancer = ec2.SecurityGroup(
            self, "LoadBalancer", vpc=self.vpc, description="footfall load balancer", allow_all_outbound=False
        )
        self.database = self._database(deployment, removal)
        self.files = self._files(removal)
        # keys membership ids (docs/access.md): made before the first batch, kept with the data it keys
        self.membership_id_key = secretsmanager.Secret(
            self,
            "MembershipIdKey",
            secret_name=f"footfall-{stage.name}-membership-id-key",
            description="FOOTFALL_MEMBERSHIP_ID_KEY of footfall's pipelines: never change it (ids would change)",
            encryption_key=self.key,
            generate_secret_string=secretsmanager.SecretStringGenerator(password_length=64, exclude_punctuation=True),
            removal_policy=removal,
        )
        subnets = self.vpc.select_subnets(subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS).subnet_ids
        for name, value in (  # what the workflows read (deploy-stage.yml, deploy/run-task.sh)
            ("DataBucket", self.bucket.bucket_name),
            ("TaskSubnets", ",".join(subnets)),
            ("TaskSecurityGroup", self.tasks.security_group_id),
        ):
            CfnOutput(self, name, value=value)

    def _let_ci_read_the_latest_model(self, stage: str) -> None:
        """CD reads models/recommender/latest.json (the artifact the endpoint must keep), nothing else."""
        github = iam.ArnPrincipal(f"arn:aws:iam::{self.account}:role/footfall-github-{stage}")  # Footfall-Shared
        self.bucket.add_to_resource_policy(
            iam.PolicyStatement(
                actions=["s3:GetObject"],
                principals=[github],
                resources=[self.bucket.arn_for_objects("models/recommender/latest.json")],
            )
        )
        self.key.add_to_resource_policy(
            iam.PolicyStatement(
                actions=["kms:Decrypt"],
                principals=[github],
                resources=["*"],  # in a key policy, "*" is this key
                conditions={"StringEquals": {"kms:ViaService": f"s3.{self.region}.amazonaws.com"}},
            )
        )

    def _network(self, nat_gateways: int, log_days: int) -> ec2.Vpc:
        """Public subnets (load balancer, NAT), private ones (tasks), isolated ones (database, files); flow logs."""
        vpc = ec2.Vpc(
            self,
            "Vpc",
            max_azs=2,
            nat_gateways=nat_gateways,
            subnet_configuration=[
                ec2.SubnetConfiguration(name="public", subnet_type=ec2.SubnetType.PUBLIC, cidr_mask=24),
                ec2.SubnetConfiguration(name="tasks", subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS, cidr_mask=22),
                ec2.SubnetConfiguration(name="data", subnet_type=ec2.SubnetType.PRIVATE_ISOLATED, cidr_mask=24),
            ],
            gateway_endpoints={"S3": ec2.GatewayVpcEndpointOptions(service=ec2.GatewayVpcEndpointAwsService.S3)},
        )
        flow_logs = logs.LogGroup(self, "FlowLogs", encryption_key=self.key, retention=_days(log_days))
        vpc.add_flow_log("All", destination=ec2.FlowLogDestination.to_cloud_watch_logs(flow_logs))
        return vpc

    def _database(self, deployment: Deployment, removal: RemovalPolicy) -> rds.DatabaseInstance:
        """RDS PostgreSQL in the isolated subnets; its generated password in Secrets Manager (KMS)."""
        stage = deployment.stage
        group = ec2.SecurityGroup(self, "DatabaseSg", vpc=self.vpc, description="footfall warehouse")
        group.add_ingress_rule(self.tasks, ec2.Port.tcp(5432), "footfall tasks")
        identifier = f"footfall-{stage.name}"
        exported = [  # made here, with the key and a retention, instead of by RDS (which would keep them forever)
            logs.LogGroup(
                self,
                f"Db{kind.title()}Log",
                log_group_name=f"/aws/rds/instance/{identifier}/{kind}",
                encryption_key=self.key,
                retention=_days(stage.log_days),
                removal_policy=removal,
            )
            for kind in ("postgresql", "upgrade")
        ]
        database = rds.DatabaseInstance(
            self,
            "Warehouse",
            instance_identifier=identifier,
            engine=rds.DatabaseInstanceEngine.postgres(version=rds.PostgresEngineVersion.VER_17_9),
            instance_type=ec2.InstanceType(stage.db_instance),
            vpc=self.vpc,
            vpc_subnets=ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_ISOLATED),
            security_groups=[group],
            database_name=DB_NAME,
            credentials=rds.Credentials.from_generated_secret(DB_USER, encryption_key=self.key),
            storage_encrypted=True,
            storage_encryption_key=self.key,
            allocated_storage=stage.db_storage_gb,
            max_allocated_storage=stage.db_storage_gb * 4,
            multi_az=stage.db_multi_az,
            backup_retention=Duration.days(stage.db_backup_days),
            deletion_protection=stage.retain_data,
            removal_policy=RemovalPolicy.SNAPSHOT if stage.retain_data else RemovalPolicy.DESTROY,
            iam_authentication=True,
            auto_minor_version_upgrade=True,
            copy_tags_to_snapshot=True,
            enable_performance_insights=True,
            performance_insight_encryption_key=self.key,
            cloudwatch_logs_exports=["postgresql", "upgrade"],
            monitoring_interval=Duration.seconds(60),
            parameter_group=rds.ParameterGroup(
                self,
                "Parameters",
                engine=rds.DatabaseInstanceEngine.postgres(version=rds.PostgresEngineVersion.VER_17_9),
                parameters={"rds.force_ssl": "1", "log_min_duration_statement": "2000"},
            ),
        )
        for group_ in exported:
            database.node.add_dependency(group_)
        if not stage.db_multi_az:
            skip_checks(database, CKV_AWS_157="dev runs one zone to halve its cost; prod is Multi-AZ")
        return database

    def _files(self, removal: RemovalPolicy) -> efs.FileSystem:
        """EFS (KMS, TLS and IAM required) shared by the API and Dagster: inbox, reports, the model registry."""
        group = ec2.SecurityGroup(self, "FilesSg", vpc=self.vpc, description="footfall shared files")
        group.add_ingress_rule(self.tasks, ec2.Port.tcp(2049), "footfall tasks")
        files = efs.FileSystem(
            self,
            "Files",
            vpc=self.vpc,
            vpc_subnets=ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_ISOLATED),
            security_group=group,
            encrypted=True,
            kms_key=self.key,
            enable_automatic_backups=True,
            lifecycle_policy=efs.LifecyclePolicy.AFTER_30_DAYS,
            removal_policy=removal,
            allow_anonymous_access=False,
        )
        self.access_point = files.add_access_point(
            "Data",
            path="/footfall",
            posix_user=efs.PosixUser(uid=str(UID), gid=str(UID)),
            create_acl=efs.Acl(owner_uid=str(UID), owner_gid=str(UID), permissions="750"),
        )
        return files


def _days(days: int) -> logs.RetentionDays:
    """The CloudWatch retention of `days` (the stages use 30 or 365)."""
    return {30: logs.RetentionDays.ONE_MONTH, 365: logs.RetentionDays.ONE_YEAR}[days]
