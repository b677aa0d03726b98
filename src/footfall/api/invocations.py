"""What `POST /invocations` runs: one handler per model family, chosen by the payload's `model` key.

The payload contract is in docs/deploy.md ("The SageMaker inference contract"). A handler is made
from the model folder the container was given (SageMaker unpacks the model artifact into
`/opt/ml/model`); it says which version it serves (`ready`) and answers one request (`invoke`).
The recommender is registered here; another model family adds itself with `register_handler`
(e.g. `register_handler("churn", ChurnHandler)` in its own module, imported by `footfall.api.sagemaker`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, TypeVar

from footfall.errors import FootfallError, InputError
from footfall.recsys.serving import CurrentModel

__all__ = ["HANDLERS", "Handler", "RecommendRequest", "RecommenderHandler", "parse_request", "register_handler"]


class Handler(Protocol):
    """One model family behind `POST /invocations`."""

    def ready(self) -> str | None:
        """The version it answers with, or None when it has no usable model."""
        ...

    def invoke(self, payload: Mapping[str, Any]) -> dict[str, Any]:
        """The answer to one request (the payload without `model`); InputError for a bad request."""
        ...


HandlerFactory = Callable[[Path], Handler]
HANDLERS: dict[str, HandlerFactory] = {}


def register_handler(name: str, factory: HandlerFactory) -> None:
    """Serve `name` (the payload's `model` value) with handlers made by `factory(model_dir)`."""
    if name in HANDLERS:
        raise ValueError(f"an invocation handler named {name!r} is registered already")
    HANDLERS[name] = factory


R = TypeVar("R")


def parse_request(kind: type[R], payload: Mapping[str, Any]) -> R:
    """`payload` as the frozen dataclass `kind`: unknown or missing keys are an InputError naming them."""
    fields = dataclasses.fields(kind)  # type: ignore[arg-type]
    names = sorted(f.name for f in fields)
    unknown = sorted(set(payload) - set(names))
    if unknown:
        raise InputError(f"unknown key(s) {', '.join(unknown)}: this model takes {', '.join(names)}")
    required = [f.name for f in fields if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING]
    missing = [name for name in required if name not in payload]
    if missing:
        raise InputError(f"missing key(s) {', '.join(missing)}: this model takes {', '.join(names)}")
    return kind(**payload)


@dataclass(frozen=True, kw_only=True)
class RecommendRequest:
    """`{"model": "recommender", "user_id": "196", "n": 10}`: the top `n` items for one user."""

    user_id: str
    n: int = 10

    def __post_init__(self) -> None:
        if not isinstance(self.user_id, str) or not self.user_id:
            raise InputError(f"bad user_id {self.user_id!r}: give the user's id as a non-empty string")
        if isinstance(self.n, bool) or not isinstance(self.n, int) or not 1 <= self.n <= 1000:
            raise InputError(f"bad n {self.n!r}: ask for 1 to 1000 items")


class RecommenderHandler:
    """The recommender registry's current model (docs/recsys.md), reloaded when `current` moves."""

    def __init__(self, model_dir: Path) -> None:
        self.current = CurrentModel(model_dir)

    def ready(self) -> str | None:
        """The current version, or None when the registry has no loadable model."""
        try:
            return self.current.get().version
        except FootfallError:
            return None

    def invoke(self, payload: Mapping[str, Any]) -> dict[str, Any]:
        """Recommendations for `user_id`, the same shape as `GET /recommendations/{user_id}`."""
        request = parse_request(RecommendRequest, payload)
        loaded = self.current.get()
        rec = loaded.model.recommend(request.user_id, request.n)
        items = [
            {"item_id": i, "score": s, "title": loaded.titles.get(i)}
            for i, s in zip(rec.items, rec.scores, strict=True)
        ]
        return {"user_id": request.user_id, "model": loaded.version, "cold_start": rec.cold_start, "items": items}


register_handler("recommender", RecommenderHandler)
