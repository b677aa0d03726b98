"""A stage's services on ECS Fargate behind one load balancer with TLS: the API and dashboard, Dagster.

`https://<load balancer>/` is the API and dashboard, with authentication required (tokens, roles and
session cookies signed with a generated key: docs/serving.md#authentication); `/dagster` is the Dagster
UI, reachable only from the `admin_cidrs` networks (Dagster OSS has no login). The retrain schedule and
the alarms are in `footfall_aws.retrain`.
"""

from __future__ import annotations

from typing import Any

from aws_cdk import CfnOutput, Duration, Stack
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as actions
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_ecs as ecs
from aws_cdk import aws_elasticloadbalancingv2 as elbv2
from aws_cdk import aws_kms as kms
from aws_cdk import aws_secretsmanager as secretsmanager
from aws_cdk import aws_wafv2 as waf
from constructs import Construct

from footfall_aws.config import Deployment
from footfall_aws.data import DataStack
from footfall_aws.policy import skip_checks
from footfall_aws.retrain import add_retrain
from footfall_aws.tasks import TaskFactory

HEALTH_PORT = 8001

DEFINITIONS = "footfall.orchestration.definitions"


class ServicesStack(Stack):
    """ECS cluster, load balancer (TLS, WAF), API service, Dagster webserver and daemon, retrain, alarms."""

    def __init__(
        self, scope: Construct, construct_id: str, *, deployment: Deployment, data: DataStack, **kwargs: object
    ) -> None:
        super().__init__(scope, construct_id, **kwargs)  # type: ignore[arg-type]
        stage = deployment.stage
        self.cluster = ecs.Cluster(
            self,
            "Cluster",
            cluster_name=f"footfall-{stage.name}",
            vpc=data.vpc,
            container_insights_v2=ecs.ContainerInsights.ENABLED,
            # ECS Exec sessions print API tokens (docs/deploy.md, the first admin token): never logged;
            # CloudTrail still records who ran which command
            execute_command_configuration=ecs.ExecuteCommandConfiguration(logging=ecs.ExecuteCommandLogging.NONE),
        )
        factory = TaskFactory(self, deployment, data)
        self.alb, self.https = self._load_balancer(deployment, data)
        api = factory.task(
            "api",
            cpu=stage.api_cpu,
            memory_mib=stage.api_memory_mib,
            command=["serve", "--host", "0.0.0.0", "--port", "8000", "--health-port", str(HEALTH_PORT)],
            port=8000,
            **self._api_access(deployment, data),
        )
        # health checks on the port answered from a thread of its own (docs/serving.md#the-health-port)
        api.default_container.add_port_mappings(ecs.PortMapping(container_port=HEALTH_PORT))  # type: ignore[union-attr]
        self.api = self._service("Api", api, data, stage.api_tasks)
        self.api.connections.allow_from(self.alb, ec2.Port.tcp(HEALTH_PORT), "health checks from the load balancer")
        target = self.https.add_targets(
            "Api",
            port=8000,
            protocol=elbv2.ApplicationProtocol.HTTP,
            targets=[self.api],
            health_check=elbv2.HealthCheck(
                path="/health", port=str(HEALTH_PORT), healthy_http_codes="200", interval=Duration.seconds(30)
            ),
            deregistration_delay=Duration.seconds(30),
        )
        scaling = self.api.auto_scale_task_count(min_capacity=stage.api_tasks, max_capacity=stage.api_tasks * 4)
        scaling.scale_on_cpu_utilization("Cpu", target_utilization_percent=60)
        self._dagster(deployment, data, factory)
        self._alarms(data, target)
        add_retrain(self, deployment=deployment, data=data, cluster=self.cluster, factory=factory)
        CfnOutput(
            self, "LoadBalancerDns", value=self.alb.load_balancer_dns_name, description="point the host name here"
        )
        CfnOutput(
            self, "ClusterName", value=self.cluster.cluster_name, description="deploy/run-task.sh runs tasks here"
        )
        CfnOutput(self, "ApiServiceName", value=self.api.service_name, description="redeploy it after a key rotation")
        CfnOutput(
            self, "SecretKeyName", value=self.secret_key.secret_name, description="FOOTFALL_SECRET_KEY of the API"
        )

    def _api_access(self, deployment: Deployment, data: DataStack) -> dict[str, Any]:
        """The API's authentication settings, and its session-signing key generated into Secrets Manager."""
        self.secret_key = secretsmanager.Secret(
            self,
            "SecretKey",
            secret_name=f"footfall-{deployment.stage.name}-secret-key",
            description="FOOTFALL_SECRET_KEY of the footfall API: signs dashboard session cookies",
            # the key by ARN: a grant on the Data stack's key itself would make that stack refer to this one
            encryption_key=kms.Key.from_key_arn(self, "DataKey", data.key.key_arn),
            generate_secret_string=secretsmanager.SecretStringGenerator(password_length=64, exclude_punctuation=True),
        )
        hosts = [deployment.host_name, self.alb.load_balancer_dns_name]
        return {
            "environment": {
                "FOOTFALL_AUTH": "required",
                "FOOTFALL_ALLOWED_HOSTS": ",".join(h for h in hosts if h),
                # only the load balancer reaches the tasks' port, so its X-Forwarded-Proto (https) is believed:
                # the session cookie is then `Secure`, and logs show the client's address
                "FORWARDED_ALLOW_IPS": "*",
            },
            "secrets": {"FOOTFALL_SECRET_KEY": ecs.Secret.from_secrets_manager(self.secret_key)},
        }

    def _load_balancer(
        self, deployment: Deployment, data: DataStack
    ) -> tuple[elbv2.ApplicationLoadBalancer, elbv2.ApplicationListener]:
        """Internet-facing, TLS 1.2+ on 443 (80 only redirects), invalid headers dropped, access logs, WAF."""
        alb = elbv2.ApplicationLoadBalancer(
            self,
            "Alb",
            vpc=data.vpc,
            internet_facing=True,
            drop_invalid_header_fields=True,
            security_group=data.load_balancer,
            vpc_subnets=ec2.SubnetSelection(subnet_type=ec2.SubnetType.PUBLIC),
        )
        alb.log_access_logs(data.logs_bucket, prefix="alb")
        https = alb.add_listener(
            "Https",
            port=443,
            certificates=[elbv2.ListenerCertificate.from_arn(deployment.certificate_arn)],
            ssl_policy=elbv2.SslPolicy.RECOMMENDED_TLS,
            open=True,
        )
        alb.add_redirect(source_port=80, target_port=443)
        skip_checks(data.load_balancer, CKV_AWS_260="port 80 only answers with a redirect to 443")
        acl = waf.CfnWebACL(
            self,
            "Waf",
            scope="REGIONAL",
            default_action=waf.CfnWebACL.DefaultActionProperty(allow={}),
            visibility_config=_visibility("footfall-waf"),
            rules=[
                _managed_rule("AWSManagedRulesCommonRuleSet", 0),
                _managed_rule("AWSManagedRulesKnownBadInputsRuleSet", 1),
                _managed_rule("AWSManagedRulesAmazonIpReputationList", 2),
            ],
        )
        waf.CfnWebACLAssociation(self, "WafAlb", resource_arn=alb.load_balancer_arn, web_acl_arn=acl.attr_arn)
        return alb, https

    def _service(
        self, name: str, task: ecs.FargateTaskDefinition, data: DataStack, count: int, *, execute: bool = False
    ) -> ecs.FargateService:
        return ecs.FargateService(
            self,
            f"{name}Service",
            cluster=self.cluster,
            task_definition=task,
            desired_count=count,
            security_groups=[data.tasks],
            vpc_subnets=ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS),
            assign_public_ip=False,
            circuit_breaker=ecs.DeploymentCircuitBreaker(rollback=True),
            min_healthy_percent=100 if count > 1 else 0,
            propagate_tags=ecs.PropagatedTagSource.SERVICE,
            enable_execute_command=execute,
        )

    def _dagster(self, deployment: Deployment, data: DataStack, factory: TaskFactory) -> None:
        """The webserver (under /dagster, admin networks only) and the daemon, sharing runs in PostgreSQL.

        Both get the membership id key, as in deploy/compose.yaml: the runs they launch process the members' inbox.
        """
        web = factory.task(
            "dagster-webserver",
            cpu=512,
            memory_mib=2048,
            entry_point=["dagster-webserver"],
            command=["-h", "0.0.0.0", "-p", "3000", "-m", DEFINITIONS, "--path-prefix", "/dagster"],
            port=3000,
            read_only=False,
            secrets=self._pipeline_secrets(factory, data, "Web"),
        )
        daemon = factory.task(
            "dagster-daemon",
            cpu=1024,
            memory_mib=4096,
            entry_point=["dagster-daemon"],
            command=["run", "-m", DEFINITIONS],
            read_only=False,
            secrets=self._pipeline_secrets(factory, data, "Daemon"),
        )
        # ECS Exec into the webserver (writable root, database password) runs admin commands such as
        # `footfall auth token create`; the API's read-only root file system cannot host the exec agent
        webserver = self._service("DagsterWeb", web, data, 1, execute=True)
        self._service("DagsterDaemon", daemon, data, 1)
        if deployment.admin_cidrs:
            self.https.add_targets(
                "Dagster",
                priority=10,
                conditions=[
                    elbv2.ListenerCondition.path_patterns(["/dagster", "/dagster/*"]),
                    elbv2.ListenerCondition.source_ips(list(deployment.admin_cidrs)),
                ],
                port=3000,
                protocol=elbv2.ApplicationProtocol.HTTP,
                targets=[webserver],
                health_check=elbv2.HealthCheck(path="/dagster/server_info", healthy_http_codes="200"),
            )

    def _pipeline_secrets(self, factory: TaskFactory, data: DataStack, role: str) -> dict[str, ecs.Secret]:
        key = factory.data_secret(f"MembershipIdKey{role}", data.membership_id_key)
        return {"FOOTFALL_MEMBERSHIP_ID_KEY": ecs.Secret.from_secrets_manager(key)}

    def _alarms(self, data: DataStack, target: elbv2.ApplicationTargetGroup) -> None:
        """The API answers 5xx, or a task behind the load balancer is unhealthy."""
        action = actions.SnsAction(data.alarms)
        errors = target.metrics.http_code_target(elbv2.HttpCodeTarget.TARGET_5XX_COUNT, period=Duration.minutes(5))
        unhealthy = target.metrics.unhealthy_host_count(period=Duration.minutes(5), statistic="Maximum")
        for name, metric, threshold in (("Api5xx", errors, 10), ("ApiUnhealthy", unhealthy, 1)):
            alarm = metric.create_alarm(
                self,
                name,
                threshold=threshold,
                evaluation_periods=1,
                comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
                treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
            )
            alarm.add_alarm_action(action)


def _visibility(name: str) -> waf.CfnWebACL.VisibilityConfigProperty:
    return waf.CfnWebACL.VisibilityConfigProperty(
        cloud_watch_metrics_enabled=True, metric_name=name, sampled_requests_enabled=True
    )


def _managed_rule(name: str, priority: int) -> waf.CfnWebACL.RuleProperty:
    return waf.CfnWebACL.RuleProperty(
        name=name,
        priority=priority,
        override_action=waf.CfnWebACL.OverrideActionProperty(none={}),
        statement=waf.CfnWebACL.StatementProperty(
            managed_rule_group_statement=waf.CfnWebACL.ManagedRuleGroupStatementProperty(vendor_name="AWS", name=name)
        ),
        visibility_config=_visibility(name),
    )
