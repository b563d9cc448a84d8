"""The published standard in words for the people it grades: what each KPI means, what each
grading condition asks, and the whole policy arranged for the publicity page.

The sentences describe the engine's definitions (docs/kpis.md, the KPI registry and the policy
model); they compute nothing. Each KPI and condition kind has a Chinese and an English sentence
so the page follows the reader's language.
"""

from __future__ import annotations

from typing import Any

from callgrade.engine.kpis import REGISTRY
from callgrade.engine.policy import Policy
from callgrade.engine.policy.model import (
    Absolute,
    Bands,
    CompetencyCondition,
    Condition,
    CountCondition,
    IndicatorsCondition,
    KpiCondition,
    Linear,
    MinMax,
    Percentile,
    RankPercentile,
    RankPosition,
    RatingCountCondition,
    ScoreCondition,
    TenureCondition,
    Text,
    TrainingCondition,
)
from callgrade.engine.scoring.explain import fmt_value
from callgrade.engine.scoring.grade import describe

# What each KPI measures, in one sentence a reader outside the engine understands.
KPI_WORDS: dict[str, dict[str, str]] = {
    "answer_rate": {
        "zh": "接通率 = 您接起的来电（含外呼接通）÷ 分配给您的来电（含响铃未接与外呼拨打）。",
        "en": "Answer rate = calls you answered (and outbound calls connected) ÷ calls presented "
        "to you (including rings you missed and calls you dialed).",
    },
    "service_level": {
        "zh": "服务水平 = 在规定秒数内接起的来电 ÷ 接起的来电。",
        "en": "Service level = calls answered within the threshold seconds ÷ calls answered.",
    },
    "asa": {
        "zh": "平均应答速度 = 您接起的来电在队列中等待的总秒数 ÷ 接起的来电数，越短越好。",
        "en": "Average speed of answer = total queue wait of the calls you answered ÷ those "
        "calls; shorter is better.",
    },
    "aht": {
        "zh": "平均处理时长 =（通话 + 保持 + 话后处理）总时长 ÷ 处理的来电数，越短越好。",
        "en": "Average handle time = (talk + hold + after-contact work) ÷ calls handled; "
        "shorter is better.",
    },
    "talk_time": {
        "zh": "平均通话时长 = 通话总时长 ÷ 处理的来电数。",
        "en": "Average talk time = total talk time ÷ calls handled.",
    },
    "hold_time": {
        "zh": "平均保持时长 = 客户保持总时长 ÷ 处理的来电数。",
        "en": "Average hold time = total time customers were on hold ÷ calls handled.",
    },
    "acw_time": {
        "zh": "平均话后处理时长 = 话后处理总时长 ÷ 处理的来电数。",
        "en": "Average after-contact work = total after-contact work ÷ calls handled.",
    },
    "abandon_rate": {
        "zh": "放弃率 = 等待超过数秒后挂断的来电 ÷ 进线来电（不计极短的误拨）。",
        "en": "Abandon rate = callers who hung up after waiting a few seconds ÷ inbound calls "
        "(very short misdials left out).",
    },
    "transfer_rate": {
        "zh": "转接率 = 被转接的来电 ÷ 处理的来电，越低越好。",
        "en": "Transfer rate = calls transferred ÷ calls handled; lower is better.",
    },
    "fcr_repeat": {
        "zh": "一次解决率 = 客户在规定天数内没有再次来电的来电 ÷ 可识别客户的已接来电。",
        "en": "First-contact resolution = answered calls whose customer did not call again "
        "within the set number of days ÷ answered calls with a known customer.",
    },
    "csat": {
        "zh": "客户满意度 = 打 4 或 5 分（满分 5 分）的评价 ÷ 全部满意度评价。",
        "en": "Customer satisfaction = survey answers of 4 or 5 (out of 5) ÷ all survey answers.",
    },
    "csat_mean": {
        "zh": "满意度均分 = 满意度评分之和 ÷ 评价数（1–5 分）。",
        "en": "Mean satisfaction score = sum of satisfaction scores ÷ answers (1 to 5).",
    },
    "nps": {
        "zh": "净推荐值 = 推荐者（9–10 分）占比 − 贬损者（0–6 分）占比，范围 −100 到 100。",
        "en": "Net promoter score = % promoters (9–10) − % detractors (0–6), from −100 to 100.",
    },
    "fcr_survey": {
        "zh": "一次解决率（调查）= 回答“已解决”的客户 ÷ 回答该问题的客户。",
        "en": "First-contact resolution (survey) = customers who said “resolved” ÷ customers "
        "who answered the question.",
    },
    "qa_score": {
        "zh": "质检得分 = 质检评分之和 ÷ 质检次数（0–100 分）。",
        "en": "QA score = sum of quality evaluation scores ÷ evaluations (0 to 100).",
    },
    "qa_critical_fails": {
        "zh": "质检致命错误 = 出现致命（零容忍）项不合格的质检次数。",
        "en": "QA critical fails = evaluations with a failed critical (zero-tolerance) item.",
    },
    "occupancy": {
        "zh": "占用率 =（通话 + 保持 + 话后处理）时长 ÷（登录时长 − 小休时长）。",
        "en": "Occupancy = (talk + hold + after-contact work) ÷ (logged-in time − paused time).",
    },
    "login_time": {
        "zh": "登录时长 = 期间内登录系统的总时长。",
        "en": "Logged-in time = total time logged in during the period.",
    },
    "pause_time": {
        "zh": "小休时长 = 登录期间小休（暂停）的总时长，越短越好。",
        "en": "Pause time = total time paused while logged in; shorter is better.",
    },
    "sales_revenue": {
        "zh": "销售额 = 有效订单金额之和（取消或退款的订单不计）。",
        "en": "Sales revenue = sum of valid sales (cancelled or refunded orders do not count).",
    },
    "sales_conversion": {
        "zh": "转化率 = 有效订单数 ÷ 处理的来电数。",
        "en": "Sales conversion = valid sales ÷ calls handled.",
    },
    "adherence": {
        "zh": "排班遵从度 = 按排班在岗的时长 ÷ 排班时长。",
        "en": "Schedule adherence = time at work as scheduled ÷ scheduled time.",
    },
    "complaints_valid": {
        "zh": "有效投诉 = 经复核确认有效的投诉次数。",
        "en": "Valid complaints = complaints confirmed valid after review.",
    },
    "complaints_per_1000": {
        "zh": "千次投诉率 = 有效投诉次数 ÷ 处理的来电数 × 1000。",
        "en": "Complaints per 1,000 = valid complaints ÷ calls handled × 1,000.",
    },
    "major_complaints": {
        "zh": "重大投诉 = 经确认有效且定为重大的投诉次数。",
        "en": "Major complaints = valid complaints rated as major.",
    },
    "leaves": {
        "zh": "请假次数 = 期间内的请假记录数。",
        "en": "Leaves = leave records in the period.",
    },
    "late_arrivals": {
        "zh": "迟到次数 = 期间内的迟到记录数。",
        "en": "Late arrivals = late-arrival records in the period.",
    },
    "early_departures": {
        "zh": "早退次数 = 期间内的早退记录数。",
        "en": "Early departures = early-departure records in the period.",
    },
}

