"""Contact KPIs from the interactions table (attributed to the period of ``offered_at``), and the
ring-no-answer rows that make an agent's own answer rate (by ``rang_at``)."""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from callgrade.engine.kpis.options import KpiOptions
from callgrade.engine.kpis.registry import LEVELS, KpiDef, Level, Part, register
from callgrade.engine.kpis.rows import amount, one

# An unanswered inbound call carries no agent, so "answered ÷ offered" is always 100 % for an
# agent; people are measured on the calls presented to them instead, queues on calls offered.
PEOPLE_ONLY: tuple[Level, ...] = ("agent", "team")
QUEUE_ONLY: tuple[Level, ...] = ("queue", "center")
RNA = "ring_no_answer"

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


def _presented(t: ir.Table, o: KpiOptions) -> ir.FloatingValue:
    # Inbound calls the agent answered + every outbound call the agent dialed; the inbound calls
    # that rang at the agent unanswered are the ring_no_answer part.
    return one(answered_in(t) | (t.direction == "outbound"))


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
    """No next contact of the customer within the window, and none at the same instant (a
    neighbour in time order with an equal time is a simultaneous contact)."""
    window = ibis.interval(days=o.fcr_window_days)
    no_next = t.next_offered_at.isnull() | (t.next_offered_at > t.offered_at + window)
    no_tie = t.prev_offered_at.isnull() | (t.prev_offered_at != t.offered_at)
    return no_next & no_tie


IX = "interactions"
register(
    KpiDef(
        "answer_rate", "Answer rate", "接通率", "ratio", "higher_better",
        "interactions + ring_no_answer", LEVELS,
        (
            Part(IX, numerator=lambda t, o: one(t.answered), denominator=_answer_rate_den,
                 levels=QUEUE_ONLY),
            Part(IX, numerator=lambda t, o: one(t.answered), denominator=_presented,
                 levels=PEOPLE_ONLY),
            Part(RNA, denominator=lambda t, o: one(t.attempt_id.notnull()), levels=PEOPLE_ONLY),
        ),
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
        # abandoned calls reached no agent: an agent or team has no abandon rate of its own
        "abandon_rate", "Abandon rate", "放弃率", "ratio", "lower_better", IX, QUEUE_ONLY,
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
