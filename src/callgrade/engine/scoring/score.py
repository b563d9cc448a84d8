"""Scorecards: every employee's items, dimension subtotals, total, rating and rank for one
rating period, computed column-wise (a loop runs over scorecard items, never over employees)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pyarrow as pa

from callgrade.engine.policy import Policy
from callgrade.engine.policy.model import Bands, Measure, MinMax, Percentile, Scorecard
from callgrade.engine.scoring import points as pts
from callgrade.engine.scoring.explain import item_sentences
from callgrade.engine.scoring.inputs import (
    extra_frame,
    months_between,
    period_kpis,
    period_last_day,
    roster_frame,
)
from callgrade.engine.scoring.rate import rank_in_group, rate
from callgrade.engine.scoring.results import Scorecards, to_arrow

ROUND = 9  # decimals kept in points and scores
ITEM_KEYS = ["period", "employee_id", "dimension_index", "item_index"]


def _groups(frame: pd.DataFrame, keys: tuple[str, ...]) -> list[pd.Series]:
    return [frame["scorecard"], *(frame[k] for k in keys)]


def _measure_values(
    m: Measure, emp: pd.DataFrame, kpi: pd.DataFrame, extra: pd.DataFrame, as_of: dt.date
) -> pd.DataFrame:
    """value, numerator, denominator, sample_size and unit of one item for every employee."""
    out = pd.DataFrame(index=emp.index)
    if m.kpi is not None:
        rows = kpi[kpi["kpi"] == m.kpi].set_index("entity_id")
        ids = emp["employee_id"]
        for c in ("value", "numerator", "denominator"):
            out[c] = ids.map(rows[c]).astype(float)
        out["sample_size"] = ids.map(rows["sample_size"]).fillna(0).astype("int64")
        units = rows["unit"].dropna()
        out["unit"] = units.iloc[0] if len(units) else "score"
        out["item"] = m.kpi
        return out
    if m.input == "tenure_years":
        out["value"] = months_between(emp["hire_date"], as_of) / 12.0
        out["unit"] = "years"
        out["item"] = "tenure_years"
    else:
        rows = extra[(extra["input"] == m.input) & (extra["ref"] == m.ref)].set_index("employee_id")
        out["value"] = emp["employee_id"].map(rows["value"]).astype(float)
        out["unit"] = "score"
        out["item"] = str(m.ref)
    out["numerator"] = np.nan
    out["denominator"] = np.nan
    out["sample_size"] = out["value"].notna().astype("int64")
    return out


def _peer_mean(f: pd.DataFrame, groups: list[pd.Series]) -> pd.Series:
    """The KPI over the whole peer group: Σ numerator / Σ denominator when the KPI is a ratio of
    sums, else the sample-weighted mean."""
    has = f["value"].notna()
    num = f["numerator"].where(has)
    den = f["denominator"].where(has)
    weighted = (f["value"] * f["sample_size"]).where(has)
    n = f["sample_size"].where(has).astype(float)
    sums = pd.DataFrame({"num": num, "den": den, "wx": weighted, "n": n})
    g = sums.groupby(groups, dropna=False, sort=False)
    s_num, s_den = g["num"].transform("sum"), g["den"].transform("sum")
    s_wx, s_n = g["wx"].transform("sum"), g["n"].transform("sum")
    ratio = s_num / s_den.where(s_den != 0)
    ratio_ok = g["den"].transform("count") == g["num"].transform("count")
    mean = s_wx / s_n.where(s_n != 0)
    return ratio.where(ratio_ok & ratio.notna(), mean)


def _score_item(m: Measure, card: Scorecard, f: pd.DataFrame) -> pd.DataFrame:
    """Fill raw_value, value, status, points and the scoring evidence of one item."""
    lower = m.direction == "lower_better"
    f["raw_value"] = f["value"]
    f["min_sample"] = float(m.min_sample) if m.min_sample is not None else np.nan
    f["shrink_k"] = float(m.shrink_k) if m.shrink_k is not None else np.nan
    f["peer_mean"] = np.nan
    f["status"] = np.where(f["value"].isna(), "excluded_missing", "scored")
    if m.min_sample is not None:
        small = f["value"].notna() & (f["sample_size"] < m.min_sample)
        if m.below_min_sample == "exclude":
            f.loc[small, "status"] = "excluded_sample"
        else:
            mean = _peer_mean(f, _groups(f, card.peer_group))
            n, k = f["sample_size"].astype(float), float(m.shrink_k or 0)
            shrunk = (n * f["value"] + k * mean) / (n + k)
            f["peer_mean"] = mean.where(small)
            f["value"] = shrunk.where(small, f["value"])
            f.loc[small, "status"] = "shrunk"
    live = f["value"].where(f["status"].isin(["scored", "shrunk"]))
    f["floor"] = np.nan if m.floor is None else float(m.floor)
    f["target"] = np.nan if m.target is None else float(m.target)
    f["band"] = f["peers"] = f["worst"] = f["best"] = np.nan
    method = m.scoring.method
    f["method"] = method
    if isinstance(m.scoring, Bands):
        f["points"], f["band"] = pts.bands(live, m.scoring, lower)
        template = np.where(f["band"].isna(), "bands_otherwise", "bands")
    elif isinstance(m.scoring, Percentile | MinMax):
        keys = _groups(f, m.scoring.group or card.peer_group)
        f["peers"] = live.groupby(keys, dropna=False, sort=False).transform("count")
        if isinstance(m.scoring, Percentile):
            f["points"] = pts.percentile(live, keys, lower)
        else:
            f["points"], f["worst"], f["best"] = pts.minmax(live, keys, lower)
        template = np.full(len(f), method, dtype=object)
    else:
        f["points"] = pts.linear(live, float(m.floor or 0), float(m.target or 0))
        template = np.full(len(f), "linear", dtype=object)
    # 100 × 0.24 / 0.30 is 79.99999999999999 in binary floating point: round so that a band or
    # threshold at 80 means what the author wrote
    f["points"] = f["points"].round(ROUND)
    f["template"] = np.where(
        f["status"] == "scored", template, np.where(f["status"] == "shrunk", "shrunk", f["status"])
    )
    return f


def _weights(items: pd.DataFrame) -> pd.DataFrame:
    """Effective weights after renormalizing away excluded items and empty dimensions."""
    inc = items["status"].isin(["scored", "shrunk"])
    w = items["nominal_weight"].where(inc, 0.0)
    by_dim = [items["period"], items["employee_id"], items["dimension_index"]]
    dim_sum = w.groupby(by_dim, sort=False).transform("sum")
    in_dim = (w / dim_sum.where(dim_sum > 0)).fillna(0.0)
    dim_w = items["dimension_weight"].where(dim_sum > 0, 0.0)
    # a dimension's weight counts once per employee, not once per item
    first = ~items.duplicated(["period", "employee_id", "dimension_index"])
    total_w = (
        dim_w.where(first, 0.0)
        .groupby([items["period"], items["employee_id"]], sort=False)
        .transform("sum")
    )
    dim_eff = (dim_w / total_w.where(total_w > 0)).fillna(0.0)
    items["dimension_effective_weight"] = 100.0 * dim_eff
    items["weight_in_dimension"] = 100.0 * in_dim
    items["weight"] = 100.0 * in_dim * dim_eff
    items["contribution"] = (items["points"].fillna(0.0) * items["weight"] / 100.0).where(inc, 0.0)
    return items


def score(
    policy: Policy,
    kpis: pa.Table,
    roster: pa.Table,
    *,
    period_label: str,
    extra_inputs: pa.Table | None = None,
    as_of: dt.date | None = None,
    explain: bool = True,
) -> Scorecards:
    """Score every employee of ``roster`` whose position the policy knows, for one rating period.

    ``kpis`` is the KPI engine's long table (rows of other periods are ignored); ``extra_inputs``
    holds non-KPI inputs as (employee_id, input, ref, value); ``as_of`` (default: the period's last
    day) dates tenure. ``explain=False`` skips the rendered sentences (template codes remain).
    """
    emp = roster_frame(policy, roster)
    if as_of is None:
        as_of = period_last_day(kpis, period_label, policy.time_zone)
    if as_of is None:
        raise ValueError(f"no KPI rows for period {period_label!r}: pass as_of explicitly")
    used = sorted(
        {m.kpi for c in policy.scorecards for d in c.dimensions for m in d.items if m.kpi}
    )
    kpi = period_kpis(kpis, period_label, used)
    extra = extra_frame(extra_inputs)
    frames = []
    for card in policy.scorecards:
        members = emp[emp["scorecard"] == card.code].reset_index(drop=True)
        if not len(members):
            continue
        for di, dim in enumerate(card.dimensions):
            for ii, m in enumerate(dim.items):
                vals = _measure_values(m, members, kpi, extra, as_of)
                f = pd.concat([members, vals], axis=1)
                f = _score_item(m, card, f)
                f["dimension_index"], f["dimension"] = di, dim.code
                f["item_index"], f["input"], f["ref"] = ii, m.input or "kpi", m.ref or ""
                f["nominal_weight"], f["dimension_weight"] = m.weight, dim.weight
                frames.append(f)
    if not frames:
        raise ValueError("no employee of the roster holds a position of this policy")
    items = pd.concat(frames, ignore_index=True)
    items["period"] = period_label
    items = _weights(items.sort_values(["employee_id", "dimension_index", "item_index"]))
    if explain:
        items["explanation"] = item_sentences(items)
    else:
        items["explanation"] = ""
    return _assemble(policy, period_label, emp, items)


def _assemble(
    policy: Policy, period_label: str, emp: pd.DataFrame, items: pd.DataFrame
) -> Scorecards:
    inc = items["status"].isin(["scored", "shrunk"])
    items["samples_counted"] = items["sample_size"].where(inc, 0)
    items["counted"] = inc.astype("int64")
    dkeys = ["period", "employee_id", "scorecard", "dimension_index", "dimension"]
    dims = items.assign(wp=items["points"].fillna(0.0) * items["weight_in_dimension"] / 100.0)
    dims = (
        dims.groupby(dkeys, sort=True)
        .agg(
            score=("wp", "sum"),
            effective_weight=("dimension_effective_weight", "first"),
            nominal_weight=("dimension_weight", "first"),
            items_counted=("counted", "sum"),
        )
        .reset_index()
    )
    dims["score"] = dims["score"].round(ROUND).where(dims["items_counted"] > 0)
    dims["contribution"] = (dims["score"] * dims["effective_weight"] / 100.0).fillna(0.0)
    tot = (
        items.groupby(["employee_id"], sort=True)
        .agg(
            total=("contribution", "sum"),
            counted=("counted", "sum"),
            samples=("samples_counted", "sum"),
        )
        .reset_index()
    )
    tot = emp.merge(tot, on="employee_id", how="inner")
    tot["total"] = tot["total"].round(ROUND).where(tot["counted"] > 0)
    tot["period"] = period_label
    tot = rate(policy, tot)
    card_groups = {c.code: c.peer_group for c in policy.scorecards}
    tot = rank_in_group(tot, card_groups)
    tot["hire_date"] = tot["hire_date"].dt.date
    keep_items = [
        "period",
        "employee_id",
        "position",
        "team",
        "level",
        "scorecard",
        "dimension_index",
        "dimension",
        "item_index",
        "item",
        "input",
        "ref",
        "unit",
        "method",
        "status",
        "raw_value",
        "value",
        "numerator",
        "denominator",
        "sample_size",
        "min_sample",
        "shrink_k",
        "peer_mean",
        "floor",
        "target",
        "band",
        "peers",
        "worst",
        "best",
        "points",
        "nominal_weight",
        "weight_in_dimension",
        "dimension_weight",
        "dimension_effective_weight",
        "weight",
        "contribution",
        "template",
        "explanation",
    ]
    keep_tot = [
        "period",
        "employee_id",
        "position",
        "team",
        "track",
        "level",
        "hire_date",
        "scorecard",
        "total",
        "samples",
        "rating",
        "rating_points",
        "rank",
        "group_size",
    ]
    return Scorecards(
        period=period_label,
        items=to_arrow(items[keep_items], ITEM_KEYS),
        dimensions=to_arrow(
            dims[[*dkeys, "nominal_weight", "effective_weight", "score", "contribution"]],
            ["period", "employee_id", "dimension_index"],
        ),
        totals=to_arrow(tot[keep_tot], ["period", "employee_id"]),
    )
