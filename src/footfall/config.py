"""Settings, read once from `FOOTFALL_*` environment variables (or a `.env` file): the one place
that reads the environment, and the one source of every default a deployment may change.

Every surface (CLI, API, dashboard, Dagster) reads these through `get_settings()`; a library
function takes the value as a parameter, and `None` there means "the setting". A bad value is
a one-line `SettingsError` naming the variable (exit code 2 at the CLI).
"""

from __future__ import annotations

import os
import re
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from footfall.errors import FootfallError, SettingsError

__all__ = ["DEFAULT_DATA_DIR", "SECRET_HINT", "Settings", "get_settings"]

DEFAULT_DATA_DIR = Path("footfall-data")
_MEMORY = re.compile(r"^\d+(\.\d+)?\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)$", re.IGNORECASE)
_SECRETS = {"secret_key"}  # never echoed in an error
SECRET_HINT = "python -c 'import secrets; print(secrets.token_urlsafe(32))'"
_ROLE_NAME = re.compile(r"^([A-Za-z_][A-Za-z0-9_]{0,62})?$")


class Settings(BaseSettings):
    """Everything a deployment can set (docs: README, Configuration); the only reader of the environment."""

    model_config = SettingsConfigDict(env_prefix="FOOTFALL_", env_file=".env", extra="ignore")

    data_dir: Path = DEFAULT_DATA_DIR
    warehouse: str = ""
    report_tz: str = "Asia/Singapore"
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    health_port: int | None = Field(default=None, ge=1, le=65535)  # docs/serving.md#the-health-port
    # recommender promotion: a new model becomes current unless its NDCG@10 is more than this
    # relative drop below the current model's on the same data (0.02 = 2 % worse is still accepted)
    promote_tolerance: float = Field(default=0.0, ge=0.0, lt=1.0)
    # orchestration (docs/orchestration.md): the Dagster UI's port, the resource set (local or
    # production), and MovieLens files the retrain job reads instead of the warehouse's interactions
    orchestrate_port: int = Field(default=3000, ge=1, le=65535)
    deployment: Literal["local", "production"] = "local"
    movielens: Path | None = None
    # how many blocks of an input are parsed at once (each is a thread; Polars and Arrow release the GIL)
    parse_workers: int = Field(default_factory=lambda: os.cpu_count() or 1, ge=1, le=256)
    # the embedded warehouse's memory limit: larger loads spill to disk instead of growing
    duckdb_memory_limit: str = "1GB"
    # a longer input line (or CSV record) is rejected as line_too_long, its start kept: reading stays linear
    max_line_bytes: int = Field(default=1 << 20, ge=1024)
    # a secret that keys membership ids (HMAC) so that they cannot be turned back into dates of birth
    # (docs/access.md); unset: the membership spec's plain SHA-256 form. Set it before the first batch.
    membership_id_key: SecretStr | None = None
    # `footfall serve` answers the SageMaker inference contract (docs/deploy.md): set in the SageMaker model's
    # environment, so that the `serve` argument SageMaker passes to the image starts that server
    sagemaker: bool = False
    # how long a pipeline waits for the DuckDB file while another process holds it (docs/serving.md)
    duckdb_lock_timeout: float = Field(default=30.0, ge=0, le=86_400)
    # serving (docs/serving.md): read connections, admission, timeouts and the response cache
    pool_size: int = Field(default=4, ge=1, le=64)
    max_in_flight: int = Field(default=32, ge=1, le=10_000)
    pool_timeout: float = Field(default=2.0, gt=0, le=60)
    request_timeout: float = Field(default=10.0, gt=0, le=3_600)
    cache_mb: int = Field(default=64, ge=0, le=65_536)
    access_log: bool = True
    # access (docs/serving.md#authentication); the secret key has no default, on purpose
    auth: Literal["auto", "required"] = "auto"
    secret_key: SecretStr | None = None
    allowed_hosts: Annotated[list[str], NoDecode] = []
    cors_origins: Annotated[list[str], NoDecode] = []
    api_db_role: str = "footfall_reader"

    @field_validator("report_tz")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        from footfall.zones import check_time_zone

        try:
            return check_time_zone(value)
        except FootfallError:  # a validation error, which pydantic reports with the variable
            raise ValueError("not an IANA time zone; use a name such as Europe/London or UTC") from None

    @field_validator("duckdb_memory_limit")
    @classmethod
    def _memory_size(cls, value: str) -> str:
        if not _MEMORY.match(value.strip()):
            raise ValueError("use a size such as 1GB, 512MB or 2GiB")
        return value.strip()

    @field_validator("secret_key")
    @classmethod
    def _long_secret(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and len(value.get_secret_value()) < 32:
            raise ValueError(f"use at least 32 random characters, e.g. from: {SECRET_HINT}")
        return value

    @field_validator("allowed_hosts", "cors_origins", mode="before")
    @classmethod
    def _comma_list(cls, value: object) -> object:
        return [v.strip() for v in value.split(",") if v.strip()] if isinstance(value, str) else value

    @field_validator("api_db_role")
    @classmethod
    def _role_name(cls, value: str) -> str:
        if not _ROLE_NAME.match(value):
            raise ValueError("use a PostgreSQL role name (letters, digits, _), or empty for none")
        return value

    def warehouse_url(self) -> str:
        """The warehouse URL: `FOOTFALL_WAREHOUSE`, else a DuckDB file under the data dir."""
        return self.warehouse or f"duckdb:///{self.data_dir / 'footfall.duckdb'}"

    def state_dir(self, pipeline: str) -> Path:
        """Where the incremental state of `pipeline` (e.g. `http-sessions`) lives."""
        return self.data_dir / "state" / pipeline

    def models_dir(self) -> Path:
        """The model registry's folder (the one `footfall serve` follows)."""
        return self.data_dir / "models"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process's settings, read on first use; a bad value is a one-line SettingsError."""
    try:
        return Settings()
    except ValidationError as exc:
        raise _settings_error(exc) from None


def _settings_error(exc: ValidationError) -> SettingsError:
    """One line naming the first bad variable, its value and what it must be."""
    first = exc.errors()[0]
    field = str(first["loc"][0]) if first.get("loc") else "?"
    variable = f"FOOTFALL_{field.upper()}"
    message = str(first.get("msg", "invalid value")).removeprefix("Value error, ")
    value = first.get("input")
    shown = f" {value!r}" if isinstance(value, str | int | float) and field not in _SECRETS else ""
    return SettingsError(f"bad {variable}{shown}: {message}")
