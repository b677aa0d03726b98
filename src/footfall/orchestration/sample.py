"""Generated sample inputs dropped into the inbox folders, for the demo and the tests (seeded)."""

from pathlib import Path

from footfall.synth.http_log import HttpLogSpec, generate_http_log
from footfall.synth.members import generate_applications
from footfall.synth.rewards import RewardsSpec, generate_rewards
from footfall.synth.shop_events import ShopSpec, generate_shop_events

__all__ = ["stage_sample_inputs"]


def stage_sample_inputs(data_dir: Path, *, events: int = 200_000, seed: int = 7) -> dict[str, Path]:
    """Write an access log and its mapping, shop events, rewards exports and applications under `data_dir/inbox`."""
    inbox = data_dir / "inbox"
    for folder in ("logs", "shop", "rewards", "members"):
        (inbox / folder).mkdir(parents=True, exist_ok=True)
    log, mapping = inbox / "logs" / "http.log", inbox / "campaign_reward_mapping.csv"
    generate_http_log(HttpLogSpec(events=events, users=max(100, events // 40), seed=seed), log, mapping_out=mapping)
    generate_shop_events(ShopSpec(events=events, seed=seed), inbox / "shop" / "shop_events.jsonl")
    generate_rewards(RewardsSpec(transactions=max(1_000, events // 10), seed=seed), inbox / "rewards")
    generate_applications(inbox / "members", files=3, rows=max(50, events // 1_000), seed=seed)
    return {
        "logs": log,
        "mapping": mapping,
        "shop": inbox / "shop",
        "rewards": inbox / "rewards",
        "members": inbox / "members",
    }
