"""The warehouse: one interface over an embedded DuckDB file and a PostgreSQL server."""

from footfall.warehouse._base import Warehouse
from footfall.warehouse._connect import connect
from footfall.warehouse._urls import redact_url

__all__ = ["Warehouse", "connect", "redact_url"]
