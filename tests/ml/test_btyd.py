"""BG/NBD and Pareto/NBD: the published CDNOW parameters, and the predictions' invariants."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from footfall.ml.btyd import BgNbd, ParetoNbd, fit_btyd
from footfall.ml.features import customer_features
from footfall.ml.sources import CdnowFile, read_cdnow

PUBLISHED = {
    "bg-nbd": {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426},
    "pareto-nbd": {"r": 0.553, "alpha": 10.578, "s": 0.606, "beta": 11.669},
}


@pytest.fixture(scope="module")
def sample_summary() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The 2,357-customer sample, 39-week calibration (to 1997-09-30), from the file in the lifetimes wheel,
    through our cleansing: 8 customers whose every purchase was $0 are rejected, 2,349 remain."""
    data = read_cdnow(CdnowFile.SAMPLE)
    assert data.reject_counts() == {"duplicate": 21, "non_positive_amount": 8}
    features = customer_features(data.frame, until=date(1997, 9, 30))
    assert features.height == 2349
    return tuple(features[c].to_numpy() for c in ("frequency", "recency", "T"))  # type: ignore[return-value]


@pytest.mark.parametrize("name", ["bg-nbd", "pareto-nbd"])
def test_reproduces_the_published_cdnow_parameters_within_one_percent(
    name: str, sample_summary: tuple[np.ndarray, np.ndarray, np.ndarray]
) -> None:
    fitted = fit_btyd(name, *sample_summary).params()
    for key, value in PUBLISHED[name].items():
        assert fitted[key] == pytest.approx(value, rel=0.01), (key, fitted)


@pytest.mark.parametrize("name", ["bg-nbd", "pareto-nbd"])
def test_fits_the_published_summary_exactly(name: str) -> None:
    """The wheel's own 2,357-customer summary (x, t_x, T as Fader & Hardie published them): to the published digits."""
    import polars as pl

    from footfall.ml.sources import cdnow_path

    summary = pl.read_csv(cdnow_path().parent / "cdnow_customers_summary.csv")
    fitted = fit_btyd(name, *(summary[c].to_numpy().astype(float) for c in ("frequency", "recency", "T"))).params()
    for key, value in PUBLISHED[name].items():
        assert fitted[key] == pytest.approx(value, rel=2e-4, abs=6e-4), (key, fitted)  # published to 3 decimals


def test_pareto_return_probability_matches_monte_carlo() -> None:
    model = ParetoNbd(r=0.55, alpha=10.6, s=0.61, beta=11.7)
    x, t_x, T, t = np.array([3.0]), np.array([20.0]), np.array([39.0]), 26.0
    rng = np.random.default_rng(0)
    lam = rng.gamma(model.r + x[0], 1 / (model.alpha + T[0]), 400_000)
    mu = rng.gamma(model.s, 1 / (model.beta + T[0]), 400_000)
    share = np.mean(lam / (lam + mu) * (1 - np.exp(-(lam + mu) * t)))
    expected = model.p_alive(x, t_x, T)[0] * share
    assert model.p_return(t, x, t_x, T)[0] == pytest.approx(expected, abs=2e-3)


rates = st.floats(0.05, 20.0)


@settings(max_examples=60, deadline=None)
@given(
    r=rates,
    alpha=rates,
    c=rates,
    d=rates,
    x=st.integers(0, 30),
    frac=st.floats(0, 1),
    T=st.floats(1, 80),
    t=st.floats(0.5, 60),
)
def test_predictions_are_consistent(
    r: float, alpha: float, c: float, d: float, x: int, frac: float, T: float, t: float
) -> None:
    """0 ≤ P(return) ≤ P(alive) ≤ 1, P(return) grows with the horizon, E[purchases] ≥ P(return)."""
    xs, t_x, Ts = np.array([float(x)]), np.array([frac * T if x else 0.0]), np.array([T])
    for model in (BgNbd(r=r, alpha=alpha, a=c, b=d + 1.0), ParetoNbd(r=r, alpha=alpha, s=c + 1.0, beta=d)):
        alive = model.p_alive(xs, t_x, Ts)[0]
        now, later = model.p_return(t, xs, t_x, Ts)[0], model.p_return(2 * t, xs, t_x, Ts)[0]
        assert -1e-9 <= now <= alive + 1e-9 <= 1 + 2e-9
        assert later >= now - 1e-9
        assert model.expected_purchases(t, xs, t_x, Ts)[0] >= now - 1e-6
