"""Scorecards: every employee's items, dimension subtotals, total, rating and rank for one
rating period, computed column-wise (a loop runs over scorecard items, never over employees)."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Mapping

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from callgrade.engine.policy import Policy
from callgrade.engine.policy.model import Bands, Measure, MinMax, Percentile, Scorecard
from callgrade.engine.scoring import points as pts
from callgrade.engine.scoring.explain import item_sentences_arrow
from callgrade.engine.scoring.inputs import (
    ExtraInputs,
    KpiColumns,
    extra_lookup,
    kpi_columns,
    months_between,
    period_last_day,
    roster_frame,
)
from callgrade.engine.scoring.rate import rank_in_group, rate
from callgrade.engine.scoring.results import (
    Scorecards,
    strings_by_code,
    table_like_pandas,
)

ROUND = 9  # decimals kept in points and scores

# An item's status and sentence template are carried as small integer codes (cheap to compare,
# stack and reorder) and become strings when the tables are built.
STATUSES = ("scored", "shrunk", "excluded_sample", "excluded_missing")
SCORED, SHRUNK, EXCLUDED_SAMPLE, EXCLUDED_MISSING = range(len(STATUSES))
TEMPLATES = ("linear", "bands", "bands_otherwise", "percentile", "minmax", *STATUSES[1:])
TEMPLATE = {name: code for code, name in enumerate(TEMPLATES)}
# the template of an item that was not scored as such: its status names it
STATUS_TEMPLATE = np.array([-1, *(TEMPLATE[s] for s in STATUSES[1:])], dtype=np.int8)
ITEM_KEYS = ["period", "employee_id", "dimension_index", "item_index"]


def _groups(frame: pd.DataFrame, keys: tuple[str, ...]) -> list[pd.Series]:
    return [frame["scorecard"], *(frame[k] for k in keys)]


def _measure_values(
    m: Measure,
    rows: np.ndarray,
    emp: pd.DataFrame,
    kpi: KpiColumns,
    extra: ExtraInputs,
    as_of: dt.date,
) -> dict[str, object]:
    """value, numerator, denominator, sample_size, unit and item name of one item for the
    employees at ``rows`` of ``emp``."""
    n = len(rows)
    if m.kpi is not None:
        k = kpi.row(m.kpi)
        unit = kpi.units[k]
        return {
            "value": kpi.value[k, rows],
            "numerator": kpi.numerator[k, rows],
            "denominator": kpi.denominator[k, rows],
            "sample_size": np.nan_to_num(kpi.sample_size[k, rows], nan=0.0).astype("int64"),
            "unit": unit if unit is not None else "score",
            "item": m.kpi,
        }
    if m.input == "tenure_years":
        hired = emp["hire_date"].iloc[rows].reset_index(drop=True)
        value = (months_between(hired, as_of) / 12.0).to_numpy(float)
        unit, item = "years", "tenure_years"
    else:
        value = extra.values(str(m.input), m.ref or "", emp["employee_id"].to_numpy()[rows])
        unit, item = "score", str(m.ref)
    return {
        "value": value,
        "numerator": np.full(n, np.nan),
        "denominator": np.full(n, np.nan),
        "sample_size": (~np.isnan(value)).astype("int64"),
        "unit": unit,
        "item": item,
    }


def _peer_mean(f: Mapping[str, pd.Series], groups: list[pd.Series]) -> pd.Series:
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


class _PeerGroups:
    """Group numbers of a scorecard's members by a list of peer keys (the scorecard's own peer
    group when the list is empty), computed once per list."""

    def __init__(self, members: pd.DataFrame, card: Scorecard) -> None:
        self.members, self.card = members, card
        self.codes: dict[tuple[str, ...], list[pd.Series]] = {}

    def __call__(self, keys: tuple[str, ...]) -> list[pd.Series]:
        keys = keys or self.card.peer_group
        if keys not in self.codes:
            by = {str(i): k for i, k in enumerate(_groups(self.members, keys))}
            g = pd.DataFrame(by).groupby(list(by), dropna=False, sort=False)
            self.codes[keys] = [pd.Series(g.ngroup().to_numpy())]
        return self.codes[keys]


def _score_item(
    m: Measure, group_of: Callable[[tuple[str, ...]], list[pd.Series]], vals: dict[str, object]
) -> dict[str, object]:
    """raw_value, value, status, points and the scoring evidence of one item, as columns over
    the scorecard's members (``group_of(keys)``: the grouping keys of a peer group)."""
    lower = m.direction == "lower_better"
    n = len(vals["value"])  # type: ignore[arg-type]
    value = pd.Series(vals["value"], dtype=float)
    sample = pd.Series(vals["sample_size"])
    f: dict[str, object] = dict(vals)
    f["raw_value"] = value.to_numpy()
    f["min_sample"] = float(m.min_sample) if m.min_sample is not None else np.nan
    f["shrink_k"] = float(m.shrink_k) if m.shrink_k is not None else np.nan
    f["peer_mean"] = np.nan
    missing = value.isna().to_numpy()
    status = np.where(missing, EXCLUDED_MISSING, SCORED).astype(np.int8)
    if m.min_sample is not None:
        small = ~missing & (sample < m.min_sample).to_numpy()
        if m.below_min_sample == "exclude":
            status[small] = EXCLUDED_SAMPLE
        else:
            cols = {
                "value": value,
                "numerator": pd.Series(vals["numerator"]),
                "denominator": pd.Series(vals["denominator"]),
                "sample_size": sample,
            }
            mean = _peer_mean(cols, group_of(()))
            nn, k = sample.astype(float), float(m.shrink_k or 0)
            shrunk = (nn * value + k * mean) / (nn + k)
            f["peer_mean"] = mean.where(small).to_numpy()
            value = shrunk.where(small, value)
            status[small] = SHRUNK
    f["value"] = value.to_numpy()
    f["status"] = status
    live = value.where(status <= SHRUNK)
    f["floor"] = np.nan if m.floor is None else float(m.floor)
    f["target"] = np.nan if m.target is None else float(m.target)
    f["band"] = f["peers"] = f["worst"] = f["best"] = np.nan
    method = m.scoring.method
    f["method"] = method
    if isinstance(m.scoring, Bands):
        points, band = pts.bands(live, m.scoring, lower)
        f["band"] = band.to_numpy()
        template = np.where(band.isna(), TEMPLATE["bands_otherwise"], TEMPLATE["bands"])
    elif isinstance(m.scoring, Percentile | MinMax):
        keys = group_of(m.scoring.group or ())
        f["peers"] = live.groupby(keys, dropna=False, sort=False).transform("count").to_numpy()
        if isinstance(m.scoring, Percentile):
            points = pts.percentile(live, keys, lower)
        else:
            points, worst, best = pts.minmax(live, keys, lower)
            f["worst"], f["best"] = worst.to_numpy(), best.to_numpy()
        template = np.full(n, TEMPLATE[method], dtype=np.int8)
    else:
        points = pts.linear(live, float(m.floor or 0), float(m.target or 0))
        template = np.full(n, TEMPLATE["linear"], dtype=np.int8)
    # 100 × 0.24 / 0.30 is 79.99999999999999 in binary floating point: round so that a band or
    # threshold at 80 means what the author wrote
    f["points"] = points.astype(float).round(ROUND).to_numpy()
    f["template"] = np.where(status == SCORED, template, STATUS_TEMPLATE[status]).astype(np.int8)
    return f


