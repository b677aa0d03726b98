"""The Sessions page's campaigns and rewards carry their names (docs/dashboard.md), on DuckDB and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from footfall.reports.choices import session_campaigns
from footfall.reports.filters import Filters
from footfall.reports.http_sessions import campaign_attribution, top_session_rewards
from footfall.rewards.load import load_rewards
from footfall.sessions.http_pipeline import run_http_sessions
from footfall.warehouse import Warehouse


def test_names_come_from_the_rewards_export_and_ids_stay_when_none(warehouse: Warehouse, tmp_path: Path) -> None:
    log, mapping = tmp_path / "http.log", tmp_path / "mapping.csv"
    log.write_text(
        "2019-08-01T10:00:00Z GET /campaigns/1 u1\n"
        "2019-08-01T10:00:05Z POST /rewards/7 u1\n"
        "2019-08-01T10:01:00Z GET /campaigns?sort=popular u2\n"  # the listing page: not a campaign
        "2019-08-01T10:01:10Z GET /campaigns/2 u2\n"
        "2019-08-01T10:01:20Z POST /rewards/8 u2\n"
        "2019-08-01T10:02:00Z GET /campaigns/3 u3\n"
        "2019-08-01T10:02:30Z POST /rewards/9 u3\n"
    )
    mapping.write_text("campaign_id,reward_id\n1,7\n2,8\n")
    run_http_sessions([log], mapping=mapping, out=tmp_path / "s.parquet", warehouse=warehouse)
    unnamed = campaign_attribution(warehouse, Filters())
    assert unnamed["campaign"].to_list() == ["campaign 1", "campaign 2", "campaign 3"]
    pl.DataFrame({"Id": ["1", "2"], "name": ["Payday Perks", "Payday Perks"], "status": ["active"] * 2}).write_csv(
        tmp_path / "campaign.csv"
    )
    pl.DataFrame({"id": ["7", "8"], "reward_name": ["Free Coffee", "Bubble Tea"], "campaign_id": ["1", "2"]}).write_csv(
        tmp_path / "reward_campaign.csv"
    )
    (tmp_path / "reward_transaction.csv").write_text("id,status,updated_at,reward_campaign_id\n")
    load_rewards(
        campaigns=tmp_path / "campaign.csv",
        rewards=tmp_path / "reward_campaign.csv",
        transactions=tmp_path / "reward_transaction.csv",
        warehouse=warehouse,
    )
    named = campaign_attribution(warehouse, Filters())
    # two campaigns share a name: each carries its id, so neither chart bar nor table row merges them
    assert named["campaign"].to_list() == ["Payday Perks (1)", "Payday Perks (2)", "campaign 3"]
    rewards = top_session_rewards(warehouse, Filters()).sort("reward_id")
    assert rewards["reward"].to_list() == ["Free Coffee", "Bubble Tea", "reward 9"]
    assert session_campaigns(warehouse) == [("1", "Payday Perks"), ("2", "Payday Perks"), ("3", "campaign 3")]
