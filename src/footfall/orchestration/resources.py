"""The resources every asset uses, one set per deployment: the warehouse, the model registry, the data folders.

Folder layout under the data dir (`FOOTFALL_DATA_DIR`), documented in docs/orchestration.md:
inputs are dropped into `inbox/…`; outputs go to `archive/`, `members/`, `reports/`, `recsys/`;
the incremental sessions state is `state/<pipeline>` (the same as the CLI's `--incremental`).
"""

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import dagster as dg

from footfall.config import Settings
from footfall.errors import InputError
from footfall.recsys.registry import Registry
from footfall.warehouse import Warehouse, connect

__all__ = ["DataDirResource", "ModelRegistryResource", "WarehouseResource", "resources_for"]

DEPLOYMENTS = ("local", "production")


class WarehouseResource(dg.ConfigurableResource["WarehouseResource"]):
    """The warehouse (a DuckDB file or PostgreSQL) behind footfall's one `Warehouse` interface."""

    url: str

    @contextmanager
    def open(self) -> Iterator[Warehouse]:
        """A connection with the schema up to date, closed after the block."""
        with connect(self.url) as warehouse:
            yield warehouse


class ModelRegistryResource(dg.ConfigurableResource["ModelRegistryResource"]):
    """The recommender's model registry (the folder `footfall serve` follows) and the promotion tolerance."""

    root: str
    promote_tolerance: float = 0.0

    def registry(self) -> Registry:
        """The registry at `root`."""
        return Registry(Path(self.root))


class DataDirResource(dg.ConfigurableResource["DataDirResource"]):
    """The data dir's folders (inputs in `inbox/`, outputs beside it), the report zone, optional MovieLens data."""

    data_dir: str
    report_tz: str  # FOOTFALL_REPORT_TZ, passed in by resources_for
    movielens: str = ""

    @property
    def root(self) -> Path:
        return Path(self.data_dir)

    def inbox(self, name: str) -> Path:
        """`inbox/<name>`: where files for one pipeline are dropped (logs, shop, rewards, members)."""
        return self.root / "inbox" / name

    @property
    def mapping(self) -> Path:
        """The campaign ↔ reward mapping the HTTP-log sessions use."""
        return self.root / "inbox" / "campaign_reward_mapping.csv"

    def output(self, *parts: str) -> Path:
        """A path under the data dir for an output (its folder is created)."""
        path = self.root.joinpath(*parts)
        path.parent.mkdir(parents=True, exist_ok=True)
        return path

    def state_dir(self, pipeline: str) -> Path:
        """The incremental state of `pipeline` (the same folder as the CLI's `--incremental`)."""
        return self.root / "state" / pipeline

    def files(self, name: str) -> list[Path]:
        """The files in `inbox/<name>`, by name (hidden and partial `.tmp`/`.part` files are not ready)."""
        folder = self.inbox(name)
        if not folder.is_dir():
            return []
        ready = (p for p in folder.iterdir() if p.is_file() and not p.name.startswith("."))
        return sorted(p for p in ready if p.suffix not in (".tmp", ".part"))


def resources_for(settings: Settings) -> dict[str, Any]:
    """The resource set of `settings.deployment`: `local` (everything under the data dir, a DuckDB file
    unless FOOTFALL_WAREHOUSE says otherwise) or `production` (FOOTFALL_WAREHOUSE required, read from the
    environment at run time so its password never shows in the Dagster UI)."""
    if settings.deployment not in DEPLOYMENTS:
        raise InputError(f"bad FOOTFALL_DEPLOYMENT {settings.deployment!r}: use local or production")
    data = DataDirResource(
        data_dir=str(settings.data_dir),
        report_tz=settings.report_tz,
        movielens=str(settings.movielens or ""),
    )
    registry = ModelRegistryResource(
        root=str(settings.data_dir / "models"), promote_tolerance=settings.promote_tolerance
    )
    if settings.deployment == "local":
        return {"warehouse": WarehouseResource(url=settings.warehouse_url()), "model_registry": registry, "data": data}
    if not settings.warehouse:
        raise InputError("the production deployment needs FOOTFALL_WAREHOUSE (e.g. postgresql://user@host:5432/db)")
    url = dg.EnvVar("FOOTFALL_WAREHOUSE")
    return {"warehouse": WarehouseResource(url=url), "model_registry": registry, "data": data}
