"""deploy/Dockerfile: hadolint, the shape the issue asks for, the build context, and what the image installs.

No Docker engine runs on the development machines: the image itself is built by CD (docs/deploy.md).
What can be checked here is checked: the Dockerfile's lint and structure, that every file it copies is in
the build context, that the wheel it installs carries the package's data files, and that the Dagster
instance file it ships opens against a real PostgreSQL.
"""

from __future__ import annotations

import fnmatch
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = ROOT / "deploy" / "Dockerfile"
TEXT = DOCKERFILE.read_text(encoding="utf-8")
BIN = Path(sys.executable).parent


def instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with continuation lines joined and comments dropped."""
    joined = re.sub(r"\\\n\s*", " ", "\n".join(s for s in TEXT.splitlines() if not s.lstrip().startswith("#")))
    return [(line.split()[0].upper(), line.partition(" ")[2].strip()) for line in joined.splitlines() if line.strip()]


def test_hadolint_finds_nothing() -> None:
    result = subprocess.run([str(BIN / "hadolint"), str(DOCKERFILE)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_multi_stage_non_root_healthcheck_and_one_entrypoint_for_every_role() -> None:
    steps = instructions()
    stages = [args for op, args in steps if op == "FROM"]
    assert [s.split(" AS ")[-1] for s in stages] == ["build", "runtime"] and all("slim" in s for s in stages)
    runtime = steps[[i for i, (op, _) in enumerate(steps) if op == "FROM"][1] :]
    assert any(op == "RUN" and "uv build --wheel" in args for op, args in steps[: len(steps) - len(runtime)])
    user = [args for op, args in runtime if op == "USER"]
    assert user == ["10001:10001"]  # numeric: no root, resolvable by any host
    assert ("ENTRYPOINT", '["footfall"]') in runtime
    health = next(args for op, args in runtime if op == "HEALTHCHECK")
    assert "HEALTHCHECK_URL" in health and "HEALTHCHECK_URL=http://127.0.0.1:8001/health" in TEXT
    assert "FOOTFALL_HEALTH_PORT=8001" in TEXT  # checked on the port that answers however busy the API is
    labels = " ".join(args for op, args in runtime if op == "LABEL")
    for key in ("title", "version", "revision", "created", "licenses"):
        assert f"org.opencontainers.image.{key}=" in labels, key
    assert {p for op, args in runtime if op == "EXPOSE" for p in args.split()} == {"8000", "8001", "8080", "3000"}


def test_every_copied_file_is_in_the_build_context_and_nothing_else_is() -> None:
    patterns = [p for p in (ROOT / ".dockerignore").read_text().splitlines() if p and not p.startswith("#")]

    def included(path: str) -> bool:  # Docker's rule: the last matching pattern wins, `!` re-includes
        keep = True
        for pattern in patterns:
            negate = pattern.startswith("!")
            glob = pattern.lstrip("!").rstrip("/")
            if fnmatch.fnmatch(path, glob) or path.startswith(glob + "/") or fnmatch.fnmatch(path, glob.lstrip("*/")):
                keep = negate
        return keep

    sources = [src for op, args in instructions() if op == "COPY" and "--from" not in args for src in args.split()[:-1]]
    assert sources, "no COPY found"
    for source in sources:
        assert (ROOT / source).exists() and included(source.rstrip("/")), source
    for private in (".venv/bin/python", ".git/config", "footfall-data/footfall.duckdb", "tests/conftest.py", ".env"):
        assert not included(private), private
    assert included("src/footfall/api/app.py") and not included("src/footfall/__pycache__/x.pyc")


@pytest.mark.slow
def test_the_wheel_the_image_installs_carries_the_package_data(tmp_path: Path) -> None:
    uv = shutil.which("uv") or str(BIN / "uv")
    if not Path(uv).exists() and shutil.which(uv) is None:
        pytest.skip("uv is not installed (make install puts it in .venv when missing)")
    subprocess.run([uv, "build", "--wheel", "--out-dir", str(tmp_path), str(ROOT)], check=True, capture_output=True)
    (wheel,) = tmp_path.glob("footfall-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    for needed in (
        "footfall/warehouse/migrations/001_http_sessions.sql",
        "footfall/reports/sql/order_metrics.sql",
        "footfall/readers/schemas/http_log.avsc",
        "footfall/api/dashboard/static/plotly.min.js",
        "footfall/api/sagemaker.py",
    ):
        assert needed in names, needed
    assert not any("__pycache__" in n or n.startswith("tests/") for n in names)


@pytest.mark.postgres
def test_the_images_dagster_instance_opens_on_postgresql(
    tmp_path: Path, postgres_schema_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dagster import DagsterInstance

    config = (ROOT / "deploy" / "dagster.yaml").read_text(encoding="utf-8").replace("/data/", f"{tmp_path}/data/")
    (tmp_path / "dagster.yaml").write_text(config)
    monkeypatch.setenv("DAGSTER_PG_URL", postgres_schema_url)
    with DagsterInstance.from_config(str(tmp_path)) as instance:
        assert type(instance.run_storage).__name__ == "PostgresRunStorage"
        assert instance.get_runs() == [] and instance.run_coordinator.__class__.__name__ == "QueuedRunCoordinator"
