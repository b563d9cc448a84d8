"""Time KPIs from agent_states, clipped to the period (see ``prepare.clipped_states``): an
interval that crosses a period boundary counts only its overlap with each period."""

from __future__ import annotations

import ibis.expr.types as ir

from callgrade.engine.kpis.interactions import handled
from callgrade.engine.kpis.options import KpiOptions
from callgrade.engine.kpis.registry import PEOPLE, KpiDef, Part, register
from callgrade.engine.kpis.rows import amount

S = "agent_states"


def _paused(t: ir.Table, o: KpiOptions) -> ir.BooleanValue:
    cond = t.state == "paused"
    if o.pause_reasons is not None:
        cond = cond & t.reason.isin(list(o.pause_reasons))
    return cond


def _busy_s(t: ir.Table) -> ir.FloatingValue:
    # Occupancy always counts hold: the agent is busy with the customer whatever AHT excludes.
    return t.talk_s.fill_null(0.0) + t.hold_s.fill_null(0.0) + t.acw_s.fill_null(0.0)


def _available_s(t: ir.Table, o: KpiOptions) -> ir.FloatingValue:
    # Logged-in time counts up, every pause (whatever pause_reasons says) counts down.
    return amount(t.state == "logged_in", t.clip_s) - amount(t.state == "paused", t.clip_s)


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
                numerator=lambda t, o: amount(t.state == "logged_in", t.clip_s),
                sample=lambda t, o: t.state == "logged_in",
            ),
        ),
        kind="total",
    ),
    KpiDef(
        "pause_time", "Pause time", "小休时长", "seconds", "lower_better", S, PEOPLE,
        (
            Part(
                S,
                numerator=lambda t, o: amount(_paused(t, o), t.clip_s),
                sample=_paused,
            ),
        ),
        kind="total",
    ),
)  # fmt: skip
