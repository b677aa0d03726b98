"""The field's probabilistic "buy 'til you die" baselines: BG/NBD and Pareto/NBD, fitted by maximum likelihood.

Both see a customer as (x, t_x, T): repeat purchases x in the calibration window, the time of the
last one t_x and the customer's age T, in weeks from the first purchase (docs/ml.md#btyd). While
alive a customer buys at a Poisson rate λ ~ Gamma(r, α). BG/NBD (Fader, Hardie & Lee 2005) lets
a customer drop out after each purchase with probability p ~ Beta(a, b); Pareto/NBD (Schmittlein,
Morrison & Colombo 1987) after an exponential lifetime with rate μ ~ Gamma(s, β). Parameters are
fitted on their logarithms with L-BFGS-B over the distinct (x, t_x, T) triples, weighted by count;
on the CDNOW sample they reproduce the published values (tests/ml/test_btyd.py).
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import ClassVar

import numpy as np
from scipy.optimize import minimize
from scipy.special import betaln, gammaln, hyp2f1

__all__ = ["BTYD_MODELS", "BgNbd", "BtydModel", "ParetoNbd", "fit_btyd"]

Array = np.ndarray


@dataclass(frozen=True, kw_only=True)
class BtydModel:
    """Shared machinery: the fit, and the two predictions a loyalty team asks for."""

    name: ClassVar[str] = "btyd"

    def log_likelihood(self, x: Array, t_x: Array, T: Array) -> Array:
        """Each customer's log-likelihood under the model."""
        raise NotImplementedError

    def p_alive(self, x: Array, t_x: Array, T: Array) -> Array:
        """P(still a customer at T | x, t_x, T)."""
        raise NotImplementedError

    def expected_purchases(self, t: float, x: Array, t_x: Array, T: Array) -> Array:
        """E[purchases in (T, T + t] | x, t_x, T]: the conditional expectation."""
        raise NotImplementedError

    def p_return(self, t: float, x: Array, t_x: Array, T: Array) -> Array:
        """P(at least one purchase in (T, T + t] | x, t_x, T)."""
        raise NotImplementedError

    def params(self) -> dict[str, float]:
        """The fitted parameters by name."""
        return {f.name: float(getattr(self, f.name)) for f in fields(self)}


@dataclass(frozen=True, kw_only=True)
class BgNbd(BtydModel):
    """BG/NBD: purchases Poisson(λ), λ ~ Gamma(r, α); drop out after a purchase with p ~ Beta(a, b)."""

    name: ClassVar[str] = "bg-nbd"
    r: float
    alpha: float
    a: float
    b: float

    def log_likelihood(self, x: Array, t_x: Array, T: Array) -> Array:
        r, alpha, a, b = self.r, self.alpha, self.a, self.b
        head = gammaln(r + x) - gammaln(r) + r * np.log(alpha) + betaln(a, b + x) - betaln(a, b)
        alive = -(r + x) * np.log(alpha + T)
        dead = np.log(a) - np.log(np.maximum(b + x - 1, 1e-300)) - (r + x) * np.log(alpha + t_x)
        return np.asarray(head + np.where(x > 0, np.logaddexp(alive, dead), alive))

    def p_alive(self, x: Array, t_x: Array, T: Array) -> Array:
        r, alpha, a, b = self.r, self.alpha, self.a, self.b
        log_ratio = np.log(a) - np.log(np.maximum(b + x - 1, 1e-300)) + (r + x) * np.log((alpha + T) / (alpha + t_x))
        return np.where(x > 0, 1.0 / (1.0 + np.exp(np.minimum(log_ratio, 700))), 1.0)

    def expected_purchases(self, t: float, x: Array, t_x: Array, T: Array) -> Array:
        r, alpha, a, b = self.r, self.alpha, self.a, self.b
        a = a if abs(a - 1.0) > 1e-9 else 1.0 + 1e-9  # the formula's 0/0 at a = 1: take the limit
        z = t / (alpha + T + t)
        growth = 1.0 - ((alpha + T) / (alpha + T + t)) ** (r + x) * hyp2f1(r + x, b + x, a + b + x - 1, z)
        return np.asarray((a + b + x - 1) / (a - 1) * growth * self.p_alive(x, t_x, T))

    def p_return(self, t: float, x: Array, t_x: Array, T: Array) -> Array:
        # alive at T with rate λ: no purchase in t has probability e^{-λt} (dropping out needs a purchase)
        return np.asarray(self.p_alive(x, t_x, T) * (1.0 - ((self.alpha + T) / (self.alpha + T + t)) ** (self.r + x)))