# Inputs that are not KPIs: scorecard items (``input``) and counters in conditions.
INPUT_WORDS: dict[str, dict[str, str]] = {
    "tenure_years": {"zh": "司龄（年）", "en": "Tenure in years"},
    "competency": {"zh": "能力评估得分", "en": "Competency assessment score"},
    "exam": {"zh": "考试成绩", "en": "Exam result"},
    "assessment": {"zh": "评估得分", "en": "Assessment score"},
    "rule_violations": {"zh": "违纪次数", "en": "Rule violations"},
}

OPS = {
    ">=": {"zh": "不低于", "en": "at least"},
    ">": {"zh": "高于", "en": "above"},
    "<=": {"zh": "不高于", "en": "at most"},
    "<": {"zh": "低于", "en": "below"},
    "==": {"zh": "等于", "en": "exactly"},
    "!=": {"zh": "不等于", "en": "not"},
}
WINDOWS = {
    "rating_period": {"zh": "每个评级期", "en": "in every rating period"},
    "grading_period": {"zh": "整个定级期", "en": "over the grading period"},
    "month": {"zh": "每月", "en": "every month"},
}
GRAINS = {
    "day": {"zh": "日", "en": "day"},
    "week": {"zh": "周", "en": "week"},
    "month": {"zh": "月", "en": "month"},
    "quarter": {"zh": "季度", "en": "quarter"},
    "half": {"zh": "半年", "en": "half-year"},
    "year": {"zh": "年", "en": "year"},
}
TENURE_AT = {
    "level": {"zh": "现级别任职", "en": "Time at the current level"},
    "position": {"zh": "现岗位任职", "en": "Time in the position"},
    "company": {"zh": "司龄", "en": "Time with the company"},
}
RANK_BY = {
    "rating_points": {"zh": "评级积分", "en": "rating points"},
    "score": {"zh": "平均得分", "en": "mean score"},
}
PEER_KEYS = {
    "position": {"zh": "岗位", "en": "position"},
    "queue": {"zh": "队列", "en": "queue"},
    "team": {"zh": "班组", "en": "team"},
    "track": {"zh": "序列", "en": "track"},
    "level": {"zh": "级别", "en": "level"},
}
DEMOTION_ACTIONS = {
    "demote": {"zh": "降级", "en": "demotion"},
    "retrain": {"zh": "回炉培训", "en": "retraining"},
    "demote_and_retrain": {"zh": "降级并回炉培训", "en": "demotion and retraining"},
}
SCORING = {
    "linear": {
        "zh": "在下限与目标之间按比例计分：达到目标得满分，低于下限不得分",
        "en": "scored in proportion between floor and target: full points at the target, "
        "none at the floor",
    },
    "bands": {"zh": "按档位计分", "en": "scored by bands"},
    "percentile": {
        "zh": "按在同组中的百分位计分",
        "en": "scored by percentile among peers",
    },
    "minmax": {
        "zh": "按在同组最差与最佳之间的位置计分",
        "en": "scored between the peer group's worst and best",
    },
}


