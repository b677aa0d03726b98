"""deploy/compose.yaml: valid against the Compose Specification's schema once interpolated, secrets required."""

from __future__ import annotations

import copy
import json
import os
import re
import shutil
import subprocess
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from tests.deploy.compose_env import MissingVariable, interpolate, read_env_file, variables

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = ROOT / "deploy" / "compose.yaml"
EXAMPLE = ROOT / "deploy" / ".env.example"
SECRET = re.compile(r"PASSWORD|SECRET|TOKEN|KEY")
FOOTFALL_SERVICES = ("migrate", "api", "dagster-webserver", "dagster-daemon")
SECRETS = ("POSTGRES_PASSWORD", "FOOTFALL_SECRET_KEY", "FOOTFALL_MEMBERSHIP_ID_KEY")


def filled_example() -> dict[str, str]:
    """deploy/.env.example with every empty (required) value filled in, as a user is told to (32+ characters)."""
    return {k: v or f"test-{k.lower()}-{'x' * 32}" for k, v in read_env_file(EXAMPLE).items()}


def config(env: dict[str, str]) -> dict[str, Any]:
    """The compose file as `docker compose config` sees it: YAML (merge keys resolved), then interpolated."""
    return dict(interpolate(yaml.safe_load(COMPOSE.read_text(encoding="utf-8")), env))


def compose_schema() -> dict[str, Any]:
    """The Compose Specification's JSON schema, as shipped by check-jsonschema (Apache-2.0, compose-spec)."""
    vendor = resources.files("check_jsonschema.builtin_schemas.vendor")
    return dict(json.loads((vendor / "compose-spec.json").read_text(encoding="utf-8")))


def schema_errors(document: dict[str, Any]) -> list[str]:
    schema = compose_schema()
    validator = jsonschema.validators.validator_for(schema)(schema)
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(document)]


def test_the_compose_file_is_valid_against_the_compose_specification() -> None:
    assert schema_errors(config(filled_example())) == []


def test_the_schema_check_catches_a_mistake() -> None:
    broken = copy.deepcopy(config(filled_example()))
    broken["services"]["api"]["depends_on"]["migrate"]["condition"] = "service_finished"
    broken["services"]["api"]["restart_policy"] = "always"
    assert len(schema_errors(broken)) >= 2


@pytest.mark.parametrize("how", ["empty, as in .env.example", "unset"])
def test_a_missing_required_secret_fails_with_the_variables_name(how: str) -> None:
    env = read_env_file(EXAMPLE) if how.startswith("empty") else {}
    with pytest.raises(MissingVariable, match=r"^required variable POSTGRES_PASSWORD is missing a value: set "):
        config(env)


@pytest.mark.parametrize("secret", SECRETS)
@pytest.mark.parametrize("how", ["empty", "unset"])
def test_each_secret_alone_missing_fails_with_its_name(secret: str, how: str) -> None:
    env = filled_example()
    if how == "empty":
        env[secret] = ""
    else:
        del env[secret]
    with pytest.raises(MissingVariable, match=rf"^required variable {secret} is missing a value: set {secret} in "):
        config(env)


def test_every_secret_comes_from_the_environment_and_is_required() -> None:
    text = COMPOSE.read_text(encoding="utf-8")
    used = variables(text)
    secrets = {name for name, _ in used if SECRET.search(name)}
    assert secrets == set(SECRETS)
    assert all(op == ":?" for name, op in used if name in secrets), "a secret with a default or optional"
    example = read_env_file(EXAMPLE)
    assert all(example.get(name) == "" for name in secrets), "every secret is listed in .env.example, empty"
    assert {name for name, op in used if op == ":?"} <= set(example)
    filled = filled_example()
    values = {filled[name] for name in secrets}
    for name, service in config(filled)["services"].items():  # no literal secrets anywhere, none in a URL
        for key, value in service.get("environment", {}).items():
            if SECRET.search(key):
                assert value in values, f"{name}: {key}"
            else:
                assert not any(v in str(value) for v in values), f"{name}: {key} holds a secret"
    assert not any(v in text for v in values)