@dataclass(frozen=True, kw_only=True)
class ParetoNbd(BtydModel):
    """Pareto/NBD: purchases Poisson(λ), λ ~ Gamma(r, α); lifetime Exponential(μ), μ ~ Gamma(s, β)."""

    name: ClassVar[str] = "pareto-nbd"
    r: float
    alpha: float
    s: float
    beta: float

    def _log_death_term(self, x: Array, t_x: Array, T: Array) -> Array:
        """log ∫ from t_x to T of (α+τ)^−(r+x) · (β+τ)^−(s+1) dτ: the customer died at τ after the last purchase.

        Substituting ρ = ((α+t_x)/(α+τ))^m with m = r + x + s makes the integrand ((α+τ)/(β+τ))^(s+1), smooth
        and bounded, so 32-point Gauss–Legendre is exact to ~1e-9 (the ₂F₁ closed form of Fader & Hardie's note
        can take minutes in SciPy for large x with z near 1)."""
        r, alpha, s, beta = self.r, self.alpha, self.s, self.beta
        m = r + x + s
        with np.errstate(divide="ignore"):
            log_rho_T = m * (np.log(alpha + t_x) - np.log(alpha + T))
            span = np.log(-np.expm1(log_rho_T))  # log(1 - rho_T); -inf when t_x = T
        rho = np.exp(log_rho_T)[:, None] + (1 - np.exp(log_rho_T))[:, None] * _NODES[None, :]
        tau = (alpha + t_x)[:, None] * rho ** (-1.0 / m[:, None]) - alpha
        mean = (((alpha + tau) / (beta + tau)) ** (s + 1) * _WEIGHTS[None, :]).sum(axis=1)
        return np.asarray(-m * np.log(alpha + t_x) - np.log(m) + span + np.log(mean))

    def log_likelihood(self, x: Array, t_x: Array, T: Array) -> Array:
        r, alpha, s, beta = self.r, self.alpha, self.s, self.beta
        head = gammaln(r + x) - gammaln(r) + r * np.log(alpha) + s * np.log(beta)
        alive = -(r + x) * np.log(alpha + T) - s * np.log(beta + T)
        dead = np.log(s) + self._log_death_term(*np.broadcast_arrays(x, t_x, T))
        return np.asarray(head + np.logaddexp(alive, dead))

    def p_alive(self, x: Array, t_x: Array, T: Array) -> Array:
        r, alpha, s, beta = self.r, self.alpha, self.s, self.beta
        x, t_x, T = np.broadcast_arrays(np.asarray(x, float), np.asarray(t_x, float), np.asarray(T, float))
        log_ratio = np.log(s) + (r + x) * np.log(alpha + T) + s * np.log(beta + T) + self._log_death_term(x, t_x, T)
        return np.asarray(1.0 / (1.0 + np.exp(np.minimum(log_ratio, 700))))

    def expected_purchases(self, t: float, x: Array, t_x: Array, T: Array) -> Array:
        r, alpha, s, beta = self.r, self.alpha, self.s, self.beta
        growth = (r + x) * (beta + T) / ((alpha + T) * (s - 1)) * (1.0 - ((beta + T) / (beta + T + t)) ** (s - 1))
        return np.asarray(growth * self.p_alive(x, t_x, T))

    def p_return(self, t: float, x: Array, t_x: Array, T: Array) -> Array:
        # alive at T with (lambda, mu): a purchase comes before death and before t with probability
        # lambda/(lambda+mu) * (1 - exp(-(lambda+mu) t)); given alive, lambda ~ Gamma(r + x, alpha + T) and
        # mu ~ Gamma(s, beta + T) independently
        shape, a_rate, b_rate = self.r + x, self.alpha + T, self.beta + T
        now = _mean_share(shape, self.s, a_rate, b_rate)
        discount = (a_rate / (a_rate + t)) ** shape * (b_rate / (b_rate + t)) ** self.s
        later = _mean_share(shape, self.s, a_rate + t, b_rate + t)
        return np.asarray(self.p_alive(x, t_x, T) * (now - discount * later))