def _lang(lang: str) -> str:
    return "zh" if lang.startswith("zh") else "en"


def text(t: Text | None, lang: str) -> str:
    """The reader's side of a bilingual policy text."""
    if t is None:
        return ""
    return t.zh if _lang(lang) == "zh" else t.en


def kpi_label(code: str, lang: str) -> str:
    d = REGISTRY.get(code)
    if d is not None:
        return d.label_zh if _lang(lang) == "zh" else d.label_en
    words = INPUT_WORDS.get(code)
    return words[_lang(lang)] if words else code.replace("_", " ")


def item_label(item: str, source: str | None, policy: Policy | None, lang: str) -> str:
    """A scorecard item's name: a KPI's; for an assessed input (``source``: competency, exam or
    assessment), the standard's name of the competency, else in Chinese the kind of input (an
    exam the standard names by code only, e.g. ``skill_exam``, has no Chinese name of its own)."""
    if source in ("competency", "exam", "assessment") and policy is not None:
        named = next((c.label for c in policy.competencies if c.code == item), None)
        if named is not None:
            return text(named, lang)
        if _lang(lang) == "zh":
            return INPUT_WORDS[source]["zh"]
    return kpi_label(item, lang)


def item_labels(policy: Policy, lang: str) -> dict[str, str]:
    """:func:`item_label` of every assessed input the standard's scorecards score, by item."""
    return {
        m.ref: item_label(m.ref, m.input, policy, lang)
        for sc in policy.scorecards
        for d in sc.dimensions
        for m in d.items
        if m.ref and m.input in ("competency", "exam", "assessment")
    }


def kpi_words(code: str, lang: str) -> str:
    words = KPI_WORDS.get(code) or INPUT_WORDS.get(code)
    return words[_lang(lang)] if words else ""


def value_text(value: float | None, unit: str, lang: str) -> str:
    """A threshold in its unit (the engine's own formatting), seconds in the reader's language."""
    if value is None:
        return "—"
    out = fmt_value(value, unit)
    if unit == "seconds" and _lang(lang) == "zh":
        out = out.replace(" s", " 秒")
    if unit == "per_1000":
        out = f"{value:g}‰"
    return out


def _unit(code: str) -> str:
    d = REGISTRY.get(code)
    return d.unit if d is not None else "score"


