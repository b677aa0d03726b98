"""What the dashboard's filter selects offer (one SQL file each in `reports/sql/choice_*.sql`)."""

from __future__ import annotations

from footfall.reports._sql import report_sql
from footfall.warehouse import Warehouse

__all__ = ["covid_locations", "session_campaigns", "voucher_campaigns", "voucher_rewards"]


def voucher_campaigns(warehouse: Warehouse) -> list[str]:
    """Every voucher campaign, alphabetical."""
    return warehouse.query(report_sql("choice_voucher_campaigns"))["campaign"].to_list()


def voucher_rewards(warehouse: Warehouse) -> list[tuple[str, str | None]]:
    """(reward id, reward name) of every voucher reward."""
    return warehouse.query(report_sql("choice_voucher_rewards")).rows()


def session_campaigns(warehouse: Warehouse) -> list[tuple[str, str]]:
    """(campaign id, name) of the 50 campaigns viewed in most HTTP-log sessions, busiest first."""
    return warehouse.query(report_sql("choice_session_campaigns")).select("campaign_id", "campaign").rows()


def covid_locations(warehouse: Warehouse) -> list[str]:
    """Every location with COVID-19 cases, alphabetical."""
    return warehouse.query(report_sql("choice_covid_locations"))["location"].to_list()