_NODES, _WEIGHTS = np.polynomial.legendre.leggauss(32)
_NODES, _WEIGHTS = (_NODES + 1) / 2, _WEIGHTS / 2  # on [0, 1], weights summing to 1


def _mean_share(shape: Array, s: float, a_rate: Array, b_rate: Array) -> Array:
    """E[λ / (λ + μ)] for independent λ ~ Gamma(shape, a_rate), μ ~ Gamma(s, b_rate).

    With Z = X/(X+Y) ~ Beta(shape, s) and c = a_rate/b_rate, λ/(λ+μ) = Z/(c − (c − 1)Z), whose mean is
    shape/(shape+s)/c · ₂F₁(1, shape+1; shape+s+1; 1 − 1/c) (Euler's integral). For c < 1/2 the series
    argument leaves [−1, 1): there the same formula gives E[μ/(λ+μ)] with the roles swapped."""
    shape, a_rate, b_rate = np.broadcast_arrays(
        np.asarray(shape, float), np.asarray(a_rate, float), np.asarray(b_rate, float)
    )
    c = a_rate / b_rate
    direct = c >= 0.5
    out = np.empty_like(c)
    d = direct
    out[d] = shape[d] / (shape[d] + s) / c[d] * hyp2f1(1.0, shape[d] + 1.0, shape[d] + s + 1.0, 1.0 - 1.0 / c[d])
    w = ~direct
    cw = 1.0 / c[w]
    out[w] = 1.0 - s / (s + shape[w]) / cw * hyp2f1(1.0, s + 1.0, s + shape[w] + 1.0, 1.0 - 1.0 / cw)
    return np.asarray(out)


BTYD_MODELS: dict[str, type[BtydModel]] = {"bg-nbd": BgNbd, "pareto-nbd": ParetoNbd}
_STARTS = {"bg-nbd": (0.5, 5.0, 1.0, 2.0), "pareto-nbd": (0.5, 10.0, 0.5, 10.0)}


def fit_btyd(name: str, x: Array, t_x: Array, T: Array) -> BtydModel:
    """Maximum-likelihood fit of `name` (`bg-nbd` or `pareto-nbd`) to per-customer (x, t_x, T) in weeks."""
    kind = BTYD_MODELS[name]
    names = [f.name for f in fields(kind)]
    triples = np.column_stack([x, t_x, T]).astype(float)
    unique, counts = np.unique(np.round(triples, 9), axis=0, return_counts=True)
    ux, ut, uT = unique[:, 0], unique[:, 1], unique[:, 2]

    def loss(log_params: Array) -> float:
        model = kind(**dict(zip(names, np.exp(log_params).tolist(), strict=True)))
        with np.errstate(all="ignore"):  # the search may visit parameters where the likelihood is not finite
            value = -float(np.sum(counts * model.log_likelihood(ux, ut, uT))) / counts.sum()
        return value if np.isfinite(value) else 1e10

    # tight tolerances: L-BFGS-B alone then matches a Nelder-Mead polish to 5 digits in a third of the time
    result = minimize(
        loss,
        np.log(_STARTS[name]),
        method="L-BFGS-B",
        bounds=[(-10.0, 10.0)] * 4,
        options={"ftol": 1e-14, "gtol": 1e-10},
    )
    return kind(**dict(zip(names, np.exp(result.x).tolist(), strict=True)))
