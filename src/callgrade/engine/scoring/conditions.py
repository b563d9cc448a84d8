"""Evaluate grading conditions for every employee at once.

Each evaluation returns a frame indexed like the employee frame with ``holds`` (bool),
``actual`` (the measured figure), ``required`` (e.g. ">= 90"), ``gap`` (how far from holding,
0 when it holds, NaN when not numeric) and ``evidence`` (one English sentence).
"""

from __future__ import annotations

import datetime as dt
import operator
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from callgrade.engine.kpis.registry import REGISTRY
from callgrade.engine.policy.model import (
    CompetencyCondition,
    CountCondition,
    KpiCondition,
    RankPercentile,
    RankPosition,
    RatingCountCondition,
    ScoreCondition,
    TenureCondition,
    TrainingCondition,
)
from callgrade.engine.scoring import vformat as vf
from callgrade.engine.scoring.explain import LABELS
from callgrade.engine.scoring.rate import quota_size

OPS: dict[str, Callable[[pd.Series, float], pd.Series]] = {
    ">=": operator.ge,
    ">": operator.gt,
    "<=": operator.le,
    "<": operator.lt,
    "==": operator.eq,
    "!=": operator.ne,
}


@dataclass(frozen=True)
class Context:
    """Everything conditions read, aligned on the employee frame ``emp`` (one row each).

    ``totals``/``dims``: the rating periods' scorecard rows; ``counts``: an Arrow table of the
    KPI rows (period, entity_id, kpi, value, numerator, denominator, sample_size) of the same
    periods.
    """

    emp: pd.DataFrame
    totals: pd.DataFrame
    dims: pd.DataFrame
    counts: pa.Table
    cycle_end: dt.date
    level_since: pd.Series
    trainings: pd.DataFrame
    competencies: pd.DataFrame
    peer_groups: dict[str, tuple[str, ...]]
    # what several conditions derive from the same rows, derived once (see _count_rows)
    memo: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)


def _by_emp(ctx: Context, values: pd.Series, fill: float = np.nan) -> pd.Series:
    return ctx.emp["employee_id"].map(values).astype(float).fillna(fill)


# Evidence sentences are built column by column (see vformat): one per employee and condition.
def _join(*pieces: str | pa.Array) -> np.ndarray:
    """Constant strings and Arrow string columns joined row by row, as an object column."""
    return pc.binary_join_element_wise(*pieces, "").to_numpy(zero_copy_only=False)


def _either(use: pd.Series | np.ndarray, text: np.ndarray, otherwise: str) -> np.ndarray:
    return np.where(np.asarray(use, dtype=bool), text, otherwise).astype(object)


def _score1(x: pd.Series | np.ndarray) -> pa.Array:
    """``fmt_value(x, "score")``: one decimal, "n/a" for NaN."""
    return pc.fill_null(vf.fixed(np.asarray(x, dtype=float), 1), "n/a")


def _whole(x: pd.Series | np.ndarray) -> pa.Array:
    """``f"{x:.0f}"`` (null for NaN)."""
    return vf.fixed(np.asarray(x, dtype=float), 0)


def _general(x: pd.Series | np.ndarray) -> pa.Array:
    """``f"{x:g}"``; counts (whole numbers under a million) are formatted as whole columns."""
    v = np.asarray(x, dtype=float)
    with np.errstate(invalid="ignore"):
        simple = np.isfinite(v) & (v == np.floor(v)) & (np.abs(v) < 1e6)
    if simple.all():
        return vf.fixed(v, 0)
    return pa.array([f"{a:g}" for a in v.tolist()], pa.string())


def places(value: float, least: int) -> int:
    """Decimal places to show a threshold ``value`` with, at least ``least``: "needs >= 92.5"
    is compared at one decimal, "needs >= 0.955" at three."""
    text = f"{round(value, 9):.9f}".rstrip("0")
    return max(least, len(text.partition(".")[2]))


