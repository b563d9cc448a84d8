"""Value → points for the four scoring methods, over whole columns (docs/policy.md, *Scoring an
item*). Rows with a NaN value get NaN points."""

from __future__ import annotations

import numpy as np
import pandas as pd

from callgrade.engine.policy.model import Bands


def linear(value: pd.Series, floor: float, target: float) -> pd.Series:
    # one formula for both directions: a lower-better target lies below its floor
    x = value.to_numpy(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = (x - floor) / (target - floor)
    return pd.Series(100.0 * np.clip(share, 0.0, 1.0), index=value.index)


def bands(value: pd.Series, spec: Bands, lower_better: bool) -> tuple[pd.Series, pd.Series]:
    """Points and the threshold of the band that applied (NaN: ``otherwise``)."""
    thresholds = np.array([b.value for b in spec.bands], dtype=float)
    pts = np.array([b.points for b in spec.bands], dtype=float)
    x = value.to_numpy(float)
    if lower_better:
        idx = np.searchsorted(thresholds, x, side="left")
        hit = idx < len(thresholds)
    else:
        idx = np.searchsorted(thresholds, x, side="right") - 1
        hit = idx >= 0
    safe = np.clip(idx, 0, len(thresholds) - 1)
    points = np.where(hit, pts[safe], spec.otherwise)
    band = np.where(hit, thresholds[safe], np.nan)
    nan = np.isnan(x)
    return (
        pd.Series(np.where(nan, np.nan, points), index=value.index),
        pd.Series(np.where(nan, np.nan, band), index=value.index),
    )


def percentile(value: pd.Series, groups: list[pd.Series], lower_better: bool) -> pd.Series:
    """100 × (strictly worse + ½ × other equal) / (n − 1); 50 when alone."""
    better_is_high = -value if lower_better else value
    g = better_is_high.groupby(groups, dropna=False, sort=False)
    low = g.rank(method="min")
    high = g.rank(method="max")
    n = g.transform("count")
    score = 100.0 * ((low - 1) + 0.5 * (high - low)) / (n - 1)
    return score.where(n > 1, 50.0).where(value.notna())


def minmax(
    value: pd.Series, groups: list[pd.Series], lower_better: bool
) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Points, the group's worst and best values."""
    g = value.groupby(groups, dropna=False, sort=False)
    lo, hi = g.transform("min"), g.transform("max")
    best, worst = (lo, hi) if lower_better else (hi, lo)
    span = best - worst
    score = (100.0 * (value - worst) / span.where(span != 0)).where(span != 0, 100.0)
    return score.where(value.notna()), worst, best
