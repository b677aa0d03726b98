"""The dashboard's pages: one template each, the filter choices read from the warehouse."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from footfall.api.access import principal_of
from footfall.api.dashboard import recommendations
from footfall.api.deps import FiltersDep, WarehouseDep
from footfall.auth import Role
from footfall.errors import FootfallError, ForbiddenError, NotFoundError
from footfall.reports import choices
from footfall.reports.filters import report_tz
from footfall.reports.vouchers import voucher_users
from footfall.warehouse import Warehouse

__all__ = ["PAGES", "error_page", "mount_dashboard"]

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
# the pages with a chart by local day, week or hour: only they offer the time-zone select (elsewhere
# the zone would only say which local dates the date range means, and it stays the report zone)
ZONE_PAGES = frozenset({"engagement", "rewards", "sessions"})
# pages that show personal data (a named user's history), and the role they need (docs/serving.md#roles)
PAGE_ROLES = {"recommendations": Role.analyst}
# offered in the time-zone select after the report zone (FOOTFALL_REPORT_TZ) and the one a page shows
OTHER_TIME_ZONES = ["UTC", "Asia/Kolkata", "Asia/Tokyo", "Australia/Sydney", "Europe/London", "America/New_York"]

_FOLDER = Path(str(resources.files("footfall.api.dashboard")))
templates = Jinja2Templates(directory=_FOLDER / "templates")
_SHARED = ("from", "to", "tz")  # kept when moving between pages
templates.env.globals["shared_query"] = lambda query: urlencode({k: query[k] for k in _SHARED if query.get(k)})
templates.env.globals["signed_in"] = principal_of


def may_see(request: Request, page: str, needed: Role | None = None) -> bool:
    """Whether the caller's role allows `page` (or, given `needed`, that role's data)."""
    who = principal_of(request)
    wanted = needed or PAGE_ROLES.get(page, Role.viewer)
    return who is not None and who.role.allows(wanted)


templates.env.globals["may_see"] = may_see
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
    """One dashboard page (a bad filter or an unknown page: the error page, from the one handler)."""
    if page not in PAGES:
        raise NotFoundError(f"no dashboard page {page!r}: pick one above")
    if not may_see(request, page):
        raise ForbiddenError(f"the {PAGES[page][0]} page shows personal data: it needs the analyst role")
    query = dict(request.query_params)
    context: dict[str, Any] = {
        "pages": PAGES,
        "page": page,
        "title": PAGES[page][1],
        "query": query,
        "filters": filters,
        "time_zones": _time_zones(filters.tz) if page in ZONE_PAGES else None,
        "personal": may_see(request, page, Role.analyst),
    }
    context.update(_choices(page, wh, request, query))
    return templates.TemplateResponse(request, f"{page}.html", context)


def error_page(request: Request, message: str, status: int) -> Response:
    """The dashboard's error page: the message, and the filter form with what was asked, to correct it."""
    query = dict(request.query_params)
    parts = request.url.path.strip("/").split("/")
    page = parts[0] if parts[0] in PAGES else None
    asked = {"date_from": query.get("from"), "date_to": query.get("to"), "tz": query.get("tz") or report_tz()}
    context = {
        "pages": PAGES,
        "page": page,
        "title": PAGES[page][1] if page else "Not found" if status == 404 else "Error",
        "query": {},
        "message": message,
        "filters": asked if page else None,
        "time_zones": _time_zones(report_tz()) if page in ZONE_PAGES else None,
    }
    return templates.TemplateResponse(request, "error.html", context, status_code=status)


def _time_zones(shown: str) -> list[str]:
    """The zones the select offers: the one shown, the report zone, then the others."""
    return list(dict.fromkeys([shown, report_tz(), *OTHER_TIME_ZONES]))


def _choices(page: str, wh: Warehouse, request: Request, query: dict[str, str]) -> dict[str, Any]:
    """What the page's own selects offer, and the recommendations page's model."""
    if page == "rewards":
        return {"campaigns": choices.voucher_campaigns(wh), "rewards": choices.voucher_rewards(wh)}
    if page == "sessions":
        return {"campaigns": choices.session_campaigns(wh)}
    if page == "covid":
        locations = choices.covid_locations(wh)
        return {"locations": locations, "location": query.get("location") or (locations[0] if locations else "")}
    if page == "recommendations":
        users = voucher_users(wh, limit=200)["user_id"].to_list()
        model = _model(request)
        user = query.get("user") or recommendations.default_user(users, model.pop("loaded", None))
        return {"users": users, "user": user, **model}
    return {}


def _model(request: Request) -> dict[str, Any]:
    """The current model (`loaded`), its version and evaluation figures with their names, or why there is none."""
    current = request.app.state.models
    try:
        loaded = current.get()
        evaluation = current.registry.evaluation(loaded.version)
    except (FootfallError, OSError, ValueError) as exc:
        return {"model_error": str(exc), "model_root": str(current.registry.root)}
    return {
        "loaded": loaded,
        "model_version": loaded.version,
        "model_name": evaluation.get("model"),
        "figures": recommendations.figures(evaluation),
        "protocol_line": recommendations.protocol_line(evaluation),
        "trained_on": _source(evaluation.get("data")),
    }


def _source(data: object) -> str | None:
    """What a model was evaluated on: the source named by `describe_interactions` (or an older plain name)."""
    if isinstance(data, dict):
        return f"{data.get('source')} ({data.get('interactions', 0):,} interactions)"
    return data if isinstance(data, str) else None