@dataclass(frozen=True)
class Shown:
    """Figures as the evidence shows them (``text``, null for NaN) and as those texts read
    (``value``): a condition compares exactly what it shows, so a line can never read "55.0,
    needs >= 55" and fail on the unrounded 54.978."""

    value: pd.Series
    text: pa.Array


def shown(actual: pd.Series | np.ndarray, digits: int, scale: float = 1.0) -> Shown:
    """``actual`` rounded to ``digits`` places after multiplying by ``scale`` (100 for a percent);
    ``value`` is back in the figure's own unit."""
    a = pd.Series(actual, dtype=float)
    text = vf.fixed(a.to_numpy() * scale, digits)
    read = pc.cast(text, pa.float64()).to_numpy(zero_copy_only=False)
    return Shown(pd.Series(read / scale, index=a.index), text)


def _frame(
    ctx: Context,
    holds: pd.Series,
    actual: pd.Series,
    op: str,
    value: float,
    evidence: np.ndarray,
    digits: int | None = None,
) -> pd.DataFrame:
    gap = pd.Series(np.nan, index=ctx.emp.index)
    if op in (">=", ">"):
        gap = (value - actual).clip(lower=0)
    elif op in ("<=", "<"):
        gap = (actual - value).clip(lower=0)
    gap = gap.where(~holds, 0.0)
    if digits is not None:  # the difference of two shown figures, without float noise
        gap = gap.round(digits)
    return pd.DataFrame(
        {
            "holds": holds.fillna(False).astype(bool),
            "actual": actual.astype(float),
            "required": f"{op} {value:g}",
            "gap": gap,
            "evidence": evidence,
        },
        index=ctx.emp.index,
    )


def _every_period(
    ctx: Context, long: pd.DataFrame, column: str, op: str, value: float
) -> tuple[pd.Series, pd.Series]:
    """Holds in every period present (at least one); actual = the worst period's figure."""
    ok = OPS[op](long[column], value) & long[column].notna()
    holds_all = ok.groupby(long["employee_id"]).all()
    worst = (
        long.groupby("employee_id")[column].max()
        if op in ("<=", "<")
        else long.groupby("employee_id")[column].min()
    )
    holds = ctx.emp["employee_id"].isin(holds_all.index[holds_all.to_numpy(bool)])
    return holds, _by_emp(ctx, worst)


def _kpi_display(code: str, value: float) -> tuple[int, float, str, str]:
    """How a KPI condition shows its figures: (decimals, scale, suffix, threshold text). Rates
    are percents with one decimal, counts whole numbers, anything else one decimal; a threshold
    given more precisely is shown (and compared) as precisely."""
    unit = REGISTRY[code].unit if code in REGISTRY else ""
    if unit == "ratio":
        digits = places(value * 100, 1)
        return digits, 100.0, "%", f"{value * 100:.{digits}f}%"
    digits = places(value, 0 if unit == "count" else 1)
    return digits, 1.0, "", f"{value:.{digits}f}"


def kpi(ctx: Context, c: KpiCondition) -> pd.DataFrame:
    rows = ctx.counts.filter(pc.equal(ctx.counts.column("kpi"), c.kpi)).to_pandas()
    label = LABELS.get(c.kpi, c.kpi)
    digits, scale, suffix, need = _kpi_display(c.kpi, c.value)
    gap_digits = digits + (2 if scale == 100 else 0)  # a percent's places, in the rate's unit
    if c.window == "rating_period":
        long = rows.rename(columns={"entity_id": "employee_id"})
        if c.min_sample is not None:
            long = long.assign(value=long["value"].where(long["sample_size"] >= c.min_sample))
        long = long.assign(value=shown(long["value"].to_numpy(), digits, scale).value.to_numpy())
        holds, worst = _every_period(ctx, long, "value", c.op, c.value)
        at = shown(worst, digits, scale)
        ev = _join(
            f"{label} in its worst rating period ",
            _unit(at.text, suffix),
            f", needs {c.op} {need}",
        )
        return _frame(ctx, holds, at.value, c.op, c.value, ev, gap_digits)
    g = rows.groupby("entity_id")
    num, den = g["numerator"].sum(min_count=1), g["denominator"].sum(min_count=1)
    n = g["sample_size"].sum()
    weighted = (rows["value"] * rows["sample_size"]).groupby(rows["entity_id"]).sum(min_count=1)
    value = (num / den.where(den != 0)).fillna(weighted / n.where(n != 0))
    at = shown(_by_emp(ctx, value), digits, scale)
    samples = _by_emp(ctx, n, 0.0)
    holds = OPS[c.op](at.value, c.value) & at.value.notna()
    if c.min_sample is not None:
        holds &= samples >= c.min_sample
    ev = _join(
        f"{label} over the grading period ",
        _unit(at.text, suffix),
        " on ",
        vf.fixed(samples.to_numpy(float), 0, grouping=True),
        f" samples, needs {c.op} {need}",
    )
    return _frame(ctx, holds, at.value, c.op, c.value, ev, gap_digits)


