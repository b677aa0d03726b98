"""Schemas a deployment keeps beside footfall's tables in the warehouse's database (docs/deploy.md).

The containers keep Dagster's own tables (runs, event logs, schedules) in the schema `dagster` of the
warehouse's PostgreSQL database, so that one database serves both; Dagster reaches it with
`options=-csearch_path=dagster` in its URL. `footfall migrate --schema dagster` creates it.
"""

from __future__ import annotations

import re

from footfall.errors import InputError
from footfall.warehouse import Warehouse

__all__ = ["ensure_schemas"]

_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")


def ensure_schemas(warehouse: Warehouse, names: list[str]) -> list[str]:
    """Create each schema in `names` that does not exist yet; return the names (checked: lower-case identifiers)."""
    for name in names:
        if not _NAME.fullmatch(name):
            raise InputError(f"bad schema name {name!r}: use lower-case letters, digits and _ (e.g. dagster)")
    with warehouse.transaction(results=False):
        for name in names:
            warehouse.execute(f"CREATE SCHEMA IF NOT EXISTS {name}")  # name checked above: no quoting needed
    return names
