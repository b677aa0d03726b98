"""Write small rewards exports for tests (hand-made, in the exports' own format)."""

from __future__ import annotations

from pathlib import Path

from footfall.rewards.load import load_rewards
from footfall.warehouse import Warehouse


def write_exports(
    folder: Path,
    *,
    transactions: list[tuple[str, str, str, str]],
    rewards: list[tuple[str, str, str]] | None = None,
    campaigns: list[tuple[str, str]] | None = None,
) -> dict[str, Path]:
    """CSV exports; transactions are (id, status, 'YYYY-MM-DD HH:MM:SS UTC', reward id)."""
    campaigns = campaigns or [("1", "Spring Rewards"), ("2", "Double Points Week")]
    rewards = rewards or [("1", "Free Coffee", "1"), ("2", "10% Voucher", "1"), ("3", "Movie Ticket", "2")]
    paths = {
        "campaigns": folder / "campaign.csv",
        "rewards": folder / "reward_campaign.csv",
        "transactions": folder / "reward_transaction.csv",
    }
    paths["campaigns"].write_text("Id,Name,Status\n" + "".join(f"{i},{n},active\n" for i, n in campaigns))
    paths["rewards"].write_text(
        "id,reward_name,updated_at,campaign_id\n"
        + "".join(f"{i},{n},2019-08-01 00:00:00.000 UTC,{c}\n" for i, n, c in rewards)
    )
    paths["transactions"].write_text(
        "id,status,updated_at,reward_campaign_id\n" + "".join(f"{i},{s},{t},{r}\n" for i, s, t, r in transactions)
    )
    return paths


def load(warehouse: Warehouse, folder: Path, **kwargs: list[tuple[str, ...]]) -> None:
    """Write the exports and load them."""
    paths = write_exports(folder, **kwargs)  # type: ignore[arg-type]
    load_rewards(
        campaigns=paths["campaigns"], rewards=paths["rewards"], transactions=paths["transactions"], warehouse=warehouse
    )