def _unit(text: pa.Array, suffix: str) -> pa.Array:
    """Shown figures with their unit, "n/a" where there is none."""
    if suffix:
        text = pc.binary_join_element_wise(text, suffix, "")
    return pc.fill_null(text, "n/a")


def score(ctx: Context, c: ScoreCondition) -> pd.DataFrame:
    if c.of == "total":
        long = ctx.totals[["employee_id", "period", "total"]].rename(columns={"total": "s"})
        what = "score"
    else:
        d = ctx.dims[ctx.dims["dimension"] == c.of]
        long = d[["employee_id", "period", "score"]].rename(columns={"score": "s"})
        what = f"'{c.of}' score"
    digits = places(c.value, 1)
    if c.window == "rating_period":
        long = long.assign(s=shown(long["s"].to_numpy(), digits).value.to_numpy())
        holds, worst = _every_period(ctx, long, "s", c.op, c.value)
        at = shown(worst, digits)
        where = "in its worst rating period"
    else:
        at = shown(_by_emp(ctx, long.groupby("employee_id")["s"].mean()), digits)
        holds = OPS[c.op](at.value, c.value) & at.value.notna()
        where = "averaged over the grading period"
    ev = _join(f"{what} {where} ", _unit(at.text, ""), f", needs {c.op} {c.value:.{digits}f}")
    return _frame(ctx, holds, at.value, c.op, c.value, ev, digits)


def _ranking(ctx: Context, by: str, group: tuple[str, ...] | None) -> pd.DataFrame:
    """Rank (1 = best) and group size by accumulated rating points or mean score; ties → more
    samples, then the smaller employee id."""
    if "ranking_measures" not in ctx.memo:  # every rank condition reads the same sums
        ctx.memo["ranking_measures"] = ctx.totals.groupby("employee_id").agg(
            points=("rating_points", "sum"), score=("total", "mean"), samples=("samples", "sum")
        )
    agg = ctx.memo["ranking_measures"]
    e = ctx.emp[["employee_id", "scorecard", "position", "queue", "team", "track", "level"]].copy()
    measure = "points" if by == "rating_points" else "score"
    e["m"] = e["employee_id"].map(agg[measure]).astype(float)
    e["samples"] = e["employee_id"].map(agg["samples"]).fillna(0).astype(float)
    e = e[e["m"].notna()]
    out = pd.DataFrame({"rank": np.nan, "n": np.nan, "m": np.nan}, index=ctx.emp.index)
    if not len(e):
        return out
    e["keys"] = e["scorecard"].map(lambda s: group or ctx.peer_groups[s])
    for keys in sorted(set(e["keys"])):
        part = e[e["keys"] == keys]
        cols = ["scorecard", *keys]
        s = part.sort_values(
            [*cols, "m", "samples", "employee_id"],
            ascending=[True] * len(cols) + [False, False, True],
            kind="mergesort",
        )
        g = s.groupby(cols, sort=False, dropna=False)
        out.loc[s.index, "rank"] = (g.cumcount() + 1).to_numpy(float)
        out.loc[s.index, "n"] = g["employee_id"].transform("size").to_numpy(float)
        out.loc[s.index, "m"] = s["m"].to_numpy(float)
    return out


