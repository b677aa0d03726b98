"""Dagster definitions for every footfall pipeline: assets, checks, jobs, schedules and sensors.

`footfall.orchestration.definitions:defs` is what `footfall orchestrate` (and any Dagster
deployment) loads; docs/orchestration.md draws the asset graph and the folder layout.
"""
