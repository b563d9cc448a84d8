"""Customer-voice and quality KPIs: surveys (by ``responded_at``) and QA evaluations (by
``evaluated_at``)."""

from __future__ import annotations

import ibis.expr.types as ir

from callgrade.engine.kpis.options import KpiOptions
from callgrade.engine.kpis.registry import PEOPLE, KpiDef, Part, register
from callgrade.engine.kpis.rows import amount, one


def _csat_top(t: ir.Table, o: KpiOptions) -> ir.FloatingValue:
    floor = 4.0 if o.csat_variant == "top2_box" else 5.0
    return one(t.csat >= floor)


S, Q = "surveys", "qa_evaluations"
register(
    KpiDef(
        "csat", "Customer satisfaction", "客户满意度", "ratio", "higher_better", S, PEOPLE,
        (Part(S, numerator=_csat_top, denominator=lambda t, o: one(t.csat.notnull())),),
    ),
    KpiDef(
        "csat_mean", "Mean satisfaction score", "满意度均分", "score", "higher_better", S,
        PEOPLE,
        (
            Part(
                S,
                numerator=lambda t, o: amount(t.csat.notnull(), t.csat),
                denominator=lambda t, o: one(t.csat.notnull()),
            ),
        ),
    ),
    KpiDef(
        "nps", "Net promoter score", "净推荐值", "score", "higher_better", S, PEOPLE,
        (
            Part(
                S,
                numerator=lambda t, o: one(t.nps >= 9) - one(t.nps <= 6),
                denominator=lambda t, o: one(t.nps.notnull()),
            ),
        ),
        scale=100.0,
    ),
    KpiDef(
        "fcr_survey", "First-contact resolution (survey)", "一次解决率（调查）", "ratio",
        "higher_better", S, PEOPLE,
        (
            Part(
                S,
                numerator=lambda t, o: one(t.resolved),
                denominator=lambda t, o: one(t.resolved.notnull()),
            ),
        ),
    ),
    KpiDef(
        "qa_score", "QA score", "质检得分", "score", "higher_better", Q, PEOPLE,
        (Part(Q, numerator=lambda t, o: amount(t.score.notnull(), t.score),
              denominator=lambda t, o: one(t.score.notnull())),),
    ),
    KpiDef(
        "qa_critical_fails", "QA critical fails", "质检致命错误", "count", "lower_better", Q,
        PEOPLE,
        (Part(Q, numerator=lambda t, o: one(t.critical_fail),
              sample=lambda t, o: t.evaluation_id.notnull()),),
        kind="total",
    ),
)  # fmt: skip