def condition_text(c: Condition, policy: Policy, lang: str) -> str:
    """One grading condition as a sentence (the engine's :func:`describe` names it for the
    criteria tables; this says it for people)."""
    lg = _lang(lang)
    zh = lg == "zh"
    if isinstance(c, KpiCondition):
        v = value_text(c.value, _unit(c.kpi), lang)
        label, op, win = kpi_label(c.kpi, lang), OPS[c.op][lg], WINDOWS[c.window][lg]
        sample = ""
        if c.min_sample:
            sample = f"（样本至少 {c.min_sample}）" if zh else f" (at least {c.min_sample} samples)"
        return f"{win}{label}{op} {v}{sample}" if zh else f"{label} {win}: {op} {v}{sample}"
    if isinstance(c, ScoreCondition):
        if c.of == "total":
            what = "总分" if zh else "Total score"
        else:
            dim = next((d for s in policy.scorecards for d in s.dimensions if d.code == c.of), None)
            name = text(dim.label, lang) if dim else c.of
            what = f"“{name}”维度得分" if zh else f"“{name}” score"
        win = WINDOWS[c.window][lg]
        if c.window == "grading_period":
            win = "整个定级期平均" if zh else "averaged over the grading period"
        return (
            f"{win}{what}{OPS[c.op][lg]} {c.value:g}"
            if zh
            else f"{what} {win} {OPS[c.op][lg]} {c.value:g}"
        )
    if isinstance(c, RankPercentile | RankPosition):
        by = RANK_BY[c.by][lg]
        if isinstance(c, RankPercentile):
            end = (
                (f"前 {c.top:g}%" if c.top is not None else f"后 {c.bottom:g}%")
                if zh
                else (f"the top {c.top:g}%" if c.top is not None else f"the bottom {c.bottom:g}%")
            )
        else:
            end = (
                (f"前 {c.top} 名" if c.top is not None else f"后 {c.bottom} 名")
                if zh
                else (f"the first {c.top}" if c.top is not None else f"the last {c.bottom}")
            )
        return f"按{by}在同组中排名{end}" if zh else f"Ranked in {end} of the peer group by {by}"
    if isinstance(c, CountCondition):
        what = " + ".join(kpi_label(k, lang) for k in c.of)
        per = {
            "month": WINDOWS["month"][lg],
            "rating_period": WINDOWS["rating_period"][lg],
            "grading_period": WINDOWS["grading_period"][lg],
        }[c.per]
        return (
            f"{per}{what}{OPS[c.op][lg]} {c.value:g} 次"
            if zh
            else f"{what} {per}: {OPS[c.op][lg]} {c.value:g}"
        )
    if isinstance(c, TenureCondition):
        at = TENURE_AT[c.at][lg]
        return (
            f"{at}{OPS[c.op][lg]} {c.months:g} 个月"
            if zh
            else f"{at}: {OPS[c.op][lg]} {c.months:g} months"
        )
    if isinstance(c, TrainingCondition):
        names = {t.code: text(t.label, lang) for t in policy.trainings}
        done = "、".join(names.get(t, t) for t in c.completed)
        return (
            f"完成培训：{done}"
            if zh
            else "Completed the training: " + ", ".join(names.get(t, t) for t in c.completed)
        )
    if isinstance(c, CompetencyCondition):
        names = {k.code: text(k.label, lang) for k in policy.competencies}
        name = names.get(c.competency, c.competency)
        return (
            f"{name}评估{OPS[c.op][lg]} {c.value:g} 分"
            if zh
            else f"{name} assessed {OPS[c.op][lg]} {c.value:g}"
        )
    if isinstance(c, RatingCountCondition):
        codes = "/".join(c.ratings)
        win = WINDOWS[c.window][lg]
        return (
            f"{win}评级为 {codes} 的次数{OPS[c.op][lg]} {c.value}"
            if zh
            else f"Rated {codes} {win}: {OPS[c.op][lg]} {c.value} times"
        )
    assert isinstance(c, IndicatorsCondition)
    if zh:
        return "达到目标级别的全部指标要求" if c.met else "未达到目标级别的指标要求"
    return (
        "Meets every indicator of the target level"
        if c.met
        else "Misses the target level's indicators"
    )


def _conditions(conds: tuple[Condition, ...], policy: Policy, lang: str) -> list[dict[str, str]]:
    return [{"text": condition_text(c, policy, lang), "rule": describe(c)} for c in conds]


