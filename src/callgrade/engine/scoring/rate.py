"""Ratings (absolute bands or a forced distribution) and ranks inside peer groups."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from callgrade.engine.policy import Policy
from callgrade.engine.policy.model import Absolute, Forced

EPS = 1e-9  # n × percent / 100 in floating point: 10 × 30 / 100 must floor to 3, not 2


def quota_size(n: pd.Series | np.ndarray, percent: float) -> np.ndarray:
    return np.floor(np.asarray(n, dtype=float) * percent / 100.0 + EPS).astype(int)


def order_keys(tie_break: tuple[str, ...]) -> tuple[list[str], list[bool]]:
    """Sort columns and directions for a tie-break list (always ending with employee_id)."""
    cols = {
        "score_desc": ("total", False),
        "samples_desc": ("samples", False),
        "tenure_desc": ("hire_date", True),  # earlier hire = longer tenure
        "employee_id_asc": ("employee_id", True),
    }
    picked = [cols[k] for k in tie_break]
    return [c for c, _ in picked], [a for _, a in picked]


def _absolute(spec: Absolute, total: pd.Series) -> pd.Series:
    conds = [total >= b.min_score for b in spec.bands]
    codes = [b.rating for b in spec.bands]
    out = pd.Series(np.select(conds, codes, default=codes[-1]), index=total.index, dtype=object)
    return out.where(total.notna())


def _forced(spec: Forced, tot: pd.DataFrame) -> pd.Series:
    scored = tot[tot["total"].notna()]
    keys = list(spec.group)
    by, asc = order_keys(spec.tie_break)
    s = scored.sort_values([*keys, *by], ascending=[True] * len(keys) + asc, kind="mergesort")
    g = s.groupby(keys, sort=False, dropna=False)
    i = g.cumcount().to_numpy()
    n = g["employee_id"].transform("size").to_numpy()
    rating = np.full(len(s), spec.remainder, dtype=object)
    taken = np.zeros(len(s), dtype=bool)
    ptr = np.zeros(len(s), dtype=int)
    group_id = g.ngroup().to_numpy()
    for q in spec.quotas:
        cnt = quota_size(n, q.max_percent)
        window = (i >= ptr) & (i < ptr + cnt) & ~taken
        below = np.zeros(len(s), dtype=bool)
        if q.min_score is not None:
            below = s["total"].to_numpy(float) < q.min_score
        # the quota stops at the first member below its min_score
        stop = pd.Series(window & below).groupby(group_id).cumsum().to_numpy() > 0
        got = window & ~stop
        rating[got] = q.rating
        taken |= got
        ptr = ptr + pd.Series(got).groupby(group_id).transform("sum").to_numpy()
    out = pd.Series(rating, index=s.index, dtype=object)
    return out.reindex(tot.index)


def rate(policy: Policy, tot: pd.DataFrame) -> pd.DataFrame:
    """Add ``rating`` and ``rating_points`` (null without a total)."""
    spec = policy.ratings.assignment
    tot = tot.copy()
    tot["rating"] = (
        _absolute(spec, tot["total"]) if isinstance(spec, Absolute) else _forced(spec, tot)
    )
    points = {g.code: g.points for g in policy.ratings.grades}
    tot["rating_points"] = tot["rating"].map(points).astype(float)
    return tot


def rank_in_group(tot: pd.DataFrame, peer_groups: Mapping[str, tuple[str, ...]]) -> pd.DataFrame:
    """``rank`` (1 = best score; ties → more samples, then smaller id) and ``group_size`` inside
    each scorecard's peer group."""
    tot = tot.copy()
    tot["rank"] = pd.array([pd.NA] * len(tot), dtype="Int64")
    tot["group_size"] = pd.array([pd.NA] * len(tot), dtype="Int64")
    for card, keys in sorted(peer_groups.items()):
        sel = tot[(tot["scorecard"] == card) & tot["total"].notna()]
        if not len(sel):
            continue
        s = sel.sort_values(
            [*keys, "total", "samples", "employee_id"],
            ascending=[True] * len(keys) + [False, False, True],
            kind="mergesort",
        )
        g = s.groupby(list(keys), sort=False, dropna=False)
        tot.loc[s.index, "rank"] = (g.cumcount() + 1).to_numpy()
        tot.loc[s.index, "group_size"] = g["employee_id"].transform("size").to_numpy()
    return tot
