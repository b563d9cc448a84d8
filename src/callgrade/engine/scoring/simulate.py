"""What-if: apply a draft policy and the current one to the same data and compare ratings,
levels, pay and the rating distribution."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import pandas as pd
import pyarrow as pa

from callgrade.engine.policy import Policy
from callgrade.engine.scoring.grade import grade
from callgrade.engine.scoring.pay import pay
from callgrade.engine.scoring.results import Scorecards, SimulationReport, to_arrow
from callgrade.engine.scoring.score import score
from callgrade.engine.scoring.threads import in_threads


def _run(
    policy: Policy,
    kpis: pa.Table,
    roster: pa.Table,
    labels: Sequence[str],
    extra_inputs: pa.Table | None,
    cycle_end: dt.date | None,
    grading: dict[str, pa.Table | None],
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    def one_period(label: str) -> tuple[Scorecards, pd.DataFrame]:
        card = score(
            policy, kpis, roster, period_label=label, extra_inputs=extra_inputs, explain=False
        )
        paid = pay(policy, card, None, kpis, roster, period_label=label)
        return card, paid.lines.to_pandas()

    done = in_threads(one_period, labels)
    cards = [card for card, _ in done]
    totals = pd.concat([c.totals.to_pandas() for c in cards], ignore_index=True)
    lines = pd.concat([paid for _, paid in done], ignore_index=True)
    decisions = pd.DataFrame(columns=["employee_id", "level_to", "action"])
    if cycle_end is not None:
        decisions = grade(
            policy, cards, roster, kpis, cycle_end=cycle_end, **grading
        ).decisions.to_pandas()
    return totals, lines, decisions


def simulate(
    draft: Policy,
    current: Policy,
    kpis: pa.Table,
    roster: pa.Table,
    *,
    period_labels: Sequence[str],
    extra_inputs: pa.Table | None = None,
    cycle_end: dt.date | None = None,
    trainings: pa.Table | None = None,
    competencies: pa.Table | None = None,
    level_since: pa.Table | None = None,
) -> SimulationReport:
    """Compare ``draft`` with ``current`` over the rating periods ``period_labels`` (and a grading
    at ``cycle_end`` when given). Pay compares cash lines (long-term accruals are not cash)."""
    grading = {"trainings": trainings, "competencies": competencies, "level_since": level_since}
    labels = sorted(set(period_labels))
    before = _run(current, kpis, roster, labels, extra_inputs, cycle_end, grading)
    after = _run(draft, kpis, roster, labels, extra_inputs, cycle_end, grading)
    keys = ["period", "employee_id"]
    r = before[0][[*keys, "total", "rating"]].merge(
        after[0][[*keys, "total", "rating"]], on=keys, how="outer", suffixes=("_before", "_after")
    )
    changed = r["rating_before"].fillna("") != r["rating_after"].fillna("")
    ratings = r[changed].rename(
        columns={"total_before": "score_before", "total_after": "score_after"}
    )

    lv = before[2][["employee_id", "action", "level_to"]].merge(
        after[2][["employee_id", "action", "level_to"]],
        on="employee_id",
        how="outer",
        suffixes=("_before", "_after"),
    )
    moved = (lv["level_to_before"].fillna("") != lv["level_to_after"].fillna("")) | (
        lv["action_before"].fillna("") != lv["action_after"].fillna("")
    )
    levels = lv[moved]

    def cash(lines: pd.DataFrame) -> pd.Series:
        lines = lines[lines["cash"].astype(bool)] if len(lines) else lines
        return (
            lines.groupby("employee_id")["amount"].sum() if len(lines) else pd.Series(dtype=float)
        )

    p = pd.DataFrame({"pay_before": cash(before[1]), "pay_after": cash(after[1])}).fillna(0.0)
    p.index.name = "employee_id"
    p = p.reset_index()
    p["difference"] = (p["pay_after"] - p["pay_before"]).round(2)
    total = pd.DataFrame(
        {
            "employee_id": ["(total)"],
            "pay_before": [p["pay_before"].sum()],
            "pay_after": [p["pay_after"].sum()],
            "difference": [round(p["difference"].sum(), 2)],
        }
    )
    p = pd.concat([p.sort_values("employee_id"), total], ignore_index=True)
    p["row"] = range(len(p))

    order = {g.code: i for i, g in enumerate(draft.ratings.grades)}
    for g in current.ratings.grades:
        order.setdefault(g.code, len(order))
    cb = before[0].groupby(["period", "rating"]).size().rename("before")
    ca = after[0].groupby(["period", "rating"]).size().rename("after")
    grid = pd.MultiIndex.from_product([labels, list(order)], names=["period", "rating"])
    dist = pd.concat([cb, ca], axis=1).reindex(grid).fillna(0).astype(int).reset_index()
    dist["shift"] = dist["after"] - dist["before"]
    dist["rating_order"] = dist["rating"].map(order)
    acts = pd.concat(
        [
            before[2].groupby("action").size().rename("before"),
            after[2].groupby("action").size().rename("after"),
        ],
        axis=1,
    )
    acts = acts.fillna(0).astype(int).rename_axis("action").reset_index()
    return SimulationReport(
        ratings=to_arrow(ratings, keys),
        levels=to_arrow(levels, ["employee_id"]),
        pay=to_arrow(p, ["row"]).drop_columns(["row"]),
        distribution=to_arrow(dist, ["period", "rating_order", "rating"]),
        actions=to_arrow(acts, ["action"]),
    )
