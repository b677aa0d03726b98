"""The dashboard's pages: one template each, the filter choices read from the warehouse."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from footfall.api.deps import WarehouseDep
from footfall.api.routes.charts import FiltersDep
from footfall.errors import FootfallError
from footfall.reports.vouchers import voucher_users
from footfall.warehouse import Warehouse

__all__ = ["PAGES", "mount_dashboard"]

# path → (navigation label, page title)
PAGES = {
    "engagement": ("Engagement", "User engagement"),
    "rewards": ("Rewards", "Reward performance"),
    "sessions": ("Sessions", "Sessions and attribution (HTTP log)"),
    "shop": ("Shop", "Web shop"),
    "members": ("Members & sales", "Members and sales"),
    "recommendations": ("Recommendations", "Recommendations"),
    "segments": ("Segments", "Customer segments"),
    "covid": ("COVID-19", "COVID-19 cases"),
}
TIME_ZONES = [
    "Asia/Singapore",
    "UTC",
    "Asia/Kolkata",
    "Asia/Tokyo",
    "Australia/Sydney",
    "Europe/London",
    "America/New_York",
]

_FOLDER = Path(str(resources.files("footfall.api.dashboard")))
templates = Jinja2Templates(directory=_FOLDER / "templates")
_SHARED = ("from", "to", "tz")  # kept when moving between pages
templates.env.globals["shared_query"] = lambda query: urlencode({k: query[k] for k in _SHARED if query.get(k)})
router = APIRouter(include_in_schema=False)


def mount_dashboard(app: FastAPI) -> None:
    """Add the pages and `/static` (Plotly.js, the dashboard's script and style) to `app`."""
    app.include_router(router)
    app.mount("/static", StaticFiles(directory=_FOLDER / "static"), name="static")


@router.get("/", response_class=RedirectResponse)
def home(request: Request) -> RedirectResponse:
    """The first page, with the query string kept."""
    query = f"?{request.url.query}" if request.url.query else ""
    return RedirectResponse(f"/engagement{query}", status_code=307)


@router.get("/{page}", response_class=HTMLResponse)
def page(request: Request, page: str, wh: WarehouseDep, filters: FiltersDep) -> HTMLResponse:
    """One dashboard page; unknown pages are a 404 page."""
    if page not in PAGES:
        return templates.TemplateResponse(
            request, "not_found.html", {"pages": PAGES, "page": None, "title": "Not found"}, status_code=404
        )
    query = dict(request.query_params)
    context: dict[str, Any] = {
        "pages": PAGES,
        "page": page,
        "title": PAGES[page][1],
        "query": query,
        "filters": filters,
        "time_zones": TIME_ZONES if filters.tz in TIME_ZONES else [filters.tz, *TIME_ZONES],
    }
    context.update(_choices(page, wh, request, query))
    return templates.TemplateResponse(request, f"{page}.html", context)


def _choices(page: str, wh: Warehouse, request: Request, query: dict[str, str]) -> dict[str, Any]:
    """What the page's own selects offer, and the recommendations page's model."""
    if page == "rewards":
        campaigns = wh.query("SELECT DISTINCT campaign FROM vouchers WHERE campaign IS NOT NULL ORDER BY campaign")
        rewards = wh.query(
            "SELECT reward_id, max(reward_name) AS reward_name FROM vouchers GROUP BY reward_id ORDER BY reward_id"
        )
        return {"campaigns": campaigns["campaign"].to_list(), "rewards": rewards.rows()}
    if page == "sessions":
        campaigns = wh.query(
            "SELECT campaign_id, count(*) AS n FROM (SELECT unnest(campaigns) AS campaign_id FROM http_sessions) v "
            "GROUP BY campaign_id ORDER BY n DESC, campaign_id LIMIT 50"
        )
        return {"campaigns": campaigns["campaign_id"].to_list()}
    if page == "covid":
        locations = wh.query("SELECT DISTINCT location FROM covid_cases ORDER BY location")["location"].to_list()
        return {"locations": locations, "location": query.get("location") or "Singapore"}
    if page == "recommendations":
        users = voucher_users(wh, limit=200)["user_id"].to_list()
        user = query.get("user") or (users[0] if users else "")
        return {"users": users, "user": user, **_model(request)}
    return {}


def _model(request: Request) -> dict[str, Any]:
    """The current model's version and evaluation figures, or why there is none."""
    current = request.app.state.models
    try:
        loaded = current.get()
        evaluation = current.registry.evaluation(loaded.version)
    except (FootfallError, OSError, ValueError) as exc:
        return {"model_error": str(exc), "model_root": str(current.registry.root)}
    figures = {k: v for k, v in evaluation.items() if isinstance(v, int | float) and not isinstance(v, bool)}
    return {
        "model_version": loaded.version,
        "model_name": evaluation.get("model"),
        "evaluation": figures,
        "protocol": evaluation.get("protocol"),
        "trained_on": _source(evaluation.get("data")),
    }


def _source(data: object) -> str | None:
    """What a model was evaluated on: the source named by `describe_interactions` (or an older plain name)."""
    if isinstance(data, dict):
        return f"{data.get('source')} ({data.get('interactions', 0):,} interactions)"
    return data if isinstance(data, str) else None