def _group_sum(values: pd.Series, key: np.ndarray) -> pd.Series:
    """Σ of ``values`` over the rows sharing ``key``, on every row."""
    return values.groupby(key, sort=False).transform("sum")


def _weights(items: dict[str, np.ndarray], dim_key: np.ndarray, emp_key: np.ndarray) -> None:
    """Effective weights after renormalizing away excluded items and empty dimensions. Rows are
    in (employee, dimension, item) order; ``dim_key``/``emp_key`` number the employee ×
    dimension and employee groups."""
    inc = items["status"] <= SHRUNK
    w = pd.Series(items["nominal_weight"]).where(inc, 0.0)
    dim_sum = _group_sum(w, dim_key)
    in_dim = (w / dim_sum.where(dim_sum > 0)).fillna(0.0)
    dim_w = pd.Series(items["dimension_weight"]).where(dim_sum > 0, 0.0)
    # a dimension's weight counts once per employee, not once per item
    first = np.ones(len(dim_key), dtype=bool)
    first[1:] = dim_key[1:] != dim_key[:-1]
    total_w = _group_sum(dim_w.where(first, 0.0), emp_key)
    dim_eff = (dim_w / total_w.where(total_w > 0)).fillna(0.0)
    items["dimension_effective_weight"] = (100.0 * dim_eff).to_numpy()
    items["weight_in_dimension"] = (100.0 * in_dim).to_numpy()
    weight = 100.0 * in_dim * dim_eff
    items["weight"] = weight.to_numpy()
    points = pd.Series(items["points"])
    items["contribution"] = (points.fillna(0.0) * weight / 100.0).where(inc, 0.0).to_numpy()


ITEM_COLUMNS = [
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
    "dimension_weight",
    "template",
]


