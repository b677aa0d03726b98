"""The warehouse: one interface over an embedded DuckDB file and a PostgreSQL server."""

from footfall.warehouse._base import Warehouse
from footfall.warehouse._connect import connect, read_pool
from footfall.warehouse._read_pool import ReadPool
from footfall.warehouse._urls import redact_url

__all__ = ["ReadPool", "Warehouse", "connect", "read_pool", "redact_url"]
