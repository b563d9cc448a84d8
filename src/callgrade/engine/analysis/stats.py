"""The few statistical tests the analyses need, in plain Python and numpy (no SciPy).

- ``chi2_sf``: the chi-square distribution's upper tail, through the regularized incomplete
  gamma function (series below ``a + 1``, continued fraction above, as in Numerical Recipes).
- ``contingency_chi2``: Pearson's statistic of a 2 × K table (one group against the rest).
- ``permutation_p``: the same statistic's exact-in-distribution Monte Carlo p-value for small
  tables, drawing the group's counts from the multivariate hypergeometric distribution with a
  fixed seed, so the same inputs always give the same p-value.
- ``sign_test_p``: the exact two-sided binomial test of ups against downs.
- ``fisher_exact_p``: Fisher's exact two-sided test of a 2 × 2 table (two groups' selected and
  not selected).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

_EPS = 1e-14
_ITERATIONS = 500


def _gamma_series(a: float, x: float) -> float:
    """The regularized lower incomplete gamma P(a, x) by its series (x < a + 1)."""
    term = total = 1.0 / a
    n = a
    for _ in range(_ITERATIONS):
        n += 1
        term *= x / n
        total += term
        if abs(term) < abs(total) * _EPS:
            break
    return total * math.exp(-x + a * math.log(x) - math.lgamma(a))


def _gamma_fraction(a: float, x: float) -> float:
    """The regularized upper incomplete gamma Q(a, x) by Lentz's continued fraction."""
    tiny = 1e-300
    b = x + 1 - a
    c = 1 / tiny
    d = 1 / b
    h = d
    for i in range(1, _ITERATIONS):
        an = -i * (i - a)
        b += 2
        d = an * d + b
        d = tiny if abs(d) < tiny else d
        c = b + an / c
        c = tiny if abs(c) < tiny else c
        d = 1 / d
        delta = d * c
        h *= delta
        if abs(delta - 1) < _EPS:
            break
    return math.exp(-x + a * math.log(x) - math.lgamma(a)) * h


def chi2_sf(x: float, df: int) -> float:
    """P(X ≥ x) for X chi-square distributed with ``df`` degrees of freedom."""
    if df <= 0:
        raise ValueError("degrees of freedom must be positive")
    if x <= 0:
        return 1.0
    a, half = df / 2, x / 2
    if half < a + 1:
        return max(0.0, 1.0 - _gamma_series(a, half))
    return min(1.0, _gamma_fraction(a, half))


def contingency_chi2(group: Sequence[int], total: Sequence[int]) -> tuple[float, int, float]:
    """(statistic, degrees of freedom, smallest expected count) of the 2 × K table of ``group``'s
    counts against the rest (``total`` minus ``group``), over the columns that hold anyone."""
    g = np.asarray(group, dtype=float)
    t = np.asarray(total, dtype=float)
    keep = t > 0
    g, t = g[keep], t[keep]
    n, big_n = g.sum(), t.sum()
    if len(t) < 2 or n == 0 or n == big_n:
        return 0.0, 0, 0.0
    expected_g = n * t / big_n
    expected_r = (big_n - n) * t / big_n
    rest = t - g
    stat = float(
        ((g - expected_g) ** 2 / expected_g).sum() + ((rest - expected_r) ** 2 / expected_r).sum()
    )
    return stat, len(t) - 1, float(min(expected_g.min(), expected_r.min()))


def _chi2_rows(draws: np.ndarray, total: np.ndarray) -> np.ndarray:
    n = draws[0].sum()
    big_n = total.sum()
    expected_g = n * total / big_n
    expected_r = (big_n - n) * total / big_n
    rest = total - draws
    return ((draws - expected_g) ** 2 / expected_g).sum(axis=1) + (
        (rest - expected_r) ** 2 / expected_r
    ).sum(axis=1)


def permutation_p(
    group: Sequence[int], total: Sequence[int], *, draws: int = 4000, seed: int = 0
) -> float:
    """The p-value of ``group``'s chi-square statistic when the group's members are drawn at
    random from the whole (``draws`` samples; the observed table counts as one of them)."""
    g = np.asarray(group, dtype=np.int64)
    t = np.asarray(total, dtype=np.int64)
    keep = t > 0
    g, t = g[keep], t[keep]
    if len(t) < 2 or g.sum() in (0, t.sum()):
        return 1.0
    observed = contingency_chi2(g.tolist(), t.tolist())[0]
    rng = np.random.default_rng(seed)
    sample = rng.multivariate_hypergeometric(t, int(g.sum()), size=draws)
    stats = _chi2_rows(sample.astype(float), t.astype(float))
    hits = int((stats >= observed - 1e-9).sum())
    return (hits + 1) / (draws + 1)


def sign_test_p(ups: int, downs: int) -> float:
    """Exact two-sided binomial p-value of ``ups`` against ``downs`` at even odds."""
    n = ups + downs
    if n == 0:
        return 1.0
    k = min(ups, downs)
    tail = sum(math.comb(n, i) for i in range(k + 1)) / 2**n
    return min(1.0, 2 * tail)


def fisher_exact_p(a: int, b: int, c: int, d: int) -> float:
    """Two-sided p-value of the 2 × 2 table [[a, b], [c, d]] with its margins fixed: the sum of
    the probabilities of every table at most as likely as the observed one."""
    row, col, n = a + b, a + c, a + b + c + d
    if n == 0:
        return 1.0
    low, high = max(0, col - (n - row)), min(row, col)

    def log_comb(m: int, k: int) -> float:
        return math.lgamma(m + 1) - math.lgamma(k + 1) - math.lgamma(m - k + 1)

    # in logarithms: the binomial coefficients of a center's headcounts overflow floats
    whole = log_comb(n, col)

    def prob(k: int) -> float:
        return math.exp(log_comb(row, k) + log_comb(n - row, col - k) - whole)

    observed = prob(a)
    total = sum(p for k in range(low, high + 1) if (p := prob(k)) <= observed * (1 + 1e-7))
    return min(1.0, total)