# the items table after its employee columns, up to the explanation
ITEM_TABLE = [
    "dimension_index",
    "dimension",
    "item_index",
    *ITEM_COLUMNS[: ITEM_COLUMNS.index("nominal_weight") + 1],
    "weight_in_dimension",
    "dimension_weight",
    "dimension_effective_weight",
    "weight",
    "contribution",
    "template",
]


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

    Column-wise: one pass per scorecard item over that scorecard's members, then one frame of
    every item row, built directly in (employee, dimension, item) order.
    """
    emp = roster_frame(policy, roster)
    if as_of is None:
        as_of = period_last_day(kpis, period_label, policy.time_zone)
    if as_of is None:
        raise ValueError(f"no KPI rows for period {period_label!r}: pass as_of explicitly")
    used = sorted(
        {m.kpi for c in policy.scorecards for d in c.dimensions for m in d.items if m.kpi}
    )
    kpi = kpi_columns(kpis, period_label, used, emp["employee_id"].to_numpy())
    extra = extra_lookup(extra_inputs)
    parts: list[dict[str, object]] = []
    n_items = max((len(d.items) for c in policy.scorecards for d in c.dimensions), default=1)
    n_dims = max((len(c.dimensions) for c in policy.scorecards), default=1)
    card_of = emp["scorecard"].to_numpy()
    for card in policy.scorecards:
        rows = np.flatnonzero(card_of == card.code)
        if not len(rows):
            continue
        members = emp.iloc[rows].reset_index(drop=True)
        group_of = _PeerGroups(members, card)
        for di, dim in enumerate(card.dimensions):
            for ii, m in enumerate(dim.items):
                f = _score_item(m, group_of, _measure_values(m, rows, emp, kpi, extra, as_of))
                f["erow"] = rows
                f["order"] = rows * (n_dims * n_items) + di * n_items + ii
                f["dimension_index"], f["dimension"] = di, dim.code
                f["item_index"], f["input"], f["ref"] = ii, m.input or "kpi", m.ref or ""
                f["nominal_weight"], f["dimension_weight"] = m.weight, dim.weight
                parts.append(f)
    if not parts:
        raise ValueError("no employee of the roster holds a position of this policy")
    for i, f in enumerate(parts):
        f["part"] = i
    # the item's own strings (its name, unit, dimension …) are one value per part: not stacked
    numeric = [c for c in ITEM_COLUMNS if c not in PER_ITEM]
    items = _stack(parts, ["erow", "order", "part", "dimension_index", "item_index", *numeric])
    order = np.argsort(items["order"], kind="stable")
    items = {k: v[order] for k, v in items.items()}
    erow = items["erow"]
    dim_key = erow * n_dims + items["dimension_index"]
    _weights(items, dim_key, erow)
    explanation: pa.Array | None = None
    if explain:
        fields = ["numerator", "denominator", "raw_value", "value", "points", "floor", "target"]
        fields += ["weight", "contribution", "band", "peers", "worst", "best", "sample_size"]
        fields += ["min_sample", "peer_mean", "shrink_k", "part"]
        columns = {c: items[c] for c in fields}
        columns["template_code"] = items["template"]
        columns["template"] = np.array(TEMPLATES, dtype=object)[items["template"]]
        for c in ("item", "unit"):
            columns[c] = _per_part(parts, c)[items["part"]]
        # one scorecard item has one item and unit: group by its number and the template
        explanation = item_sentences_arrow(columns, group_by=("part", "template_code"))
    return _assemble(policy, period_label, emp, items, parts, explanation, dim_key)


PER_ITEM = ("dimension", "item", "input", "ref", "unit", "method")


def _per_part(parts: list[dict[str, object]], column: str) -> np.ndarray:
    """A per-item string column, one element per part (index it with the rows' part numbers)."""
    return np.array([p[column] for p in parts], dtype=object)


def _stack(parts: list[dict[str, object]], columns: list[str]) -> dict[str, np.ndarray]:
    """One array per column from the per-item columns (scalars repeated), with the dtype pandas
    gives concatenated frames (ints and floats together become floats)."""
    sizes = [len(p["erow"]) for p in parts]  # type: ignore[arg-type]
    out: dict[str, np.ndarray] = {}
    for c in columns:
        arrays = []
        for p, size in zip(parts, sizes, strict=True):
            v = p[c]
            if isinstance(v, np.ndarray):
                arrays.append(v)
            else:
                arrays.append(np.full(size, v))
        out[c] = np.concatenate(arrays)
    return out


def _assemble(
    policy: Policy,
    period_label: str,
    emp: pd.DataFrame,
    items: dict[str, np.ndarray],
    parts: list[dict[str, object]],
    explanation: pa.Array | None,
    dim_key: np.ndarray,
) -> Scorecards:
    erow, part = items["erow"], items["part"]
    n = len(erow)

    @functools.cache
    def of_emp(column: str) -> pa.Array:  # an employee column in Arrow, converted once
        return pa.array(emp[column].to_numpy(), pa.string(), from_pandas=True)

    inc = pd.Series(items["status"] <= SHRUNK)
    samples_counted = pd.Series(items["sample_size"]).where(inc, 0)
    counted = inc.astype("int64")
    wp = pd.Series(items["points"]).fillna(0.0) * items["weight_in_dimension"] / 100.0
    first = np.ones(n, dtype=bool)
    first[1:] = dim_key[1:] != dim_key[:-1]
    score_sum = wp.groupby(dim_key, sort=True).sum().to_numpy()
    items_counted = counted.groupby(dim_key, sort=True).sum().to_numpy()
    dim_score = np.where(items_counted > 0, np.round(score_sum, ROUND), np.nan)
    effective = items["dimension_effective_weight"][first]
    contribution = dim_score * effective / 100.0
    dims = erow[first]
    dimensions = table_like_pandas(
        {
            "period": pa.repeat(pa.scalar(period_label, pa.string()), len(dims)),
            "employee_id": of_emp("employee_id").take(pa.array(dims)),
            "scorecard": of_emp("scorecard").take(pa.array(dims)),
            "dimension_index": items["dimension_index"][first],
            "dimension": strings_by_code([p["dimension"] for p in parts], part[first]),
            "nominal_weight": items["dimension_weight"][first],
            "effective_weight": effective,
            "score": dim_score,
            "contribution": np.where(np.isnan(contribution), 0.0, contribution),
        }
    )
    scored = np.unique(erow)  # the employees scored, in roster order
    tot = emp.iloc[scored].reset_index(drop=True)
    tot["total"] = pd.Series(items["contribution"]).groupby(erow, sort=True).sum().to_numpy()
    tot["counted"] = counted.groupby(erow, sort=True).sum().to_numpy()
    tot["samples"] = samples_counted.groupby(erow, sort=True).sum().to_numpy()
    tot["total"] = tot["total"].round(ROUND).where(tot["counted"] > 0)
    tot["period"] = period_label
    tot = rate(policy, tot)
    card_groups = {c.code: c.peer_group for c in policy.scorecards}
    tot = rank_in_group(tot, card_groups)
    hired = tot["hire_date"].to_numpy(dtype="datetime64[D]")  # local dates, held as midnights
    totals: dict[str, pa.Array | np.ndarray | pd.Series] = {
        "period": pa.repeat(pa.scalar(period_label, pa.string()), len(tot)),
    }
    for c in ("employee_id", "position", "team", "track", "level"):
        totals[c] = of_emp(c).take(pa.array(scored))
    totals["hire_date"] = pa.array(hired, pa.date32(), from_pandas=True)
    totals["scorecard"] = of_emp("scorecard").take(pa.array(scored))
    totals["total"] = tot["total"].to_numpy(float)
    totals["samples"] = tot["samples"].to_numpy()
    totals["rating"] = pa.array(tot["rating"].to_numpy(), pa.string(), from_pandas=True)
    totals["rating_points"] = tot["rating_points"].to_numpy(float)
    totals["rank"], totals["group_size"] = tot["rank"], tot["group_size"]
    table = table_like_pandas(totals)
    columns: dict[str, pa.Array | np.ndarray] = {
        "period": pa.repeat(pa.scalar(period_label, pa.string()), n),
    }
    for c in ("employee_id", "position", "team", "level", "scorecard"):
        columns[c] = of_emp(c).take(pa.array(erow))
    for c in ITEM_TABLE:
        if c in PER_ITEM:
            columns[c] = strings_by_code([p[c] for p in parts], part)  # one value per item
        elif c == "status":
            columns[c] = strings_by_code(list(STATUSES), items[c])
        elif c == "template":
            columns[c] = strings_by_code(list(TEMPLATES), items[c])
        else:
            columns[c] = items[c]
    columns["explanation"] = (
        explanation if explanation is not None else pa.repeat(pa.scalar("", pa.string()), n)
    )
    # items and dimensions are built in key order already: no sort needed
    return Scorecards(
        period=period_label,
        items=table_like_pandas(columns),
        dimensions=dimensions,
        totals=table.take(pc.sort_indices(table, sort_keys=[("employee_id", "ascending")])),
    )
