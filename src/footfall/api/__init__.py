"""The REST API and dashboard, served by FastAPI."""

from footfall.api.app import create_app

__all__ = ["create_app"]
