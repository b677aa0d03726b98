"""Which engine runs a sessions pipeline: the embedded one (Polars, this machine), Apache Beam on any
runner, or Apache Spark on any cluster — the same report and the same warehouse load every way
(docs/distributed.md).

Every surface (CLI, Dagster, tests) chooses through `EngineChoice`, which `run_http_sessions` and
`run_shop_sessions` take as `engine=`; the distributed engines' entry points stay behind them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from footfall.errors import InputError
from footfall.sessions.beam_runners import RUNNERS

__all__ = ["EMBEDDED", "LOCAL_MASTER", "Engine", "EngineChoice", "is_spark_conf"]

Engine = Literal["embedded", "beam", "spark"]
LOCAL_MASTER = "local[*]"  # Spark in this process, on every core

_SPARK_CONF = re.compile(r"^spark\.[A-Za-z0-9_.\-]+=")


def is_spark_conf(text: str) -> bool:
    """Whether `text` is a Spark setting `spark.key=value` (not an input path)."""
    return bool(_SPARK_CONF.match(text))


@dataclass(frozen=True, kw_only=True)
class EngineChoice:
    """The engine; for Beam its runner, pipeline options and shard folder (default: a local temp one);
    for Spark its master URL and settings (`options` as `spark.key=value`) and shard folder."""

    engine: Engine = "embedded"
    runner: str = "DirectRunner"
    options: tuple[str, ...] = ()
    shards: str | None = None
    master: str = LOCAL_MASTER

    def check(self, *, incremental: bool) -> None:
        """A one-line error for a choice that cannot run (checked before any work)."""
        if self.engine != "spark" and self.master != LOCAL_MASTER:
            raise InputError(f"a Spark {{param}} ({self.master}) is only used with the spark engine", param="master")
        if self.engine == "embedded":
            if self.options:
                raise InputError(
                    f"pipeline options {' '.join(self.options)} are only used with the beam or spark {{param}}",
                    param="engine",
                )
            return
        if incremental:
            raise InputError(
                f"incremental runs use the embedded {{param}}; the {self.engine} engine recomputes in full",
                param="engine",
            )
        if self.engine == "spark":
            bad = [o for o in self.options if not is_spark_conf(o)]
            if bad:
                raise InputError(f"bad Spark setting {bad[0]!r}: write spark.key=value")
            return
        if self.runner not in RUNNERS:
            raise InputError(f"bad {{param}} {self.runner!r}: use one of {', '.join(RUNNERS)}", param="runner")

    def beam_options(self) -> list[str]:
        """The Beam pipeline options: the runner and the options given."""
        return [f"--runner={self.runner}", *self.options]

    def spark_conf(self) -> dict[str, str]:
        """The Spark settings given (`spark.key=value`), in order; a later one wins."""
        return dict(option.split("=", 1) for option in self.options)


EMBEDDED = EngineChoice()
