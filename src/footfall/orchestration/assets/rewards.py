"""Rewards exports → the rewards tables (`campaign`, `reward_campaign`, `reward_transaction`) → weekly performance."""

import dagster as dg

from footfall.orchestration.assets._inputs import external_input
from footfall.orchestration.assets._metadata import summary_metadata, write_report
from footfall.orchestration.resources import DataDirResource, WarehouseResource
from footfall.reports.filters import Filters
from footfall.reports.rewards import weekly_reward_performance as weekly_report
from footfall.reports.tables import table_counts
from footfall.rewards.load import load_rewards

__all__ = ["ASSETS", "EXPORTS", "GROUP"]

GROUP = "rewards"
EXPORTS = {"campaigns": "campaign.csv", "rewards": "reward_campaign.csv", "transactions": "reward_transaction.csv"}

rewards_exports = external_input(
    "rewards_exports",
    GROUP,
    "csv",
    "campaign.csv, reward_campaign.csv and reward_transaction.csv in FOOTFALL_DATA_DIR/inbox/rewards.",
)


@dg.asset(deps=[rewards_exports], group_name=GROUP, kinds={"sql"})
def reward_transactions(data: DataDirResource, warehouse: WarehouseResource) -> dg.MaterializeResult[None]:
    """The exports upserted on id, parents first; orphans and bad rows to `rewards_rejects` (idempotent)."""
    paths = {name: data.inbox("rewards") / file for name, file in EXPORTS.items()}
    given = {name: (path if path.is_file() else None) for name, path in paths.items()}
    if not any(given.values()):
        raise dg.Failure(f"no rewards exports in {data.inbox('rewards')}: expected {', '.join(EXPORTS.values())}")
    with warehouse.open() as wh:
        summary = load_rewards(
            campaigns=given["campaigns"], rewards=given["rewards"], transactions=given["transactions"], warehouse=wh
        )
        rows = table_counts(wh)["reward_transaction"]
    return dg.MaterializeResult(
        metadata=summary_metadata(summary, rows=rows, reject_reasons=summary.details.reject_reasons)
    )


@dg.asset(deps=[reward_transactions], group_name=GROUP, kinds={"sql", "csv"})
def weekly_reward_performance(data: DataDirResource, warehouse: WarehouseResource) -> dg.MaterializeResult[None]:
    """`reports/weekly_reward_performance.csv`: redemptions per reward and local week (docs/rewards-reports.md)."""
    with warehouse.open() as wh:
        frame = weekly_report(wh, Filters(tz=data.report_tz))
    return write_report(frame, data.output("reports", "weekly_reward_performance.csv"))


ASSETS: list[dg.AssetsDefinition | dg.AssetSpec] = [rewards_exports, reward_transactions, weekly_reward_performance]
