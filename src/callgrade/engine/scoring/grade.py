"""Grading decisions at the end of a grading period: demotion first (any condition), then
promotion (all conditions, with the target level's indicator table), then retraining; probation
and at most ``max_steps_per_cycle`` steps. Conditions are evaluated column-wise for everyone."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Sequence

import numpy as np
import pandas as pd
import pyarrow as pa

from callgrade.engine.policy import Policy
from callgrade.engine.policy.model import (
    CompetencyCondition,
    Condition,
    CountCondition,
    GradingRules,
    IndicatorsCondition,
    KpiCondition,
    Ladder,
    RankPercentile,
    RankPosition,
    RatingCountCondition,
    ScoreCondition,
    TenureCondition,
    TrainingCondition,
)
from callgrade.engine.scoring import conditions as cond
from callgrade.engine.scoring.counts import count_rows
from callgrade.engine.scoring.inputs import (
    hire_dates,
    months_between,
    roster_frame,
)
from callgrade.engine.scoring.results import Decisions, Scorecards, to_arrow

GRAIN_MONTHS = {"month": 1, "quarter": 3, "half": 6, "year": 12}


def add_months_column(days: pd.Series, months: int) -> pd.Series:
    """``days + pd.DateOffset(months=months)`` for a column of dates (midnights): the same day of
    the month ``months`` later, the month's last day when it is shorter; NaT stays NaT."""
    d = days.to_numpy(dtype="datetime64[D]")
    missing = np.isnat(d)
    d = np.where(missing, np.datetime64("1970-01-01", "D"), d)
    month = d.astype("datetime64[M]")
    day = (d - month.astype("datetime64[D]")).astype(np.int64)  # 0-based
    target = month + months
    length = ((target + 1).astype("datetime64[D]") - target.astype("datetime64[D]")).astype(int)
    out = target.astype("datetime64[D]") + np.minimum(day, length - 1)
    out = np.where(missing, np.datetime64("NaT", "D"), out).astype("datetime64[ns]")
    return pd.Series(out, index=days.index)


def add_months(d: dt.date, months: int) -> dt.date:
    idx = d.year * 12 + d.month - 1 + months
    y, m = divmod(idx, 12)
    m += 1
    last = (dt.date(y + (m == 12), m % 12 + 1, 1) - dt.timedelta(days=1)).day
    return dt.date(y, m, min(d.day, last))


def cycle_start(policy: Policy, cycle_end: dt.date) -> dt.date:
    """First day of the grading period that ends on ``cycle_end``."""
    grain = policy.cycle.grading_period
    if grain in GRAIN_MONTHS:
        return add_months(cycle_end + dt.timedelta(days=1), -GRAIN_MONTHS[grain])
    return cycle_end - dt.timedelta(days=6 if grain == "week" else 0)


def describe(c: Condition) -> str:
    """Short English name of a condition for the criteria table."""
    if isinstance(c, KpiCondition):
        return f"{c.kpi} {c.op} {c.value:g} ({c.window.replace('_', ' ')})"
    if isinstance(c, ScoreCondition):
        return f"{c.of} score {c.op} {c.value:g} ({c.window.replace('_', ' ')})"
    if isinstance(c, RankPercentile):
        end = f"top {c.top:g}%" if c.top is not None else f"bottom {c.bottom:g}%"
        return f"{end} by {c.by.replace('_', ' ')}"
    if isinstance(c, RankPosition):
        end = f"first {c.top}" if c.top is not None else f"last {c.bottom}"
        return f"{end} by {c.by.replace('_', ' ')}"
    if isinstance(c, CountCondition):
        return f"{' + '.join(c.of)} {c.op} {c.value:g} per {c.per.replace('_', ' ')}"
    if isinstance(c, TenureCondition):
        return f"tenure at {c.at} {c.op} {c.months:g} months"
    if isinstance(c, TrainingCondition):
        return f"completed {', '.join(c.completed)}"
    if isinstance(c, CompetencyCondition):
        return f"{c.competency} {c.op} {c.value:g}"
    if isinstance(c, RatingCountCondition):
        return f"rated {'/'.join(c.ratings)} {c.op} {c.value} times"
    return "indicators met" if c.met else "indicators not met"