def rank(ctx: Context, c: RankPercentile | RankPosition) -> pd.DataFrame:
    r = _ranking(ctx, c.by, c.group)
    n = r["n"].fillna(0)
    if isinstance(c, RankPercentile):
        k = pd.Series(quota_size(n, c.top if c.top is not None else c.bottom or 0), index=n.index)
        what = f"{'top' if c.top is not None else 'bottom'} {c.top or c.bottom:g}%"
    else:
        k = np.minimum(n, c.top if c.top is not None else c.bottom or 0)
        what = f"{'first' if c.top is not None else 'last'} {c.top or c.bottom}"
    if c.top is not None:
        holds = r["rank"] <= k
        gap = (r["rank"] - k).clip(lower=0)
    else:
        holds = r["rank"] > n - k
        gap = (n - k + 1 - r["rank"]).clip(lower=0)
    holds = holds & r["rank"].notna()
    by = "rating points" if c.by == "rating_points" else "mean score"
    ranked = _join(
        "rank ",
        _whole(r["rank"]),
        " of ",
        _whole(n),
        f" by {by} (",
        _score1(r["m"]),
        f"), needs the {what} (",
        _whole(k),
        " people)",
    )
    ev = _either(r["rank"].notna(), ranked, f"not ranked (no {by}), needs the {what}")
    return pd.DataFrame(
        {
            "holds": holds.astype(bool),
            "actual": r["rank"],
            "required": what,
            "gap": gap.where(~holds, 0.0),
            "evidence": ev,
        },
        index=ctx.emp.index,
    )


@dataclass(frozen=True)
class _CountRows:
    """The count rows laid out once per grading: each row's employee (index into ``emp``, -1 for
    someone not graded), period (index into ``periods``), KPI code and value (NaN as 0, as a
    sum skips it)."""

    who: np.ndarray
    when: np.ndarray
    periods: list[str]
    kpi: np.ndarray
    kpis: pd.Index
    value: np.ndarray


def _nan_as_zero(v: np.ndarray) -> np.ndarray:
    return np.where(np.isnan(v), 0.0, v)


def _count_rows(ctx: Context) -> _CountRows:
    if "count_rows" not in ctx.memo:
        cnt = ctx.counts
        found = pc.unique(cnt.column("period")).drop_null().to_pylist()
        periods = sorted(set(ctx.totals["period"]) | set(found))
        kpi = pc.dictionary_encode(cnt.column("kpi")).combine_chunks()

        def index_in(column: str, values: list[str]) -> np.ndarray:
            at = pc.index_in(cnt.column(column), value_set=pa.array(values, pa.string()))
            return pc.fill_null(at, -1).to_numpy().astype(np.int64)

        ctx.memo["count_rows"] = _CountRows(
            who=index_in("entity_id", ctx.emp["employee_id"].tolist()),
            when=index_in("period", periods),
            periods=periods,
            kpi=pc.fill_null(kpi.indices, -1).to_numpy().astype(np.int64),
            kpis=pd.Index(kpi.dictionary.to_pylist()),
            value=_nan_as_zero(pc.fill_null(cnt.column("value"), 0.0).to_numpy()),
        )
    out: _CountRows = ctx.memo["count_rows"]
    return out


