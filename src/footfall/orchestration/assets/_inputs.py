"""Inputs the asset graph reads but never makes: files dropped into the inbox, tables loaded elsewhere."""

import dagster as dg

__all__ = ["external_input"]


def external_input(key: str, group: str, kind: str, description: str) -> dg.AssetSpec:
    """An asset the orchestrator shows and depends on but does not materialize; `kind` is how it is stored."""
    return dg.AssetSpec(key, group_name=group, description=description, kinds={kind})