class _Evaluator:
    def __init__(self, ctx: cond.Context) -> None:
        self.ctx = ctx
        self._cache: dict[str, pd.DataFrame] = {}
        emp = ctx.emp
        self.tenure = {
            "company": months_between(emp["hire_date"], ctx.cycle_end),
            "position": months_between(emp["hire_date"], ctx.cycle_end),
            "level": months_between(ctx.level_since, ctx.cycle_end),
        }

    def one(self, c: Condition) -> pd.DataFrame:
        key = repr(c)
        if key not in self._cache:
            self._cache[key] = self._run(c)
        return self._cache[key]

    def _run(self, c: Condition) -> pd.DataFrame:
        ctx = self.ctx
        if isinstance(c, KpiCondition):
            return cond.kpi(ctx, c)
        if isinstance(c, ScoreCondition):
            return cond.score(ctx, c)
        if isinstance(c, RankPercentile | RankPosition):
            return cond.rank(ctx, c)
        if isinstance(c, CountCondition):
            return cond.count(ctx, c)
        if isinstance(c, TenureCondition):
            return cond.tenure(ctx, c, self.tenure[c.at])
        if isinstance(c, TrainingCondition):
            return cond.training(ctx, c)
        if isinstance(c, CompetencyCondition):
            return cond.competency(ctx, c)
        if isinstance(c, RatingCountCondition):
            return cond.rating_count(ctx, c)
        raise TypeError(f"indicators are expanded by the caller, not evaluated alone: {c!r}")


Required = dict[tuple[str, str], dict[str, float]]  # (position, level) → competency → minimum


def required_proficiency(policy: Policy, rules: GradingRules) -> Required:
    """The competency proficiency each position of ``rules`` requires at each level."""
    return {
        (p.code, r.level): dict(r.requires)
        for p in policy.positions
        if p.code in rules.positions
        for r in p.competencies
    }


def _criteria(
    ev: _Evaluator,
    rules: GradingRules,
    which: str,
    conditions: Sequence[Condition],
    level: pd.Series,
    mask: pd.Series,
    required: Required | None = None,
) -> tuple[pd.Series, pd.Series, list[pd.DataFrame]]:
    """Evaluate a condition list for the employees in ``mask``; ``level`` names the indicator table
    each employee is held to, and with ``required`` the competency proficiency their position
    requires at that level (one more condition after the list). Returns (all hold, any holds,
    criteria rows)."""
    index = ev.ctx.emp.index
    all_hold = pd.Series(True, index=index)
    any_hold = pd.Series(False, index=index)
    rows: list[pd.DataFrame] = []
    tables = {t.level: t.indicators for t in rules.levels}
    if required:
        met = pd.Series(True, index=index)
        ci = len(conditions)
        position = ev.ctx.emp["position"]
        for (pos, code), minimums in sorted(required.items()):
            on = mask & (level == code) & (position == pos)
            if not on.any():
                continue
            for ii, (competency, value) in enumerate(minimums.items()):
                need = CompetencyCondition(
                    kind="competency", competency=competency, op=">=", value=value
                )
                r = ev.one(need)
                met = met & (r["holds"] | ~on)
                text = f"{code}: {describe(need)} (required proficiency)"
                rows.append(_rows(ev, r, on, which, ci, f"{ci}.{pos}.{ii}", text))
        all_hold &= met
    for ci, c in enumerate(conditions):
        if isinstance(c, IndicatorsCondition):
            met = pd.Series(True, index=index)
            for code in sorted(set(level[mask].dropna())):
                on = mask & (level == code)
                for ii, sub in enumerate(tables.get(code, ())):
                    r = ev.one(sub)
                    met = met & (r["holds"] | ~on)
                    rows.append(
                        _rows(ev, r, on, which, ci, f"{ci}.{ii}", f"{code}: {describe(sub)}")
                    )
            holds = met if c.met else ~met
        else:
            r = ev.one(c)
            holds = r["holds"]
            rows.append(_rows(ev, r, mask, which, ci, str(ci), describe(c)))
        all_hold &= holds
        any_hold |= holds
    return all_hold & mask, any_hold & mask, rows