def count(ctx: Context, c: CountCondition) -> pd.DataFrame:
    rows = _count_rows(ctx)
    codes = rows.kpis.get_indexer(list(c.of))
    picked = np.isin(rows.kpi, codes[codes >= 0])
    # employees × periods; an employee without a row in a period counts 0 there
    grid = np.zeros((len(ctx.emp), len(rows.periods)))
    known = picked & (rows.who >= 0) & (rows.when >= 0)
    np.add.at(grid, (rows.who[known], rows.when[known]), rows.value[known])
    what = " + ".join(c.of).replace("_", " ")
    if c.per == "grading_period":
        actual = pd.Series(grid.sum(axis=1), index=ctx.emp.index)
        holds = OPS[c.op](actual, c.value)
        ev = _join(
            f"{what}: ", _general(actual), f" in the grading period, needs {c.op} {c.value:g}"
        )
        return _frame(ctx, holds, actual, c.op, c.value, ev)
    # every month of the grading period: the rated months and any month with a row of these KPIs
    months = set(ctx.totals["period"]) | {rows.periods[i] for i in np.unique(rows.when[picked])}
    cols = [i for i, p in enumerate(rows.periods) if p in months]
    grid = grid[:, cols] if cols else np.zeros((len(ctx.emp), 1))
    ok = OPS[c.op](grid, c.value).all(axis=1)
    holds = pd.Series(ok, index=ctx.emp.index)
    worst = grid.max(axis=1) if c.op in ("<=", "<") else grid.min(axis=1)
    actual = pd.Series(worst, index=ctx.emp.index)
    ev = _join(
        f"{what}: ", _general(actual), f" in the worst month, needs {c.op} {c.value:g} every month"
    )
    return _frame(ctx, holds, actual, c.op, c.value, ev)


def tenure(ctx: Context, c: TenureCondition, months: pd.Series) -> pd.DataFrame:
    digits = places(c.months, 0)
    at = shown(months, digits)
    need = f"needs {c.op} {c.months:.{digits}f}"
    holds = OPS[c.op](at.value, c.months) & at.value.notna()
    known = _join(_unit(at.text, ""), f" months at the {c.at}, {need}")
    ev = _either(at.value.notna(), known, f"no start date for the {c.at}, {need} months")
    return _frame(ctx, holds, at.value, c.op, c.months, ev, digits)


def training(ctx: Context, c: TrainingCondition) -> pd.DataFrame:
    t = ctx.trainings
    done = t[t["training"].isin(list(c.completed))].drop_duplicates(["employee_id", "training"])
    have = _by_emp(ctx, done.groupby("employee_id")["training"].size(), 0.0)
    need = len(set(c.completed))
    holds = have >= need
    names = ", ".join(c.completed)
    ev = _join("completed ", _whole(have), f" of {need} required ({names})")
    return pd.DataFrame(
        {
            "holds": holds,
            "actual": have,
            "required": f"all of {names}",
            "gap": (need - have).clip(lower=0),
            "evidence": ev,
        },
        index=ctx.emp.index,
    )


def competency(ctx: Context, c: CompetencyCondition) -> pd.DataFrame:
    rows = ctx.competencies[ctx.competencies["competency"] == c.competency]
    digits = places(c.value, 1)
    at = shown(_by_emp(ctx, rows.set_index("employee_id")["score"]), digits)
    holds = OPS[c.op](at.value, c.value) & at.value.notna()
    label = c.competency.replace("_", " ")
    need = f"needs {c.op} {c.value:.{digits}f}"
    assessed = _join(f"{label} assessed ", _unit(at.text, ""), f", {need}")
    ev = _either(at.value.notna(), assessed, f"{label} not assessed, {need}")
    return _frame(ctx, holds, at.value, c.op, c.value, ev, digits)


def rating_count(ctx: Context, c: RatingCountCondition) -> pd.DataFrame:
    if "totals_who" not in ctx.memo:  # each scorecard row's employee, found once
        ctx.memo["totals_who"] = pd.Index(ctx.emp["employee_id"]).get_indexer(
            ctx.totals["employee_id"]
        )
    who = ctx.memo["totals_who"]
    hit = ctx.totals["rating"].isin(list(c.ratings)).to_numpy() & (who >= 0)
    times = np.bincount(who[hit], minlength=len(ctx.emp)).astype(float)
    actual = pd.Series(times, index=ctx.emp.index)
    holds = OPS[c.op](actual, c.value)
    codes = "/".join(c.ratings)
    ev = _join(f"rated {codes} ", _general(actual), f" times, needs {c.op} {c.value}")
    return _frame(ctx, holds, actual, c.op, float(c.value), ev)
