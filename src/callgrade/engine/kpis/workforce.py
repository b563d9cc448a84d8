"""Sales, attendance and complaint KPIs (each by its own event time: ``sold_at``, ``day``,
``received_at``)."""

from __future__ import annotations

from callgrade.engine.kpis.interactions import handled
from callgrade.engine.kpis.registry import PEOPLE, KpiDef, Part, register
from callgrade.engine.kpis.rows import amount, one

SA, AT, CO = "sales", "attendance", "complaints"


def _kind_count(code: str, en: str, zh: str, kind: str) -> KpiDef:
    return KpiDef(
        code, en, zh, "count", "lower_better", AT, PEOPLE,
        (Part(AT, numerator=lambda t, o: one(t.kind == kind)),),
        kind="total",
    )  # fmt: skip


_handled_den = Part(
    "interactions", denominator=lambda t, o: one(handled(t)), sample=lambda t, o: handled(t)
)

register(
    KpiDef(
        "sales_revenue", "Sales revenue", "销售额", "money", "higher_better", SA, PEOPLE,
        (Part(SA, numerator=lambda t, o: amount(t.valid, t.amount),
              sample=lambda t, o: t.valid),),
        kind="total",
    ),
    KpiDef(
        "sales_conversion", "Sales conversion", "转化率", "ratio", "higher_better",
        "sales + interactions", PEOPLE,
        (Part(SA, numerator=lambda t, o: one(t.valid)), _handled_den),
    ),
    KpiDef(
        "adherence", "Schedule adherence", "排班遵从度", "ratio", "higher_better", AT, PEOPLE,
        (
            Part(
                AT,
                numerator=lambda t, o: amount(t.scheduled_s.notnull(), t.adherent_s),
                denominator=lambda t, o: amount(t.scheduled_s.notnull(), t.scheduled_s),
                sample=lambda t, o: t.scheduled_s.notnull(),
            ),
        ),
    ),
    KpiDef(
        "complaints_valid", "Valid complaints", "有效投诉", "count", "lower_better", CO, PEOPLE,
        (Part(CO, numerator=lambda t, o: one(t.valid)),),
        kind="total",
    ),
    KpiDef(
        "complaints_per_1000", "Valid complaints per 1,000 handled", "千次投诉率", "per_1000",
        "lower_better", "complaints + interactions", PEOPLE,
        (Part(CO, numerator=lambda t, o: one(t.valid)), _handled_den),
        scale=1000.0,
    ),
    KpiDef(
        "major_complaints", "Valid major complaints", "重大投诉", "count", "lower_better", CO,
        PEOPLE,
        (Part(CO, numerator=lambda t, o: one(t.valid & (t.severity == "major"))),),
        kind="total",
    ),
    _kind_count("leaves", "Leaves", "请假次数", "leave"),
    _kind_count("late_arrivals", "Late arrivals", "迟到次数", "late"),
    _kind_count("early_departures", "Early departures", "早退次数", "early_leave"),
)  # fmt: skip
