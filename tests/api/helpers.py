"""What API tests share: an in-process client that names the server as a browser on this machine would."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient

LOCAL = "http://127.0.0.1"  # the trusted-host check answers loopback names (TestClient's default is "testserver")


def local_client(app: FastAPI, **options: Any) -> TestClient:
    """A TestClient for `app` whose requests carry `Host: 127.0.0.1`."""
    return TestClient(app, base_url=LOCAL, **options)
