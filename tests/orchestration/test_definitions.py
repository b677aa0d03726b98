"""The Dagster definitions load, and the whole asset graph materializes in-process on generated data."""

import json
from pathlib import Path

import dagster as dg
import polars as pl
import pytest

from footfall.config import Settings, get_settings
from footfall.errors import InputError
from footfall.orchestration.definitions import build_definitions, defs
from footfall.orchestration.resources import resources_for
from footfall.orchestration.sample import stage_sample_inputs
from footfall.recsys.registry import Registry
from footfall.warehouse import connect

ASSET_KEYS = {
    "raw_http_logs",
    "campaign_reward_mapping",
    "http_log_archive",
    "http_sessions",
    "shop_event_files",
    "shop_sessions",
    "order_metrics",
    "referrer_metrics",
    "rewards_exports",
    "reward_transactions",
    "weekly_reward_performance",
    "membership_applications",
    "sales_tables",
    "members",
    "top_members",
    "movielens_ratings",
    "recsys_interactions",
    "candidate_model",
    "model_evaluation",
    "promoted_model",
    "customer_transactions",
    "customer_segments",
    "customer_predictors",
}


def test_definitions_load() -> None:
    dg.Definitions.validate_loadable(defs)
    assert {k.to_user_string() for k in defs.resolve_all_asset_keys()} == ASSET_KEYS
    repo = defs.get_repository_def()
    assert {s.name for s in repo.sensor_defs} == {
        "http_logs_sensor",
        "shop_events_sensor",
        "rewards_exports_sensor",
        "members_inbox_sensor",
    }
    schedules = {s.name: s.cron_schedule for s in repo.schedule_defs}
    assert schedules == {
        "members_hourly": "0 * * * *",
        "retrain_nightly": "0 2 * * *",
        "customer_models_nightly": "0 3 * * *",
    }
    assert {j.name for j in repo.get_all_jobs()} >= {"everything_job", "members_job", "retrain_job", "http_logs_job"}


def test_production_resources_need_a_warehouse_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(InputError, match="FOOTFALL_WAREHOUSE"):
        resources_for(Settings(data_dir=tmp_path, deployment="production", warehouse=""))
    monkeypatch.setenv("FOOTFALL_DEPLOYMENT", "staging")
    get_settings.cache_clear()
    with pytest.raises(InputError, match="bad FOOTFALL_DEPLOYMENT 'staging': Input should be 'local' or 'production'"):
        get_settings()
    get_settings.cache_clear()
    production = build_definitions(Settings(data_dir=tmp_path, deployment="production", warehouse="postgresql://x"))
    dg.Definitions.validate_loadable(production)


def test_the_whole_graph_materializes_on_generated_data(
    tmp_path: Path, warehouse_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On DuckDB with the local resources; on PostgreSQL with the production ones (URL from the environment)."""
    url = warehouse_url
    deployment = "local" if url.startswith("duckdb") else "production"
    monkeypatch.setenv("FOOTFALL_WAREHOUSE", url)
    stage_sample_inputs(tmp_path, events=20_000, seed=3)
    local = build_definitions(Settings(data_dir=tmp_path, warehouse=url, deployment=deployment))
    (tmp_path / "dagster").mkdir()
    with dg.instance_for_test(temp_dir=str(tmp_path / "dagster")) as instance:
        result = local.resolve_job_def("everything_job").execute_in_process(instance=instance)
        # a second run over the same inputs changes no table (loads are idempotent, sessions incremental)
        again = local.resolve_job_def("http_logs_job").execute_in_process(instance=instance)
    assert result.success and again.success
    materialized = {e.asset_key.to_user_string() for e in result.get_asset_materialization_events()}
    assert materialized == ASSET_KEYS - {
        "raw_http_logs",
        "campaign_reward_mapping",
        "shop_event_files",
        "rewards_exports",
        "membership_applications",
        "sales_tables",
        "movielens_ratings",
    }
    checks = {e.check_name: e.passed for e in result.get_asset_check_evaluations()}
    assert len(checks) == 7 and all(checks.values()), checks

    report = pl.read_parquet(tmp_path / "reports" / "http_sessions.parquet")
    successful = pl.read_csv(next((tmp_path / "members" / "successful").glob("*.csv")))
    with connect(url) as wh:
        count = {t: wh.query(f"SELECT count(*) AS n FROM {t}")["n"][0] for t in ("http_sessions", "members", "runs")}
        issued = wh.query("SELECT count(*) AS n FROM http_log WHERE kind = 'reward_issued'")["n"][0]
        assert wh.query("SELECT count(*) AS n FROM reward_transaction")["n"][0] > 0
        assert wh.query("SELECT count(*) AS n FROM shop_sessions")["n"][0] > 0
    assert count["http_sessions"] == report.height > 0
    assert count["members"] == successful["membership_id"].n_unique() > 0
    assert count["runs"] == 5  # logs sessions (twice), shop sessions, rewards load, members process
    assert not list((tmp_path / "inbox" / "members").iterdir())  # processed applications moved to the archive
    assert [p.name for p in (tmp_path / "archive" / "http_log").glob("*.avro")] == ["http.log.avro"]
    assert set(json.loads((tmp_path / "reports" / "order_metrics.json").read_text())) == {
        "median_visits_before_order",
        "median_session_duration_minutes_before_order",
    }
    assert pl.read_csv(tmp_path / "reports" / "weekly_reward_performance.csv").height > 0

    interactions = pl.read_parquet(tmp_path / "recsys" / "interactions.parquet")
    assert interactions.height == issued
    registry = Registry(tmp_path / "models")
    promoted = result.output_for_node("model_evaluation")
    assert registry.current() == promoted  # the first model is always promoted
    with connect(url) as wh:
        assert wh.query("SELECT count(*) AS n FROM http_sessions")["n"][0] == count["http_sessions"]