def _peer_group(keys: tuple[str, ...], lang: str) -> str:
    lg = _lang(lang)
    return ("、" if lg == "zh" else ", ").join(PEER_KEYS[k][lg] for k in keys)


def kpis_used(policy: Policy) -> list[str]:
    """Every KPI code the policy scores, grades or pays on (in first-use order)."""
    seen: dict[str, None] = {}
    for s in policy.scorecards:
        for d in s.dimensions:
            for m in d.items:
                if m.kpi:
                    seen[m.kpi] = None

    def walk(conds: tuple[Condition, ...]) -> None:
        for c in conds:
            if isinstance(c, KpiCondition):
                seen[c.kpi] = None
            elif isinstance(c, CountCondition):
                for k in c.of:
                    if k in REGISTRY:
                        seen[k] = None

    for g in policy.grading:
        for lv in g.levels:
            walk(lv.indicators)
        for part in (g.promotion and g.promotion.all, g.demotion and g.demotion.any):
            walk(part or ())
        if g.retraining:
            walk(g.retraining.any)
    for com in policy.pay.commissions:
        seen[com.kpi] = None
    for r in policy.instant_rewards:
        seen[r.when.kpi] = None
    return list(seen)


def standard_for_people(policy: Policy, lang: str) -> dict[str, Any]:
    """The policy arranged for the publicity page, every text in the reader's language."""
    tracks = {t.code: text(t.label, lang) for t in policy.tracks}
    ladders = {lad.code: lad for lad in policy.ladders}
    level_names = {lv.code: text(lv.label, lang) for lad in policy.ladders for lv in lad.levels}
    competencies = {c.code: text(c.label, lang) for c in policy.competencies}
    scorecards = {s.code: text(s.label, lang) for s in policy.scorecards}
    positions = [
        {
            "code": p.code,
            "label": text(p.label, lang),
            "description": text(p.description, lang),
            "track": tracks.get(p.track, p.track),
            "ladder": text(ladders[p.ladder].label, lang),
            "scorecard": scorecards.get(p.scorecard, p.scorecard),
            "duties": [text(d, lang) for d in p.duties],
            "competencies": [
                {
                    "level": level_names.get(r.level, r.level),
                    "requires": [(competencies.get(k, k), v) for k, v in r.requires.items()],
                }
                for r in p.competencies
            ],
        }
        for p in policy.positions
    ]
    cards = []
    for s in policy.scorecards:
        dims = []
        for d in s.dimensions:
            items = []
            for m in d.items:
                code = m.kpi or m.input or ""
                unit = _unit(m.kpi) if m.kpi else "score"
                method = type(m.scoring).__name__.lower()
                bands: list[tuple[str, float]] = []
                if isinstance(m.scoring, Bands):
                    bands = [(value_text(b.value, unit, lang), b.points) for b in m.scoring.bands]
                items.append(
                    {
                        "code": code,
                        "label": kpi_label(code, lang)
                        + (f" ({competencies.get(m.ref, m.ref)})" if m.ref else ""),
                        "weight": m.weight,
                        "floor": value_text(m.floor, unit, lang)
                        if isinstance(m.scoring, Linear)
                        else "",
                        "target": value_text(m.target, unit, lang)
                        if isinstance(m.scoring, Linear)
                        else "",
                        "scoring": SCORING[
                            "minmax"
                            if isinstance(m.scoring, MinMax)
                            else "percentile"
                            if isinstance(m.scoring, Percentile)
                            else method
                        ][_lang(lang)],
                        "bands": bands,
                        "min_sample": m.min_sample,
                    }
                )
            dims.append({"label": text(d.label, lang), "weight": d.weight, "items": items})
        cards.append(
            {
                "code": s.code,
                "label": text(s.label, lang),
                "peer_group": _peer_group(s.peer_group, lang),
                "dimensions": dims,
            }
        )
    grades = [
        {"code": g.code, "label": text(g.label, lang), "points": g.points}
        for g in policy.ratings.grades
    ]
    a = policy.ratings.assignment
    if isinstance(a, Absolute):
        assignment = {
            "method": "absolute",
            "bands": [{"rating": b.rating, "min_score": b.min_score} for b in a.bands],
        }
    else:
        assignment = {
            "method": "forced",
            "group": _peer_group(a.group, lang),
            "quotas": [
                {"rating": q.rating, "max_percent": q.max_percent, "min_score": q.min_score}
                for q in a.quotas
            ],
            "remainder": a.remainder,
        }
    grading = []
    for g in policy.grading:
        grading.append(
            {
                "code": g.code,
                "positions": [
                    text(p.label, lang) for p in policy.positions if p.code in g.positions
                ],
                "levels": [
                    {
                        "level": level_names.get(lv.level, lv.level),
                        "conditions": _conditions(lv.indicators, policy, lang),
                    }
                    for lv in g.levels
                ],
                "promotion": _conditions(g.promotion.all, policy, lang) if g.promotion else [],
                "demotion": _conditions(g.demotion.any, policy, lang) if g.demotion else [],
                "demotion_action": DEMOTION_ACTIONS[g.demotion.action][_lang(lang)]
                if g.demotion
                else "",
                "retraining": _conditions(g.retraining.any, policy, lang) if g.retraining else [],
            }
        )
    ladder_rows = [
        {
            "label": text(lad.label, lang),
            "levels": [
                {"code": lv.code, "label": text(lv.label, lang), "rank": lv.rank}
                for lv in lad.ordered()
            ],
        }
        for lad in policy.ladders
    ]
    pay = policy.pay
    pay_rows: dict[str, Any] = {
        "allowances": [
            {
                "ladder": text(ladders[al.ladder].label, lang)
                if al.ladder in ladders
                else al.ladder,
                "levels": [(level_names.get(k, k), v) for k, v in al.monthly.items()],
            }
            for al in pay.allowances
        ],
        "bonus": None,
        "commissions": [
            {
                "positions": [
                    text(p.label, lang) for p in policy.positions if p.code in com.positions
                ],
                "kpi": kpi_label(com.kpi, lang),
                "period": GRAINS[com.period][_lang(lang)],
                "marginal": com.mode == "marginal",
                "tiers": [(t.above, t.rate * 100) for t in com.tiers],
            }
            for com in pay.commissions
        ],
        "long_term": [
            {
                "label": text(lt.label, lang),
                "amount_per_year": lt.amount_per_year,
                "vesting_years": lt.vesting_years,
                "cliff_years": lt.cliff_years,
            }
            for lt in pay.long_term
        ],
        "deferred_bonus": [
            {
                "label": text(d.label, lang),
                "positions": [
                    text(p.label, lang) for p in policy.positions if p.code in d.positions
                ],
                "share": d.share,
                "share_text": f"{d.share:g}%" if d.share is not None else "",
                "by_rating": list(d.amount_by_rating.items()),
                "vesting": [(s.months, s.percent) for s in d.vesting],
                "on_leaving": "leaving" in d.forfeit_on,
                "on_demotion": "demotion" in d.forfeit_on,
            }
            for d in pay.deferred_bonus
        ],
    }
    if pay.bonus is not None:
        pay_rows["bonus"] = {
            "period": GRAINS[pay.bonus.period][_lang(lang)],
            "base": pay.bonus.base,
            "base_by_level": [
                (level_names.get(k, k), v) for k, v in pay.bonus.base_by_level.items()
            ],
            "coefficients": list(pay.bonus.coefficients.items()),
        }
    return {
        "label": text(policy.label, lang),
        "description": text(policy.description, lang),
        "code": policy.code,
        "version": policy.version,
        "effective_from": policy.effective_from,
        "currency": policy.currency,
        "rating_period": GRAINS[policy.cycle.rating_period][_lang(lang)],
        "grading_period": GRAINS[policy.cycle.grading_period][_lang(lang)],
        "max_steps": policy.cycle.max_steps_per_cycle,
        "probation_months": policy.cycle.probation.months if policy.cycle.probation else None,
        "positions": positions,
        "scorecards": cards,
        "kpis": [
            {"code": k, "label": kpi_label(k, lang), "words": kpi_words(k, lang)}
            for k in kpis_used(policy)
        ],
        "grades": grades,
        "assignment": assignment,
        "ladders": ladder_rows,
        "grading": grading,
        "pay": pay_rows,
    }