def _rows(
    ev: _Evaluator, r: pd.DataFrame, mask: pd.Series, which: str, ci: int, ref: str, text: str
) -> pd.DataFrame:
    sel = r[mask].copy()
    sel.insert(0, "employee_id", ev.ctx.emp.loc[mask, "employee_id"])
    sel.insert(1, "rule", which)
    sel.insert(2, "condition_index", ci)
    sel.insert(3, "condition_ref", ref)
    sel.insert(4, "condition", text)
    return sel


def _concat_scorecards(history: Sequence[Scorecards]) -> tuple[pd.DataFrame, pd.DataFrame]:
    if not history:
        raise ValueError("grading needs the scorecards of at least one rating period")
    totals = pd.concat([h.totals.to_pandas() for h in history], ignore_index=True)
    dims = pd.concat([h.dimensions.to_pandas() for h in history], ignore_index=True)
    return totals, dims


def _grading_kpis(policy: Policy) -> list[str]:
    """The KPIs any grading condition reads (KPI conditions and counts)."""
    codes: set[str] = set()
    for rules in policy.grading:
        blocks = [lv.indicators for lv in rules.levels]
        blocks += [rules.promotion.all] if rules.promotion else []
        blocks += [rules.demotion.any] if rules.demotion else []
        blocks += [rules.retraining.any] if rules.retraining else []
        for c in itertools.chain.from_iterable(blocks):
            if isinstance(c, KpiCondition):
                codes.add(c.kpi)
            elif isinstance(c, CountCondition):
                codes.update(c.of)
    return sorted(codes)


def _dated(table: pa.Table | None, cols: list[str], at: str, end: dt.date, tz: str) -> pd.DataFrame:
    if table is None or not table.num_rows:
        return pd.DataFrame({c: [] for c in cols})
    df = table.select([*cols, at]).to_pandas()
    day = hire_dates(df[at], tz)
    return df[day <= pd.Timestamp(end)].assign(_at=day)


def grade(
    policy: Policy,
    scorecards_history: Sequence[Scorecards],
    roster: pa.Table,
    counts: pa.Table,
    *,
    cycle_end: dt.date,
    trainings: pa.Table | None = None,
    competencies: pa.Table | None = None,
    level_since: pa.Table | None = None,
) -> Decisions:
    """Decide every employee's action for the grading period ending on ``cycle_end``.

    ``scorecards_history``: the rating periods of the grading period; ``counts``: the KPI long
    table (its rows for those periods are read: counts, and KPI conditions as Σ numerator /
    Σ denominator); ``trainings``: (employee_id, training, completed_at); ``competencies``:
    competency assessments (the latest score up to ``cycle_end`` counts); ``level_since``:
    (employee_id, since) when each employee reached the current level (default: hire date).
    """
    tz = policy.time_zone
    emp = roster_frame(policy, roster)
    totals, dims = _concat_scorecards(scorecards_history)
    cnt = count_rows(counts, set(totals["period"]), _grading_kpis(policy))
    tr = _dated(trainings, ["employee_id", "training"], "completed_at", cycle_end, tz)
    comp = _dated(
        competencies, ["employee_id", "competency", "score"], "assessed_at", cycle_end, tz
    )
    if len(comp):
        comp = comp.sort_values(["employee_id", "competency", "_at", "score"], kind="mergesort")
        comp = comp.drop_duplicates(["employee_id", "competency"], keep="last")
    since = emp["hire_date"]
    if level_since is not None and level_since.num_rows:
        ls = level_since.select(["employee_id", "since"]).to_pandas()
        ls = ls.assign(day=hire_dates(ls["since"], tz))
        # the latest move on or before the cycle end is when the current level began
        latest = ls[ls["day"] <= pd.Timestamp(cycle_end)].groupby("employee_id")["day"].max()
        since = emp["employee_id"].map(latest)
        since = since.fillna(emp["hire_date"])
    ctx = cond.Context(
        emp=emp,
        totals=totals,
        dims=dims,
        counts=cnt,
        cycle_end=cycle_end,
        level_since=since,
        trainings=tr,
        competencies=comp,
        peer_groups={c.code: c.peer_group for c in policy.scorecards},
    )
    ev = _Evaluator(ctx)
    out = pd.DataFrame(
        {
            "employee_id": emp["employee_id"],
            "position": emp["position"],
            "level_from": emp["level"],
            "level_to": emp["level"],
            "action": "hold",
            "retrain": False,
            "steps": 0,
            "rule_set": "",
            "reason": "no grading rules for this position",
        }
    )
    start = cycle_start(policy, cycle_end)
    probation = _probation(policy, emp, start, cycle_end, out)
    criteria: list[pd.DataFrame] = []
    checks: list[pd.DataFrame] = []
    for rules in policy.grading:
        members = emp["position"].isin(list(rules.positions))
        if not members.any():
            continue
        ladder = policy.ladder(policy.position(rules.positions[0]).ladder)
        out.loc[members, "rule_set"] = rules.code
        why, check = _apply(policy, rules, ladder, ev, members, probation, out)
        criteria += why
        checks += check
    empty = pd.DataFrame(columns=["employee_id", "rule", "condition_index", "condition_ref"])
    crit = pd.concat(criteria, ignore_index=True) if criteria else empty
    order = ["employee_id", "rule", "condition_ref"]
    checklist = pd.concat(checks, ignore_index=True) if checks else empty.copy()
    if len(checklist):
        promotion = checklist["rule"] == "promotion"
        checklist["status"] = np.where(
            promotion,
            np.where(checklist["holds"], "met", "missing"),
            np.where(checklist["holds"], "triggered", "clear"),
        )
    label = cycle_end.isoformat()
    out.insert(0, "cycle_end", label)
    return Decisions(
        cycle_end=label,
        decisions=to_arrow(out, ["employee_id"]),
        criteria=to_arrow(crit.assign(cycle_end=label), order),
        checklist=to_arrow(checklist.assign(cycle_end=label), order),
    )


