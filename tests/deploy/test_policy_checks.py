"""cfn-lint and checkov on the synthesized templates of both stages; actionlint on the workflows.

checkov pins old versions of packages this project shares, so `make tools` installs it in its own
environment (.venv-tools); without it the test skips and says so. Offline, checkov reports no severities
(they come from its vendor's platform), so the bar is stricter than "no high finding": no failed check at
all, and each exception is written on the resource it concerns, with its reason (footfall_aws.policy).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.deploy.conftest import CDK, ROOT, Synthesized

pytestmark = pytest.mark.slow
BIN = Path(sys.executable).parent
CHECKOV = ROOT / ".venv-tools" / "bin" / "checkov"


def _templates(synthesized: dict[str, Synthesized]) -> list[str]:
    return sorted(str(p) for s in synthesized.values() for p in s.outdir.glob("*.template.json"))


def test_cfn_lint_finds_nothing(synthesized: dict[str, Synthesized]) -> None:
    templates = _templates(synthesized)
    assert len(templates) == 8
    config = str(CDK / ".cfnlintrc.yaml")
    result = subprocess.run(
        [str(BIN / "cfn-lint"), "--config-file", config, "--", *templates], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_checkov_fails_no_check(synthesized: dict[str, Synthesized], tmp_path: Path) -> None:
    checkov = str(CHECKOV) if CHECKOV.exists() else shutil.which("checkov")
    if checkov is None:
        pytest.skip("checkov is not installed: `make tools` builds .venv-tools with it (make test does)")
    for stage, synth in synthesized.items():  # one folder, one run, one report (the shared stack once per stage)
        for template in synth.outdir.glob("*.template.json"):
            shutil.copy(template, tmp_path / f"{stage}-{template.name}")
    command = [checkov, "--framework", "cloudformation", "--skip-download", "-o", "json", "-d", str(tmp_path)]
    result = subprocess.run(command, capture_output=True, text=True, timeout=600)
    reports = json.loads(result.stdout)
    reports = reports if isinstance(reports, list) else [reports]
    failed = [
        f"{c['check_id']} {c['resource']} ({Path(c['file_path']).name}): {c['check_name']}"
        for r in reports
        for c in r["results"]["failed_checks"]
    ]
    assert failed == [], "\n".join(failed)
    summary = reports[0]["summary"]
    assert summary["parsing_errors"] == 0 and summary["resource_count"] > 200 and summary["passed"] > 500
    skipped = {c["check_id"] for r in reports for c in r["results"]["skipped_checks"]}
    assert skipped <= {"CKV_AWS_18", "CKV_AWS_157", "CKV_AWS_260"}, skipped  # each justified in footfall_aws


def test_actionlint_finds_nothing() -> None:
    workflows = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
    assert {w.name for w in workflows} >= {"ci.yml", "cd.yml", "model.yml"}
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}  # its shellcheck, for run: steps
    assert (BIN / "shellcheck").exists()
    result = subprocess.run([str(BIN / "actionlint"), *map(str, workflows)], capture_output=True, text=True, env=env)
    assert result.returncode == 0, result.stdout + result.stderr


def test_shellcheck_finds_nothing_in_the_deploy_scripts() -> None:
    scripts = sorted((ROOT / "deploy").glob("*.sh"))
    assert scripts
    result = subprocess.run([str(BIN / "shellcheck"), *map(str, scripts)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
