"""The Beam runners footfall accepts, importable without Beam (for `--help` and option checks)."""

RUNNERS = ("DirectRunner", "PrismRunner", "FlinkRunner", "SparkRunner", "DataflowRunner")
