"""docs/deploy.md and docs/system-design.md cover what the code adds; the README links them."""

from __future__ import annotations

import re
import sys

from typer.testing import CliRunner

from footfall.cli.main import app
from footfall.config import Settings
from tests.deploy.conftest import CDK, ROOT

DEPLOY = (ROOT / "docs" / "deploy.md").read_text(encoding="utf-8")
DESIGN = (ROOT / "docs" / "system-design.md").read_text(encoding="utf-8")
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _options(*command: str) -> set[str]:
    result = CliRunner().invoke(app, [*command, "--help"], terminal_width=200)
    assert result.exit_code == 0, result.output
    return set(re.findall(r"(--[a-z][a-z-]+)", result.output)) - {"--help"}


def test_the_commands_and_options_added_for_deployments_are_documented() -> None:
    assert "footfall serve --sagemaker" in DEPLOY
    for option in _options("sagemaker", "publish"):
        assert option in DEPLOY, option
    assert "footfall migrate [--schema NAME]" in DEPLOY and "--schema" in _options("migrate")
    for route in ("GET /ping", "POST /invocations"):
        assert route in DEPLOY, route


def test_the_settings_are_documented_in_the_readme_and_the_deploy_guide() -> None:
    assert "sagemaker" in Settings.model_fields
    assert "| `FOOTFALL_SAGEMAKER` |" in README and "| `FOOTFALL_SAGEMAKER` |" in DEPLOY


def test_every_context_value_stack_and_workflow_is_documented() -> None:
    sys.path.insert(0, str(CDK))
    from footfall_aws.config import _PATTERNS, STAGES

    for key in ("stage", "admin_cidrs", *_PATTERNS):
        assert f"| `{key}`" in DEPLOY or f"`{key}` |" in DEPLOY, key
    for stage in STAGES:
        assert f"footfall-github-{stage}" in DEPLOY
    for stack in ("Footfall-Shared", "Footfall-<stage>-Data", "Footfall-<stage>-Services", "Footfall-<stage>-Serving"):
        assert f"`{stack}`" in DEPLOY, stack
    for workflow in (ROOT / ".github" / "workflows").glob("*.yml"):
        assert f"`{workflow.name}`" in DEPLOY, workflow.name


def test_the_documents_have_their_diagrams_and_say_what_was_not_run() -> None:
    assert DEPLOY.count("```mermaid") >= 3 and DESIGN.count("```mermaid") >= 2
    assert "## What was run here and what was not" in DEPLOY and "no image was ever built" in DEPLOY
    for topic in (
        "Write path",
        "Read path",
        "### Scaling",
        "### Security and access control",
        "### Cost",
        "### Monitoring",
    ):
        assert topic in DESIGN, topic
    assert "### Retention: images and metadata for 7 days, then purged" in DESIGN
    assert "1 billion events a day" in DESIGN and "11,574 events/s" in DESIGN


def test_the_readme_has_a_deploy_section_linking_both_documents() -> None:
    section = README.split("## Deploy\n", 1)[1].split("\n## ", 1)[0]
    assert "(docs/deploy.md)" in section and "(docs/system-design.md)" in section
    assert "docker compose -f deploy/compose.yaml up" in section


def test_the_first_token_the_secrets_and_the_rotation_are_documented() -> None:
    from tests.deploy.compose_env import read_env_file

    assert {"--role", "--name"} <= _options("auth", "token", "create")
    assert "docker compose -f deploy/compose.yaml run --rm api auth token create --role admin --name ops" in DEPLOY
    assert "footfall auth token create --role admin --name ops" in DEPLOY  # ECS Exec
    for name in read_env_file(ROOT / "deploy" / ".env.example"):
        assert f"`{name}`" in DEPLOY, name
    for topic in ("### Rotating the secret key (compose)", "### Rotating the secret key (ECS)"):
        assert topic in DEPLOY, topic
    assert "### Access to footfall's API and dashboard" in DESIGN
