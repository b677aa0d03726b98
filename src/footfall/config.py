"""Settings, read once from `FOOTFALL_*` environment variables (or a `.env` file)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATA_DIR = Path("footfall-data")


class Settings(BaseSettings):
    """Everything a deployment can set; the only place that reads the environment."""

    model_config = SettingsConfigDict(env_prefix="FOOTFALL_", env_file=".env", extra="ignore")

    data_dir: Path = DEFAULT_DATA_DIR
    warehouse: str = ""
    report_tz: str = "Asia/Singapore"
    host: str = "127.0.0.1"
    port: int = 8000
    # recommender promotion: a new model becomes current unless its NDCG@10 is more than this
    # relative drop below the current model's on the same data (0.02 = 2 % worse is still accepted)
    promote_tolerance: float = 0.0
    # orchestration (docs/orchestration.md): the Dagster UI's port, the resource set (local or
    # production), and MovieLens files the retrain job reads instead of the warehouse's interactions
    orchestrate_port: int = 3000
    deployment: str = "local"
    movielens: Path | None = None
    # `footfall serve` answers the SageMaker inference contract (docs/deploy.md): set in the SageMaker model's
    # environment, so that the `serve` argument SageMaker passes to the image starts that server
    sagemaker: bool = False

    def warehouse_url(self) -> str:
        """The warehouse URL: `FOOTFALL_WAREHOUSE`, else a DuckDB file under the data dir."""
        return self.warehouse or f"duckdb:///{self.data_dir / 'footfall.duckdb'}"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process's settings, read on first use."""
    return Settings()
