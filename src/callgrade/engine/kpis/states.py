"""Time KPIs from agent_states, clipped to the period and counted once per agent (see
``intervals.clipped_states``): an interval that crosses a period boundary counts only its overlap
with each period, and overlapping per-queue intervals of one agent count as their union."""

from __future__ import annotations

import ibis.expr.types as ir

from callgrade.engine.kpis.interactions import handled
from callgrade.engine.kpis.options import KpiOptions
from callgrade.engine.kpis.registry import PEOPLE, KpiDef, Part, register
from callgrade.engine.kpis.rows import amount

S = "agent_states"


def _logged_in(t: ir.Table) -> ir.BooleanValue:
    return t.state == "logged_in"


def _paused(t: ir.Table) -> ir.BooleanValue:
    return t.state == "paused"


def _busy_s(t: ir.Table) -> ir.FloatingValue:
    # Occupancy always counts hold: the agent is busy with the customer whatever AHT excludes.
    return t.talk_s.fill_null(0.0) + t.hold_s.fill_null(0.0) + t.acw_s.fill_null(0.0)


def _available_s(t: ir.Table, o: KpiOptions) -> ir.FloatingValue:
    # Logged-in time counts up, every pause while logged in (whatever pause_reasons says) counts
    # down; a static member's pauses lie outside any known login and take nothing off.
    return amount(_logged_in(t), t.counted_s) - amount(_paused(t) & t.in_login, t.counted_s)


register(
    KpiDef(
        "occupancy", "Occupancy", "占用率", "ratio", "higher_better",
        "interactions + agent_states", PEOPLE,
        (
            Part(
                "interactions",
                numerator=lambda t, o: amount(handled(t), _busy_s(t)),
                sample=lambda t, o: handled(t),
            ),
            Part(S, denominator=_available_s),
        ),
    ),
    KpiDef(
        "login_time", "Logged-in time", "登录时长", "seconds", "higher_better", S, PEOPLE,
        (
            Part(
                S,
                numerator=lambda t, o: amount(_logged_in(t), t.counted_s),
                # a row wholly covered by other rows (a second queue's login) adds no interval
                sample=lambda t, o: _logged_in(t) & (t.counted_s > 0),
            ),
        ),
        kind="total",
    ),
    KpiDef(
        "pause_time", "Pause time", "小休时长", "seconds", "lower_better", S, PEOPLE,
        (
            Part(
                S,
                numerator=lambda t, o: amount(_paused(t), t.reason_s),
                sample=lambda t, o: _paused(t) & (t.reason_s > 0),
            ),
        ),
        kind="total",
    ),
)  # fmt: skip