def test_each_secret_reaches_only_the_services_that_use_it() -> None:
    """The API signs sessions with the secret key; Dagster's runs key membership ids; migrations need neither."""
    services = config(filled_example())["services"]
    holders = {
        secret: {name for name, s in services.items() if secret in s.get("environment", {})}
        for secret in ("FOOTFALL_SECRET_KEY", "FOOTFALL_MEMBERSHIP_ID_KEY", "PGPASSWORD")
    }
    assert holders == {
        "FOOTFALL_SECRET_KEY": {"api"},
        "FOOTFALL_MEMBERSHIP_ID_KEY": {"dagster-webserver", "dagster-daemon"},
        "PGPASSWORD": set(FOOTFALL_SERVICES),
    }
    shared = services["migrate"]["environment"]
    for name in FOOTFALL_SERVICES:  # each adds to the shared settings, none loses one (YAML merges are shallow)
        assert shared.items() <= services[name]["environment"].items(), name


@pytest.mark.parametrize(
    ("given", "hosts"),
    [({}, "localhost,127.0.0.1"), ({"FOOTFALL_ALLOWED_HOSTS": "footfall.example.com"}, "footfall.example.com")],
)
def test_the_api_requires_authentication_and_names_its_hosts(given: dict[str, str], hosts: str) -> None:
    from footfall.config import Settings

    env = config({**filled_example(), **given})["services"]["api"]["environment"]
    assert env["FOOTFALL_AUTH"] == "required" and env["FOOTFALL_ALLOWED_HOSTS"] == hosts
    given_settings = {k.removeprefix("FOOTFALL_").lower(): v for k, v in env.items() if k.startswith("FOOTFALL_")}
    settings = Settings(_env_file=None, **given_settings)  # what the api's `footfall serve` reads
    assert settings.auth == "required" and settings.allowed_hosts == hosts.split(",")


def test_migrations_run_once_before_the_services_start() -> None:
    services = config(filled_example())["services"]
    postgres = services["postgres"]
    assert "pg_isready" in " ".join(postgres["healthcheck"]["test"]) and postgres["volumes"][0].startswith("pgdata:")
    assert services["migrate"]["command"] == ["migrate", "--schema", "dagster"]
    assert services["migrate"]["restart"] == "no"
    assert services["migrate"]["depends_on"] == {"postgres": {"condition": "service_healthy"}}
    for name in FOOTFALL_SERVICES[1:]:
        assert services[name]["depends_on"] == {"migrate": {"condition": "service_completed_successfully"}}, name
    assert services["api"]["command"][0] == "serve"
    assert services["dagster-webserver"]["entrypoint"] == ["dagster-webserver"]
    assert services["dagster-daemon"]["entrypoint"] == ["dagster-daemon"]
    for name in FOOTFALL_SERVICES:
        env = services[name]["environment"]
        assert env["FOOTFALL_WAREHOUSE"].endswith("@postgres:5432/footfall") and env["FOOTFALL_DATA_DIR"] == "/data"
        assert services[name]["volumes"] == ["data:/data"], name
    for name in ("api", "dagster-webserver"):
        assert all(p.startswith("127.0.0.1:") for p in services[name]["ports"]), "published on loopback only"


def test_dagster_keeps_its_tables_in_their_own_schema() -> None:
    env = config(filled_example())["services"]["dagster-daemon"]["environment"]
    assert env["DAGSTER_PG_URL"].endswith("@postgres:5432/footfall?options=-csearch_path%3Ddagster")
    assert env["PGPASSWORD"] == filled_example()["POSTGRES_PASSWORD"]


@pytest.mark.skipif(
    shutil.which("docker") is None or subprocess.run(["docker", "compose", "version"], capture_output=True).returncode,
    reason="the docker compose plugin is not installed here (the tests above emulate `docker compose config`)",
)
def test_docker_compose_config_agrees(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("".join(f"{k}={v}\n" for k, v in filled_example().items()))
    ok = subprocess.run(["docker", "compose", "--env-file", str(env_file), "-f", str(COMPOSE), "config", "-q"])
    assert ok.returncode == 0
    for secret in SECRETS:  # one missing at a time: compose reports the first it meets, in no set order
        env_file.write_text("".join(f"{k}={v}\n" for k, v in filled_example().items() if k != secret))
        missing = subprocess.run(
            ["docker", "compose", "--env-file", str(env_file), "-f", str(COMPOSE), "config", "-q"],
            capture_output=True,
            text=True,
            env={k: v for k, v in os.environ.items() if k not in SECRETS},
        )
        assert missing.returncode != 0 and secret in missing.stderr, secret
