"""The Beam runners footfall accepts, importable without Beam (for `--help` and option checks)."""

from typing import Literal, get_args

__all__ = ["RUNNERS", "Runner"]

Runner = Literal["DirectRunner", "PrismRunner", "FlinkRunner", "SparkRunner", "DataflowRunner"]
RUNNERS: tuple[str, ...] = get_args(Runner)
