"""Contact KPIs from the interactions table (attributed to the period of ``offered_at``)."""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from callgrade.engine.kpis.options import KpiOptions
from callgrade.engine.kpis.registry import LEVELS, KpiDef, Part, register
from callgrade.engine.kpis.rows import amount, one

# Outcomes Wazo counts as "offered" besides answered calls.
WAZO_UNANSWERED = ("abandoned", "full", "exit_empty", "join_empty", "timeout")
CLOSED = ("closed", "diverted")


def inbound(t: ir.Table) -> ir.BooleanValue:
    return t.direction == "inbound"


def handled(t: ir.Table) -> ir.BooleanValue:
    """Answered inbound + connected outbound: both carry ``answered`` = true."""
    return t.answered


def abandoned(t: ir.Table) -> ir.BooleanValue:
    return inbound(t) & (t.outcome == "abandoned")


def short_abandon(t: ir.Table, o: KpiOptions) -> ir.BooleanValue:
    return abandoned(t) & (t.queue_wait_s < o.short_abandon_s)


def answered_in(t: ir.Table) -> ir.BooleanValue:
    return inbound(t) & t.answered


def within(t: ir.Table, o: KpiOptions) -> ir.BooleanValue:
    return t.queue_wait_s <= o.service_level_threshold_s


def handle_s(t: ir.Table, o: KpiOptions) -> ir.FloatingValue:
    # Hold and ACW are null when the source does not measure them; they then add nothing.
    total = t.talk_s.fill_null(0.0) + t.acw_s.fill_null(0.0)
    if o.aht_variant == "talk_hold_acw":
        total = total + t.hold_s.fill_null(0.0)
    return total


def _answer_rate_den(t: ir.Table, o: KpiOptions) -> ir.FloatingValue:
    if o.answer_rate_variant == "exclude_closed":
        return one(~t.outcome.isin(CLOSED))
    if o.answer_rate_variant == "wazo":
        return one(t.answered | t.outcome.isin(WAZO_UNANSWERED))
    return one(t.interaction_id.notnull())


def _sl_num(t: ir.Table, o: KpiOptions) -> ir.FloatingValue:
    hit = answered_in(t) & within(t, o)
    if o.service_level_variant == "sl2":
        hit = hit | (abandoned(t) & within(t, o))
    return one(hit)


def _sl_den(t: ir.Table, o: KpiOptions) -> ir.FloatingValue:
    v = o.service_level_variant
    if v == "answered":
        return one(answered_in(t))
    if v == "exclude_short":
        return one(answered_in(t) | (abandoned(t) & ~short_abandon(t, o).fill_null(False)))
    return one(answered_in(t) | abandoned(t))


def _avg(column: str) -> Part:
    return Part(
        "interactions",
        numerator=lambda t, o: amount(handled(t), t[column]),
        denominator=lambda t, o: one(handled(t) & t[column].notnull()),
    )


def _fcr_resolved(t: ir.Table, o: KpiOptions) -> ir.BooleanValue:
    window = ibis.interval(days=o.fcr_window_days)
    return t.next_offered_at.isnull() | (t.next_offered_at > t.offered_at + window)


IX = "interactions"
register(
    KpiDef(
        "answer_rate", "Answer rate", "接通率", "ratio", "higher_better", IX, LEVELS,
        (Part(IX, numerator=lambda t, o: one(t.answered), denominator=_answer_rate_den),),
    ),
    KpiDef(
        "service_level", "Service level", "服务水平", "ratio", "higher_better", IX, LEVELS,
        (Part(IX, numerator=_sl_num, denominator=_sl_den),),
    ),
    KpiDef(
        "asa", "Average speed of answer", "平均应答速度", "seconds", "lower_better", IX, LEVELS,
        (
            Part(
                IX,
                numerator=lambda t, o: amount(answered_in(t), t.queue_wait_s),
                denominator=lambda t, o: one(answered_in(t) & t.queue_wait_s.notnull()),
            ),
        ),
    ),
    KpiDef(
        "aht", "Average handle time", "平均处理时长", "seconds", "lower_better", IX, LEVELS,
        (
            Part(
                IX,
                numerator=lambda t, o: amount(handled(t), handle_s(t, o)),
                denominator=lambda t, o: one(handled(t)),
            ),
        ),
    ),
    KpiDef("talk_time", "Average talk time", "平均通话时长", "seconds", "lower_better", IX,
           LEVELS, (_avg("talk_s"),)),
    KpiDef("hold_time", "Average hold time", "平均保持时长", "seconds", "lower_better", IX,
           LEVELS, (_avg("hold_s"),)),
    KpiDef("acw_time", "Average after-contact work", "平均话后处理时长", "seconds",
           "lower_better", IX, LEVELS, (_avg("acw_s"),)),
    KpiDef(
        "abandon_rate", "Abandon rate", "放弃率", "ratio", "lower_better", IX, LEVELS,
        (
            Part(
                IX,
                numerator=lambda t, o: one(abandoned(t) & ~short_abandon(t, o).fill_null(False)),
                denominator=lambda t, o: one(
                    inbound(t) & ~short_abandon(t, o).fill_null(False)
                ),
            ),
        ),
    ),
    KpiDef(
        "transfer_rate", "Transfer rate", "转接率", "ratio", "lower_better", IX, LEVELS,
        (
            Part(
                IX,
                numerator=lambda t, o: one(handled(t) & t.transferred),
                denominator=lambda t, o: one(handled(t)),
            ),
        ),
    ),
    KpiDef(
        "fcr_repeat", "First-contact resolution (no repeat)", "一次解决率", "ratio",
        "higher_better", IX, LEVELS,
        (
            Part(
                "fcr",
                numerator=lambda t, o: one(t.answered & _fcr_resolved(t, o)),
                denominator=lambda t, o: one(t.answered),
            ),
        ),
    ),
)  # fmt: skip
