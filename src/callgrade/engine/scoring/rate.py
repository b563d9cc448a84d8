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
    for c in ("rank", "group_size"):  # all missing until ranked
        tot[c] = pd.arrays.IntegerArray(np.zeros(len(tot), np.int64), np.ones(len(tot), bool))
    for card, keys in sorted(peer_groups.items()):
        at = np.flatnonzero((tot["scorecard"] == card).to_numpy() & tot["total"].notna().to_numpy())
        if not len(at):
            continue
        # sort (keys ↑, total ↓, samples ↓, employee_id ↑) on integer codes of sorted values
        codes = [_sorted_codes(tot[k].to_numpy()[at]) for k in keys]
        total = tot["total"].to_numpy(float)[at]
        samples = tot["samples"].to_numpy(float)[at]
        ids = _sorted_codes(tot["employee_id"].to_numpy()[at])
        order = np.lexsort((ids, -samples, -total, *reversed(codes)))
        grouped = np.stack([c[order] for c in codes]) if codes else np.zeros((0, len(at)))
        new = np.ones(len(at), dtype=bool)
        new[1:] = (grouped[:, 1:] != grouped[:, :-1]).any(axis=0)
        start = np.flatnonzero(new)
        size = np.diff(np.append(start, len(at)))
        group = np.cumsum(new) - 1
        rank = np.arange(len(at)) - start[group] + 1
        rows = tot.index[at[order]]
        tot.loc[rows, "rank"] = rank
        tot.loc[rows, "group_size"] = size[group]
    return tot


def _sorted_codes(values: np.ndarray) -> np.ndarray:
    """Codes ordered like the values (missing values last, as pandas sorts them)."""
    index = pd.Index(values)
    if index.is_monotonic_increasing and index.is_unique:  # e.g. employee ids in roster order
        return np.arange(len(values))
    codes, uniques = pd.factorize(values, sort=True)
    return np.where(codes < 0, len(uniques), codes)
