"""Web-shop events → shop sessions (tables `shop_events`, `shop_sessions`, `customers`) → order metrics."""

import json

import dagster as dg
from dagster import AssetExecutionContext

from footfall.orchestration.assets._inputs import external_input
from footfall.orchestration.assets._metadata import sessions_result, write_report
from footfall.orchestration.resources import DataDirResource, WarehouseResource
from footfall.reports.filters import Filters
from footfall.reports.shop import order_metrics as order_metrics_report
from footfall.reports.shop import referrer_metrics as referrer_metrics_report
from footfall.reports.tables import table_counts
from footfall.sessions.shop_pipeline import run_shop_sessions

__all__ = ["ASSETS", "GROUP"]

GROUP = "shop"

shop_event_files = external_input(
    "shop_event_files",
    GROUP,
    "file",
    "Web-shop events (JSON lines, Parquet) dropped into FOOTFALL_DATA_DIR/inbox/shop.",
)


@dg.asset(deps=[shop_event_files], group_name=GROUP, kinds={"polars", "sql"})
def shop_sessions(
    context: AssetExecutionContext, data: DataDirResource, warehouse: WarehouseResource
) -> dg.MaterializeResult[None]:
    """Customers' sessions (30-minute gap), incrementally: only new files are read; the tables cover all seen."""
    files = data.files("shop")
    if not files:
        raise dg.Failure(f"no shop event files in {data.inbox('shop')}: drop JSON-lines files there")
    with warehouse.open() as wh:
        summary = run_shop_sessions(files, warehouse=wh, state_dir=data.state_dir("shop-sessions"))
        sessions = table_counts(wh)["shop_sessions"]
    anonymous = summary.details.anonymous_events or 0
    return sessions_result(context, summary, sessions=sessions, unit="events", anonymous_events=anonymous)


@dg.asset(deps=[shop_sessions], group_name=GROUP, kinds={"sql", "json"})
def order_metrics(data: DataDirResource, warehouse: WarehouseResource) -> dg.MaterializeResult[None]:
    """`reports/order_metrics.json`: the figures of `GET /metrics/orders` (docs/shop-schema.md)."""
    with warehouse.open() as wh:
        figures = order_metrics_report(wh, Filters(tz=data.report_tz))
    path = data.output("reports", "order_metrics.json")
    path.write_text(json.dumps(figures) + "\n")
    return dg.MaterializeResult(metadata={**figures, "path": dg.MetadataValue.path(str(path))})


@dg.asset(deps=[shop_sessions], group_name=GROUP, kinds={"sql", "csv"})
def referrer_metrics(data: DataDirResource, warehouse: WarehouseResource) -> dg.MaterializeResult[None]:
    """`reports/referrer_metrics.csv`: sessions, durations and order rate by referrer."""
    with warehouse.open() as wh:
        frame = referrer_metrics_report(wh, Filters(tz=data.report_tz))
    return write_report(frame, data.output("reports", "referrer_metrics.csv"))


ASSETS: list[dg.AssetsDefinition | dg.AssetSpec] = [shop_event_files, shop_sessions, order_metrics, referrer_metrics]
