"""`GET /recommendations/{user_id}`: top items from the registry's current model."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from pydantic import BaseModel

from footfall.api.access import requires
from footfall.api.errors import error_responses
from footfall.auth import Role

# what a named user gets is personal data: analysts and admins only (docs/serving.md#roles)
router = APIRouter(
    tags=["recommendations"], dependencies=[requires(Role.analyst)], responses=error_responses(400, 401, 403, 404, 503)
)


class Item(BaseModel):
    """One recommended item."""

    item_id: str
    score: float
    title: str | None


class Recommendations(BaseModel):
    """A user's recommendations; `cold_start` when the model did not know the user (popular items)."""

    user_id: str
    model: str
    cold_start: bool
    items: list[Item]


@router.get("/recommendations/{user_id}", response_model=Recommendations, summary="Top items for a user")
async def recommendations(
    request: Request,
    user_id: Annotated[str, Path(description="The user's id.")],
    n: Annotated[int, Query(ge=1, le=1000, description="How many items.")] = 10,
) -> Recommendations:
    """The current model's top `n` items the user has not interacted with.

    `async`: scoring takes a millisecond or two, less than a hop to the thread pool would add.
    """
    loaded = request.app.state.models.get()
    rec = loaded.model.recommend(user_id, n)
    items = [Item(item_id=i, score=s, title=loaded.titles.get(i)) for i, s in zip(rec.items, rec.scores, strict=True)]
    return Recommendations(user_id=user_id, model=loaded.version, cold_start=rec.cold_start, items=items)