def _probation(
    policy: Policy, emp: pd.DataFrame, start: dt.date, end: dt.date, out: pd.DataFrame
) -> pd.Series:
    """Mark employees still on probation (hold) or whose probation ended in this cycle
    (pass_probation); they are not graded otherwise. Returns who is excluded."""
    p = policy.cycle.probation
    if p is None:
        return pd.Series(False, index=emp.index)
    hired = emp["hire_date"]  # local midnights (roster_frame)
    ends = add_months_column(hired, p.months)
    on = (ends > pd.Timestamp(end)) | (emp["status"] == "probation") & hired.isna()
    ended = ~on & (ends > pd.Timestamp(start)) & (ends <= pd.Timestamp(end)) & p.graded_at_end
    until = np.datetime_as_string(ends[on].to_numpy(dtype="datetime64[D]"))
    out.loc[on, "reason"] = "on probation until " + pd.Series(until).replace("NaT", "?").to_numpy()
    out.loc[ended, "action"] = "pass_probation"
    ended_on = np.datetime_as_string(ends[ended].to_numpy(dtype="datetime64[D]"))
    out.loc[ended, "reason"] = "probation ended on " + pd.Series(ended_on).to_numpy()
    return on | ended


def _apply(
    policy: Policy,
    rules: GradingRules,
    ladder: Ladder,
    ev: _Evaluator,
    members: pd.Series,
    probation: pd.Series,
    out: pd.DataFrame,
) -> tuple[list[pd.DataFrame], list[pd.DataFrame]]:
    """Decide the members of ``rules`` who are not in ``probation``; returns (criteria: why each
    decision, checklist: the next level's every condition for every member with a level above,
    whatever the decision, and what would trigger demotion for everyone graded)."""
    emp = ev.ctx.emp
    graded = members & ~probation
    codes = [lv.code for lv in ladder.ordered()]
    lowest = codes[0]
    current = emp["level"].where(emp["level"].isin(codes), lowest)
    up = {a: b for a, b in itertools.pairwise(codes)}
    down = {b: a for a, b in itertools.pairwise(codes)}
    required = required_proficiency(policy, rules)
    criteria: list[pd.DataFrame] = []
    checklist: list[pd.DataFrame] = []
    demoted = pd.Series(False, index=emp.index)
    if rules.demotion is not None:
        _, hit, rows = _criteria(ev, rules, "demotion", rules.demotion.any, current, graded)
        criteria += rows
        checklist += rows
        demoted = hit
        action = rules.demotion.action
        why = "demotion: " + _first_holding(criteria, "demotion", emp, hit)
        can = hit & (current != lowest) & (action != "retrain")
        out.loc[can, "level_to"] = current[can].map(down)
        out.loc[can, "action"] = "demote"
        out.loc[can, "steps"] = -1
        retrain = hit & ~can & (action != "demote")
        out.loc[retrain, "action"] = "retrain"
        out.loc[hit & (action != "demote"), "retrain"] = True
        out.loc[hit, "reason"] = why
        stuck = hit & ~can & (action == "demote")
        out.loc[stuck, "reason"] = why[stuck] + " (already at the lowest level)"
    promoted = pd.Series(False, index=emp.index)
    if rules.promotion is not None:
        level = current.copy()
        for step in range(policy.cycle.max_steps_per_cycle):
            target = level.map(up)
            eligible = graded & ~demoted & target.notna() & (promoted if step else True)
            # the first step is evaluated for every member with a level above: the checklist
            asked = members & target.notna() if step == 0 else eligible
            holds, _, rows = _criteria(
                ev, rules, "promotion", rules.promotion.all, target, asked, required
            )
            ok = holds & eligible
            if step == 0:
                checklist += rows
                ids = set(emp.loc[eligible, "employee_id"])
                criteria += [r[r["employee_id"].isin(ids)] for r in rows]
                missing = _missing(rows, emp, eligible & ~ok)
                out.loc[eligible & ~ok, "reason"] = (
                    "promotion to " + target[eligible & ~ok] + ": missing " + missing
                )
            level = level.where(~ok, target)
            promoted = ok if step == 0 else ok & promoted
            out.loc[ok, "level_to"] = target[ok]
            out.loc[ok, "action"] = "promote"
            out.loc[ok, "steps"] = out.loc[ok, "steps"] + 1
            out.loc[ok, "reason"] = "all promotion conditions hold for " + target[ok]
            if not ok.any():
                break
        top = graded & ~demoted & current.map(up).isna()
        out.loc[top, "reason"] = "at the highest level"
    if rules.retraining is not None:
        rest = graded & ~demoted & (out["action"] != "promote")
        _, hit, rows = _criteria(ev, rules, "retraining", rules.retraining.any, current, rest)
        criteria += rows
        out.loc[hit, "action"] = "retrain"
        out.loc[hit, "retrain"] = True
        out.loc[hit, "reason"] = "retraining: " + _first_holding(criteria, "retraining", emp, hit)
    still = graded & (out["reason"] == "no grading rules for this position")
    out.loc[still, "reason"] = "no rule applies"
    return criteria, checklist


