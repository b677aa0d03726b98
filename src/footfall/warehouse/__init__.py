"""The warehouse: one interface over an embedded DuckDB file and a PostgreSQL server."""

from footfall.warehouse._base import Warehouse
from footfall.warehouse._connect import connect

__all__ = ["Warehouse", "connect"]
