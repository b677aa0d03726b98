"""The stack every stage shares: the image repository, and GitHub's OIDC roles (no long-lived keys).

CI builds the image once, tags it with the commit, and promotes the same image from dev to prod.
Roles: `footfall-github-build` (push the image; the main branch only) and one `footfall-github-<stage>`
per stage (deploy through the CDK bootstrap roles, run the retrain task, smoke-test the endpoint), which
only a workflow job in that GitHub environment can assume; prod's environment requires an approval.
"""

from __future__ import annotations

from aws_cdk import Duration, RemovalPolicy, Stack
from aws_cdk import aws_ecr as ecr
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from constructs import Construct

from footfall_aws.config import STAGES, Deployment

REPOSITORY = "footfall"
GITHUB_OIDC = "token.actions.githubusercontent.com"
# GitHub's published certificate thumbprints (IAM no longer checks them for GitHub, CloudFormation still takes them)
GITHUB_THUMBPRINTS = ["6938fd4d98bab03faadb97b34396831e3780aea1", "1c58a3a8518e8759bf075b76b750d4f2df264fcd"]


class SharedStack(Stack):
    """ECR repository (immutable tags, scanned, KMS) and the GitHub Actions roles."""

    def __init__(self, scope: Construct, construct_id: str, *, deployment: Deployment, **kwargs: object) -> None:
        super().__init__(scope, construct_id, **kwargs)  # type: ignore[arg-type]
        key = kms.Key(self, "ImageKey", enable_key_rotation=True, description="footfall images")
        self.repository = ecr.Repository(
            self,
            "Images",
            repository_name=REPOSITORY,
            image_tag_mutability=ecr.TagMutability.IMMUTABLE,
            image_scan_on_push=True,
            encryption=ecr.RepositoryEncryption.KMS,
            encryption_key=key,
            removal_policy=RemovalPolicy.RETAIN,
            lifecycle_rules=[ecr.LifecycleRule(max_image_count=200, description="keep the last 200 builds")],
        )
        provider = iam.CfnOIDCProvider(
            self,
            "GitHubOidc",
            url=f"https://{GITHUB_OIDC}",
            client_id_list=["sts.amazonaws.com"],
            thumbprint_list=GITHUB_THUMBPRINTS,
        )
        repo = deployment.github_repo
        build = self._github_role("Build", provider, f"repo:{repo}:ref:refs/heads/main", "footfall-github-build")
        build.add_to_policy(iam.PolicyStatement(actions=["ecr:GetAuthorizationToken"], resources=["*"]))
        build.add_to_policy(
            iam.PolicyStatement(
                actions=[
                    "ecr:BatchCheckLayerAvailability",
                    "ecr:BatchGetImage",
                    "ecr:CompleteLayerUpload",
                    "ecr:DescribeImages",
                    "ecr:InitiateLayerUpload",
                    "ecr:PutImage",
                    "ecr:UploadLayerPart",
                ],
                resources=[self.repository.repository_arn],
            )
        )
        build.add_to_policy(
            iam.PolicyStatement(actions=["kms:Decrypt", "kms:GenerateDataKey"], resources=[key.key_arn])
        )
        for stage in STAGES:
            self._stage_role(provider, repo, stage)

    def _github_role(self, name: str, provider: iam.CfnOIDCProvider, subject: str, role_name: str) -> iam.Role:
        """A role that only GitHub's OIDC tokens for `subject` (a repository and branch or environment) can assume."""
        principal = iam.WebIdentityPrincipal(
            provider.attr_arn,
            conditions={
                "StringEquals": {f"{GITHUB_OIDC}:aud": "sts.amazonaws.com", f"{GITHUB_OIDC}:sub": subject},
            },
        )
        return iam.Role(self, name, role_name=role_name, assumed_by=principal, max_session_duration=Duration.hours(1))

    def _stage_role(self, provider: iam.CfnOIDCProvider, repo: str, stage: str) -> None:
        """`footfall-github-<stage>`: deploy with the CDK's bootstrap roles, run the retrain task, call the endpoint."""
        role = self._github_role(
            f"Deploy{stage.title()}", provider, f"repo:{repo}:environment:{stage}", f"footfall-github-{stage}"
        )
        account, region, prefix = self.account, self.region, f"Footfall-{stage}-"
        role.add_to_policy(
            iam.PolicyStatement(
                actions=["sts:AssumeRole"],
                resources=[f"arn:aws:iam::{account}:role/cdk-hnb659fds-*-{account}-{region}"],
            )
        )
        role.add_to_policy(
            iam.PolicyStatement(
                actions=["ecs:RunTask", "ecs:DescribeTasks"],
                resources=[
                    f"arn:aws:ecs:{region}:{account}:task-definition/footfall-{stage}-*",
                    f"arn:aws:ecs:{region}:{account}:task/footfall-{stage}/*",
                ],
            )
        )
        role.add_to_policy(
            iam.PolicyStatement(actions=["iam:PassRole"], resources=[f"arn:aws:iam::{account}:role/{prefix}*"])
        )
        role.add_to_policy(
            iam.PolicyStatement(
                actions=["logs:GetLogEvents", "logs:FilterLogEvents"],
                resources=[f"arn:aws:logs:{region}:{account}:log-group:/footfall/{stage}/*"],
            )
        )
        role.add_to_policy(
            iam.PolicyStatement(
                actions=["sagemaker:DescribeEndpoint", "sagemaker:InvokeEndpoint"],
                resources=[f"arn:aws:sagemaker:{region}:{account}:endpoint/footfall-{stage}"],
            )
        )
        role.add_to_policy(
            iam.PolicyStatement(
                actions=["cloudformation:DescribeStacks"],
                resources=[f"arn:aws:cloudformation:{region}:{account}:stack/{prefix}*/*"],
            )
        )
