r"""The statistical tests of the validation oracles: each returns a :class:`Check` with its p-value.

Every oracle compares a Monte Carlo estimate with a closed form under the null hypothesis "the engine
reproduces the formula". A check **passes** when its two-sided p-value is at least :data:`ALPHA`; its
*acceptance band* is the set of estimates that pass, the ``1 - ALPHA`` acceptance region of the test under
the null, so fewer replications give a wider band, not a looser criterion. The runs are seeded, so a verdict
is reproducible.

Tests (Conover, *Practical Nonparametric Statistics*, 3rd ed., 1999, sect. 3.1 for the binomial test and
4.5 for the chi-square goodness of fit; Agresti, *Categorical Data Analysis*, 3rd ed., 2013, ch. 1 for the
exact intervals):

* :func:`binomial` - ``k`` successes in ``n`` independent trials against ``p0``: the exact two-sided
  binomial test (``scipy.stats.binomtest``: the outcomes no more likely than the observed one), the
  Clopper-Pearson 95 % interval of ``k / n``.
* :func:`poisson_count` - a count ``k`` against a Poisson mean ``mu0``: exact two-sided test
  ``p = min(1, 2 min(P(X <= k), P(X >= k)))``; the exact (Garwood) 95 % interval
  ``[chi2(0.025; 2k) / 2, chi2(0.975; 2k + 2) / 2]``.
* :func:`mean_z` - a sample mean against ``mu0`` with the null standard deviation ``sigma0`` known from the
  formula: ``z = (xbar - mu0) / (sigma0 / sqrt(n))``, two-sided normal p-value (the sample is large: the
  central limit theorem); 95 % interval ``xbar +- 1.96 s / sqrt(n)`` with the sample deviation ``s``.
* :func:`chi_square_gof` - observed counts over categories against null probabilities: Pearson's
  ``X^2 = sum (O - E)^2 / E`` on ``K - 1`` degrees of freedom, after pooling the tail categories until every
  expected count is at least 5 (Cochran's rule).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy import stats

#: significance level of every check (two-sided)
ALPHA = 1e-3


@dataclass
class Check:
    """One compared quantity of an oracle: its closed form, its estimate, the test and the verdict."""

    oracle: str
    quantity: str
    source: str
    expected: float | str
    measured: float | str
    ci: tuple[float, float] | None
    band: tuple[float, float] | None
    test: str
    p_value: float | None
    n: int
    passed: bool = field(init=False)

    def __post_init__(self):
        if self.p_value is None:  # deterministic accounting: exact equality
            self.passed = self.expected == self.measured
        else:
            self.passed = bool(self.p_value >= ALPHA)

    def line(self) -> str:
        """One line for test logs: quantity, expected, measured, CI, p-value, verdict."""
        def f(x):
            return f"{x:.4f}" if isinstance(x, float) else str(x)
        ci = f" CI95 [{self.ci[0]:.4f}, {self.ci[1]:.4f}]" if self.ci else ""
        p = f" p = {self.p_value:.3g} ({self.test})" if self.p_value is not None else f" ({self.test})"
        return (f"[{self.oracle}] {self.quantity}: expected {f(self.expected)}, measured {f(self.measured)}"
                f"{ci} (n = {self.n}){p} -> {'PASS' if self.passed else 'FAIL'}")


def binomial(oracle, quantity, source, k: int, n: int, p0: float) -> Check:
    """Exact two-sided binomial test of ``k`` of ``n`` against ``p0`` (module docstring)."""
    res = stats.binomtest(int(k), int(n), float(p0))
    ci = res.proportion_ci(0.95, method="exact")
    lo = stats.binom.ppf(ALPHA / 2, n, p0)
    hi = stats.binom.isf(ALPHA / 2, n, p0)
    # the acceptance region of the exact test, as fractions: the counts whose p-value is at least ALPHA
    ks = np.arange(max(lo - 3, 0), min(hi + 3, n) + 1).astype(int)
    ok = [kk for kk in ks if stats.binomtest(int(kk), int(n), float(p0)).pvalue >= ALPHA]
    band = (min(ok) / n, max(ok) / n) if ok else None
    return Check(oracle, quantity, source, float(p0), k / n, (ci.low, ci.high), band,
                 "exact binomial, two-sided", float(res.pvalue), int(n))


def poisson_count(oracle, quantity, source, k: int, mu0: float, per: float = 1.0) -> Check:
    """Exact two-sided Poisson test of the count ``k`` against the mean ``mu0``; reported per ``per``
    units (e.g. per scan)."""
    k = int(k)
    p = min(1.0, 2.0 * min(stats.poisson.cdf(k, mu0), stats.poisson.sf(k - 1, mu0)))
    lo = stats.chi2.ppf(0.025, 2 * k) / 2 if k > 0 else 0.0
    hi = stats.chi2.ppf(0.975, 2 * k + 2) / 2
    band = (stats.poisson.ppf(ALPHA / 2, mu0) / per, stats.poisson.isf(ALPHA / 2, mu0) / per)
    return Check(oracle, quantity, source, mu0 / per, k / per, (lo / per, hi / per), band,
                 "exact Poisson, two-sided", float(p), int(round(per)))


def mean_z(oracle, quantity, source, x, mu0: float, sigma0: float) -> Check:
    """Two-sided z-test of the mean of ``x`` against ``mu0`` with the null deviation ``sigma0``."""
    x = np.asarray(x, float)
    n = x.size
    se0 = sigma0 / np.sqrt(n)
    z = (x.mean() - mu0) / se0
    p = float(2.0 * stats.norm.sf(abs(z)))
    s = x.std(ddof=1) / np.sqrt(n)
    q = stats.norm.isf(ALPHA / 2)
    return Check(oracle, quantity, source, float(mu0), float(x.mean()), (x.mean() - 1.96 * s, x.mean() + 1.96 * s),
                 (mu0 - q * se0, mu0 + q * se0), "z-test on the mean, two-sided", p, int(n))


def pool(observed, expected, min_expected: float = 5.0):
    """Merge tail categories (from both ends inward) until every expected count is at least
    ``min_expected``; returns the pooled ``(observed, expected)``."""
    o = [float(v) for v in observed]
    e = [float(v) for v in expected]
    while len(e) > 2 and e[0] < min_expected:
        oi, ei = o.pop(0), e.pop(0)
        o[0] += oi
        e[0] += ei
    while len(e) > 2 and e[-1] < min_expected:
        oi, ei = o.pop(), e.pop()
        o[-1] += oi
        e[-1] += ei
    return np.array(o), np.array(e)


def chi_square_gof(oracle, quantity, source, counts, probs, expected_label: str) -> Check:
    """Pearson's chi-square goodness of fit of ``counts`` (per category) against ``probs`` (module
    docstring); ``measured`` is reported as ``X^2 / dof``."""
    counts = np.asarray(counts, float)
    n = counts.sum()
    probs = np.asarray(probs, float)
    o, e = pool(counts, probs / probs.sum() * n)
    x2 = float(((o - e) ** 2 / e).sum())
    dof = o.size - 1
    p = float(stats.chi2.sf(x2, dof))
    return Check(oracle, quantity, source, expected_label, f"X2 = {x2:.2f} on {dof} dof", None,
                 (0.0, float(stats.chi2.isf(ALPHA, dof))), "Pearson chi-square GOF", p, int(n))
