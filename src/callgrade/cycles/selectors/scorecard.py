"""Reads for pages: what a scorecard, a trend or a team table shows, assembled from stored
engine results (never recomputed here)."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy

from callgrade.cycles.models import (
    ChecklistItem,
    Cycle,
    Decision,
    KpiValue,
    PayLine,
    ScoreItem,
    ScoreTotal,
)
from callgrade.cycles.workflow import states_allowing
from callgrade.people.access import AnyUser, employee_of, is_hr, led_team_ids
from callgrade.people.models import Employee
from callgrade.review.models import Appeal
from callgrade.standards.labels import action_label, pay_kind_label, policy_labels
from callgrade.standards.result_words import (
    condition_sentence,
    decision_sentence,
    evidence_sentence,
    money,
    pay_rule_name,
    pay_sentence,
    required_text,
)
from callgrade.standards.text import PEER_KEYS, item_label, kpi_label, text


def cycles_for(user: AnyUser, employee: Employee) -> QuerySet[Cycle]:
    """The cycles whose results ``user`` may see for ``employee``: employees see published
    results only; their lead and HR also see results under review."""
    qs = Cycle.objects.filter(state__in=states_allowing("lead_view")).exclude(computed_at=None)
    me = employee_of(user)
    reviewer = is_hr(user) or (employee.team_id in led_team_ids(user) and me != employee)
    if not reviewer:
        qs = qs.filter(state__in=states_allowing("visible"))
    return qs.order_by("-created_at", "-id")


def scorecard(employee: Employee, cycle: Cycle, period: str | None, lang: str) -> dict[str, Any]:
    totals = list(ScoreTotal.objects.filter(cycle=cycle, employee=employee).order_by("period"))
    periods = [t.period for t in totals]
    if period not in periods:
        period = periods[-1] if periods else None
    total = next((t for t in totals if t.period == period), None)
    items = list(
        ScoreItem.objects.filter(cycle=cycle, employee=employee, period=period).order_by(
            "detail__dimension_index", "detail__item_index", "id"
        )
    )
    labels = policy_labels(cycle, lang)
    policy = cycle.policy_version.policy()
    dimensions: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for it in items:
        d = it.detail
        dimensions[labels["dimensions"].get(it.dimension, it.dimension)].append(
            {
                "item": it.item,
                "label": item_label(it.item, d.get("input"), policy, lang),
                "status": it.status,
                "unit": d.get("unit"),
                "value": it.value,
                "numerator": d.get("numerator"),
                "denominator": d.get("denominator"),
                "sample_size": d.get("sample_size"),
                "target": d.get("target"),
                "floor": d.get("floor"),
                "points": it.points,
                "weight": it.weight,
                "contribution": it.contribution,
                "input": d.get("input"),
                "explanation": it.explanation_zh if lang.startswith("zh") else it.explanation_en,
            }
        )
    decision = Decision.objects.filter(cycle=cycle, employee=employee).first()
    conditions = list(ChecklistItem.objects.filter(cycle=cycle, employee=employee).order_by("id"))
    pay = list(PayLine.objects.filter(cycle=cycle, employee=employee, period=period).order_by("id"))
    words = _Words(policy, labels["levels"], decision, lang)
    checklist = [words.condition(c) for c in conditions if c.kind == "checklist"]
    promotion = [c for c in checklist if c["rule"] == "promotion"]
    triggers = [c for c in checklist if c["rule"] == "demotion"]
    rating = total.final_rating if total else None
    return {
        "labels": labels,
        "cycle": cycle,
        "period": period,
        "periods": periods,
        "total": total,
        "totals": totals,
        "rating_name": _rating_name(policy, rating, lang),
        "grading_figure": _grading_figure(totals),
        "peer_group": _peer_group(policy, total, labels, lang),
        "dimensions": dict(dimensions),
        "decision": decision,
        "decision_reason": words.reason(conditions) if decision else "",
        "decision_action": action_label(decision.final_action or decision.action)
        if decision
        else "",
        "decision_proposal": action_label(decision.action) if decision else "",
        "next_level": _next_level(policy, decision, promotion, labels["levels"]),
        "criteria": [words.condition(c) for c in conditions if c.kind == "criterion"],
        "checklist": promotion,
        "demotion_triggers": triggers,
        "at_risk": decision is not None
        and (decision.action in ("demote", "retrain") or any(c["holds"] for c in triggers)),
        "pay": [words.pay(p, rating) for p in pay],
        "pay_cash": money(sum((p.amount for p in pay if p.cash), start=0), policy.currency),
        "pay_accrued": money(sum((p.amount for p in pay if not p.cash), start=0), policy.currency),
        "appeals": list(Appeal.objects.filter(cycle=cycle, employee=employee)),
    }


def decision_reason(decision: Decision, lang: str) -> str:
    """Why the engine proposed ``decision``, in the reader's words (for pages beside the
    scorecard: the review page, the results list)."""
    labels = policy_labels(decision.cycle, lang)
    words = _Words(decision.cycle.policy_version.policy(), labels["levels"], decision, lang)
    return words.reason(
        list(ChecklistItem.objects.filter(cycle=decision.cycle_id, employee=decision.employee_id))
    )


class _Words:
    """The stored rows of one employee's decision, checklist and pay in the reader's words."""

    def __init__(
        self, policy: Any, levels: dict[str, str], decision: Decision | None, lang: str
    ) -> None:
        self.policy, self.levels, self.decision, self.lang = policy, levels, decision, lang
        self.rule_set = decision.detail.get("rule_set") if decision else None

    def condition(self, c: ChecklistItem) -> dict[str, Any]:
        d = c.detail
        return {
            "rule": c.rule,
            "rule_name": RULE_NAMES.get(c.rule, c.rule),
            "holds": c.holds,
            "condition": condition_sentence(d, self.policy, self.rule_set, self.levels, self.lang),
            "evidence": evidence_sentence(d, self.lang, self.policy),
            "actual": d.get("actual"),
            "required": required_text(str(d.get("required") or ""), self.lang, self.policy),
            "gap": d.get("gap"),
            "progress": _progress(d, c.holds),
        }

    def reason(self, conditions: list[ChecklistItem]) -> str:
        assert self.decision is not None
        rows = [c.detail for c in conditions if c.kind == "criterion"]
        return decision_sentence(self.decision.detail, rows, self.policy, self.levels, self.lang)

    def pay(self, p: PayLine, rating: str | None) -> dict[str, Any]:
        return {
            "kind": pay_kind_label(p.kind),
            "rule": pay_rule_name(p.detail, self.policy, self.lang),
            "amount": money(p.amount, self.policy.currency),
            "cash": p.cash,
            "explanation": pay_sentence(p.detail, rating, self.policy, self.levels, self.lang),
        }


RULE_NAMES = {
    "promotion": gettext_lazy("promotion"),
    "demotion": gettext_lazy("demotion"),
    "retraining": gettext_lazy("retraining"),
}


def _progress(detail: dict[str, Any], holds: bool) -> int:
    """How far toward a condition, in percent, for its bar: have ÷ need for a floor ("at least"),
    need ÷ have for a ceiling ("at most"), all or nothing otherwise."""
    if holds:
        return 100
    have, need = detail.get("actual"), str(detail.get("required") or "")
    try:
        op, value = need.split()[0], float(need.split()[1].rstrip("%"))
    except (IndexError, ValueError):
        return 0
    if have is None or have != have:
        return 0
    if op in (">=", ">") and value > 0:
        return max(0, min(99, int(100 * float(have) / value)))
    if op in ("<=", "<") and float(have) > 0:
        return max(0, min(99, int(100 * value / float(have))))
    return 0


def _rating_name(policy: Any, rating: str | None, lang: str) -> str:
    grade = next((g for g in policy.ratings.grades if g.code == rating), None)
    return text(grade.label, lang) if grade else ""


def _grading_figure(totals: list[ScoreTotal]) -> dict[str, Any] | None:
    """The total score averaged over the grading period, which the ladder's score conditions
    compare (the mean of the rating periods' totals so far)."""
    scored = [t.total for t in totals if t.total is not None]
    if not scored:
        return None
    return {"value": sum(scored) / len(scored), "periods": len(scored)}


def _peer_group(
    policy: Any, total: ScoreTotal | None, labels: dict[str, dict[str, str]], lang: str
) -> str:
    """Whom the rank compares with, e.g. "position Front desk" or "岗位 前台坐席、班组 一组"."""
    if total is None:
        return ""
    card = next((s for s in policy.scorecards if s.code == total.detail.get("scorecard")), None)
    keys = card.peer_group if card else ("position",)
    names = {"position": labels["positions"], "level": labels["levels"]}
    zh = lang.startswith("zh")
    parts = []
    for k in keys:
        value = str(total.detail.get(k) or "")
        parts.append(f"{PEER_KEYS[k]['zh' if zh else 'en']} {names.get(k, {}).get(value, value)}")
    return ("、" if zh else ", ").join(parts)


def _next_level(
    policy: Any, decision: Decision | None, promotion: list[dict[str, Any]], levels: dict[str, str]
) -> dict[str, Any] | None:
    """The level above the employee's on their position's ladder (what the promotion checklist
    asks for) and how many of its conditions hold."""
    if decision is None or not promotion:
        return None
    position = next(
        (p for p in policy.positions if p.code == decision.detail.get("position")), None
    )
    ladder = next((ld for ld in policy.ladders if position and ld.code == position.ladder), None)
    codes = [lv.code for lv in ladder.ordered()] if ladder else []
    here = codes.index(decision.level_from) if decision.level_from in codes else -1
    target = codes[here + 1] if 0 <= here < len(codes) - 1 else ""
    return {
        "name": levels.get(target, target),
        "met": sum(1 for c in promotion if c["holds"]),
        "of": len(promotion),
    }


def indicators(employee: Employee, cycle: Cycle, period: str, lang: str) -> list[dict[str, Any]]:
    """Every KPI stored for the employee and period (the standard's and the others), the ones
    the scorecard scores first, then the rest by name."""
    scored = set(
        ScoreItem.objects.filter(
            cycle=cycle, employee=employee, period=period, detail__input="kpi"
        ).values_list("item", flat=True)
    )
    rows = [
        {
            "code": kv.kpi,
            "label": kpi_label(kv.kpi, lang),
            "value": kv.value,
            "unit": kv.unit,
            "numerator": kv.numerator,
            "denominator": kv.denominator,
            "sample_size": kv.sample_size,
            "scored": kv.kpi in scored,
        }
        for kv in KpiValue.objects.filter(cycle=cycle, employee=employee, period=period)
    ]
    rows.sort(key=lambda k: (not k["scored"], k["label"]))
    return rows


def trend(employee: Employee, cycles: QuerySet[Cycle], lang: str) -> dict[str, Any]:
    """Total score and rating over every period the employee was scored in the visible cycles
    (the newest cycle wins a period computed twice), the team's average score in the same
    periods, and the rating bands of the newest cycle's standard (where ratings are given by
    absolute score bands) to draw behind them."""
    from django.db.models import Avg

    by_period: dict[str, ScoreTotal] = {}
    for t in ScoreTotal.objects.filter(cycle__in=cycles, employee=employee).order_by(
        "cycle__created_at", "cycle_id"
    ):
        by_period[t.period] = t
    periods = sorted(by_period)
    team: dict[str, float] = {}
    if employee.team_id is not None:
        for row in (
            ScoreTotal.objects.filter(
                cycle_id__in={t.cycle_id for t in by_period.values()},
                employee__team_id=employee.team_id,
                period__in=periods,
            )
            .values("cycle_id", "period")
            .annotate(mean=Avg("total"))
        ):
            if by_period[row["period"]].cycle_id == row["cycle_id"] and row["mean"] is not None:
                team[row["period"]] = round(row["mean"], 1)
    bands: list[dict[str, Any]] = []
    newest = max(by_period.values(), key=lambda t: t.cycle_id, default=None)
    if newest is not None:
        ratings = newest.cycle.policy_version.policy().ratings
        names = {g.code: text(g.label, lang) for g in ratings.grades}
        for band in getattr(ratings.assignment, "bands", ()):
            bands.append(
                {"rating": band.rating, "name": names.get(band.rating, ""), "min": band.min_score}
            )
    return {
        "periods": periods,
        "total": [by_period[p].total for p in periods],
        "rating": [by_period[p].final_rating for p in periods],
        "team": [team.get(p) for p in periods],
        "bands": bands,
    }
