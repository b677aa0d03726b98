"""Membership applications in the inbox → `members` (and batch files) → top members by spending."""

from datetime import date

import dagster as dg
from dagster import AssetExecutionContext

from footfall.members.inbox import process_inbox
from footfall.orchestration.assets._inputs import external_input
from footfall.orchestration.assets._metadata import summary_metadata, write_report
from footfall.orchestration.resources import DataDirResource, WarehouseResource
from footfall.reports.sales import top_members as top_members_report
from footfall.reports.tables import table_counts

__all__ = ["ASSETS", "GROUP", "REFERENCE_DATE"]

GROUP = "members"
REFERENCE_DATE = date(2022, 1, 1)  # docs/members.md: applicants must be 18 on this date

membership_applications = external_input(
    "membership_applications",
    GROUP,
    "csv",
    "Application CSVs dropped into FOOTFALL_DATA_DIR/inbox/members (moved to members/archive when done).",
)
sales_tables = external_input(
    "sales_tables",
    GROUP,
    "sql",
    "items, orders and order_items, loaded outside the orchestrator (`footfall synth sales` in the demo).",
)


@dg.asset(deps=[membership_applications], group_name=GROUP, kinds={"sql", "csv"})
def members(
    context: AssetExecutionContext, data: DataDirResource, warehouse: WarehouseResource
) -> dg.MaterializeResult[None]:
    """New applications as one batch (`members/successful`, `members/unsuccessful`); successes into `members`."""
    inbox = data.inbox("members")
    inbox.mkdir(parents=True, exist_ok=True)
    with warehouse.open() as wh:
        summary = process_inbox(inbox, data.root / "members", reference_date=REFERENCE_DATE, warehouse=wh)
        rows = table_counts(wh)["members"]
    batch = summary.details.batch
    context.log.info(
        f"batch {batch}: {summary.accepted:,} successful, {summary.rejected:,} unsuccessful"
        if batch
        else "no new files"
    )
    return dg.MaterializeResult(metadata=summary_metadata(summary, rows=rows, batch=batch or "(no new files)"))


@dg.asset(deps=[members, sales_tables], group_name=GROUP, kinds={"sql", "csv"})
def top_members(data: DataDirResource, warehouse: WarehouseResource) -> dg.MaterializeResult[None]:
    """`reports/top_members.csv`: the 10 members who spent most (ties at rank 10 included)."""
    with warehouse.open() as wh:
        frame = top_members_report(wh, n=10)
    return write_report(frame, data.output("reports", "top_members.csv"))


ASSETS: list[dg.AssetsDefinition | dg.AssetSpec] = [membership_applications, sales_tables, members, top_members]
