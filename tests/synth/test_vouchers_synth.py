"""The voucher generator: seeded, exactly as many vouchers as asked, and users who behave like members."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from footfall.synth.vouchers import VouchersSpec, generate_vouchers

ZONE = "Asia/Singapore"


def _read(path: Path) -> pl.DataFrame:
    frame = pl.read_csv(path, infer_schema=False).filter(pl.col("voucher_id").str.starts_with("V000"))
    return frame.with_columns(issued=pl.col("issued_at").str.to_datetime("%Y-%m-%d %H:%M:%S UTC", time_zone="UTC"))


def test_same_seed_same_bytes(tmp_path: Path) -> None:
    a, b, c = tmp_path / "a.csv", tmp_path / "b.csv", tmp_path / "c.csv"
    spec = VouchersSpec(vouchers=3_000, users=400, days=120, seed=3, zone=ZONE)
    generate_vouchers(spec, a)
    generate_vouchers(spec, b)
    generate_vouchers(VouchersSpec(vouchers=3_000, users=400, days=120, seed=4, zone=ZONE), c)
    assert a.read_bytes() == b.read_bytes() != c.read_bytes()


@settings(max_examples=15, deadline=None)
@given(
    vouchers=st.integers(1, 400),
    users=st.integers(1, 60),
    days=st.integers(1, 60),
    seed=st.integers(0, 2**32 - 1),
)
def test_exactly_the_vouchers_asked_inside_the_export(
    tmp_path_factory, vouchers: int, users: int, days: int, seed: int
) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path_factory.mktemp("v") / "v.csv"
    spec = VouchersSpec(vouchers=vouchers, users=users, days=days, seed=seed, zone="UTC", bad_rows=False)
    assert generate_vouchers(spec, out) == vouchers
    frame = _read(out)
    assert frame.height == vouchers and frame["user_id"].n_unique() <= users
    first, last = frame["issued"].min().date(), frame["issued"].max().date()  # type: ignore[union-attr]
    assert spec.start <= first and last < spec.start + timedelta(days=days)
    signed = frame["signup_date"].str.to_date() <= frame["issued"].dt.date()
    assert signed.all()  # every user signed up before their vouchers


def test_members_keep_coming_back_some_lapse_and_the_sale_is_busier(tmp_path: Path) -> None:
    out = tmp_path / "v.csv"
    generate_vouchers(VouchersSpec(vouchers=20_000, users=2_000, days=366, seed=7, zone=ZONE), out)
    frame = _read(out).with_columns(day=pl.col("issued").dt.convert_time_zone(ZONE).dt.date())
    per_user = frame.group_by("user_id").agg(
        early=(pl.col("day") < date(2024, 4, 1)).sum(), late=(pl.col("day") >= date(2024, 10, 1)).sum()
    )
    regulars = per_user.filter(pl.col("early") >= 5)
    still = float((regulars["late"] > 0).mean())  # type: ignore[arg-type]
    # no dropout (every regular still there) or a programme everyone leaves are both unlike a loyalty programme
    assert regulars.height >= 100 and 0.5 < still < 0.95, (regulars.height, still)
    joined = per_user.join(frame.group_by("user_id").agg(pl.col("day").min()), on="user_id")
    assert (joined["day"] >= date(2024, 7, 1)).sum() > 100  # members keep joining through the year
    daily = frame.group_by("day").len()
    week = pl.col("day").dt.week()
    sale = daily.filter(week.is_between(22, 26))["len"].mean()
    rest = daily.filter(~week.is_between(22, 26))["len"].mean()
    assert sale > 1.2 * rest  # type: ignore[operator]