def _first_holding(
    rows: list[pd.DataFrame], which: str, emp: pd.DataFrame, mask: pd.Series
) -> pd.Series:
    if not mask.any():
        return pd.Series("", index=emp.index)[mask]
    df = pd.concat([r for r in rows if len(r) and (r["rule"] == which).all()])
    df = df[df["holds"]].sort_values(["employee_id", "condition_ref"], kind="mergesort")
    first = df.drop_duplicates("employee_id").set_index("employee_id")["evidence"]
    return emp.loc[mask, "employee_id"].map(first).fillna("")


def _missing(rows: list[pd.DataFrame], emp: pd.DataFrame, mask: pd.Series) -> pd.Series:
    if not mask.any() or not rows:
        return pd.Series("", index=emp.index)[mask]
    df = pd.concat(rows)
    df = df[~df["holds"]].sort_values(["employee_id", "condition_ref"], kind="mergesort")
    # each employee's unmet conditions, in condition order, joined by "; "
    ids = df["employee_id"].to_numpy()
    evidence = df["evidence"].tolist()
    starts = np.flatnonzero(np.append(True, ids[1:] != ids[:-1])) if len(ids) else ids
    bounds = [*starts.tolist(), len(ids)]
    joined = {ids[a]: "; ".join(evidence[a:b]) for a, b in itertools.pairwise(bounds)}
    return emp.loc[mask, "employee_id"].map(joined).fillna("")
