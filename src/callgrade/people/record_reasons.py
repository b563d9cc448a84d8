"""Why a record counts for a KPI, in one short sentence in the reader's language.

The sentences restate the KPI registry's row rules (``engine/kpis/interactions.py``,
``quality.py``, ``workforce.py``, ``states.py``) from the record's own facts and the row's
contribution the engine computed; they decide nothing themselves. A rule without a sentence of
its own falls back to what the row adds to the numerator and the denominator.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from callgrade.engine.kpis import KpiOptions
from callgrade.people.record_words import duration, number


def _secs(value: float) -> str:
    return number(value)


def _calls(kpi: str, r: dict[str, Any], num: float, den: float, o: KpiOptions) -> str | None:
    inbound = r.get("direction") == "inbound"
    answered = bool(r.get("answered"))
    wait = r.get("queue_wait_s")
    if kpi == "answer_rate":
        if not inbound:
            if answered:
                return _("Outgoing call connected: counts as answered.")
            return _("Outgoing call not connected: counts as not answered.")
        return _("Incoming call answered: counts as answered.")
    if kpi == "service_level":
        limit = _secs(o.service_level_threshold_s)
        if num:
            return _("Answered within %(limit)s s: meets the service level.") % {"limit": limit}
        if answered:
            return _("Answered after %(limit)s s: misses the service level.") % {"limit": limit}
        return _("Not answered: counts against the service level.")
    if kpi == "asa":
        return _("Answered after a wait of %(wait)s: counted in the average.") % {
            "wait": duration(wait)
        }
    if kpi == "aht":
        return _("Handled: %(time)s of talk, hold and after-call work counted.") % {
            "time": duration(num)
        }
    if kpi in ("talk_time", "hold_time", "acw_time"):
        return _("Handled: %(time)s counted in the average.") % {"time": duration(num)}
    if kpi == "transfer_rate":
        if num:
            return _("Handled and transferred: counts as a transfer.")
        return _("Handled without a transfer: counts as not transferred.")
    if kpi == "fcr_repeat":
        days = o.fcr_window_days
        if num:
            return _("No repeat call within %(days)s days: resolved at first contact.") % {
                "days": days
            }
        return _("The customer called again within %(days)s days: not resolved.") % {"days": days}
    if kpi == "occupancy":
        return _("Handled: %(time)s busy with the customer counted.") % {"time": duration(num)}
    if kpi in ("sales_conversion", "complaints_per_1000"):
        return _("Handled contact: counted in the base.")
    return None


def _rna(kpi: str, r: dict[str, Any]) -> str | None:
    return _("Rang for %(time)s without an answer: counts as not answered.") % {
        "time": duration(r.get("ring_s"))
    }


def _surveys(kpi: str, r: dict[str, Any], num: float, den: float, o: KpiOptions) -> str | None:
    score = number(r.get("csat"), 1)
    if kpi == "csat":
        floor = "4" if o.csat_variant == "top2_box" else "5"
        if num:
            return _("Satisfaction %(score)s (at least %(floor)s): satisfied.") % {
                "score": score,
                "floor": floor,
            }
        return _("Satisfaction %(score)s (below %(floor)s): not satisfied.") % {
            "score": score,
            "floor": floor,
        }
    if kpi == "csat_mean":
        return _("Satisfaction %(score)s: counted in the mean.") % {"score": score}
    if kpi == "nps":
        nps = number(r.get("nps"))
        if num > 0:
            return _("Would recommend %(nps)s of 10: a promoter (adds).") % {"nps": nps}
        if num < 0:
            return _("Would recommend %(nps)s of 10: a detractor (subtracts).") % {"nps": nps}
        return _("Would recommend %(nps)s of 10: passive (counts in the base only).") % {"nps": nps}
    if kpi == "fcr_survey":
        if num:
            return _("The customer says the issue was resolved.")
        return _("The customer says the issue was not resolved.")
    return None


def _qa(kpi: str, r: dict[str, Any], num: float) -> str | None:
    if kpi == "qa_score":
        return _("QA score %(score)s: counted in the mean.") % {"score": number(r.get("score"), 1)}
    if kpi == "qa_critical_fails":
        if num:
            return _("A critical item failed: counts as a critical fail.")
        return _("No critical item failed: evaluated, adds nothing.")
    return None


def _other(source: str, kpi: str, r: dict[str, Any], num: float, den: float) -> str | None:
    if source == "sales":
        if not r.get("valid"):
            return _("Cancelled or refunded order: not counted.")
        if kpi == "sales_revenue":
            return _("Valid order: its amount counts.")
        return _("Valid order: counts as a sale.")
    if source == "complaints":
        if not r.get("valid"):
            return _("Not confirmed as valid: not counted.")
        if kpi == "major_complaints" and r.get("severity") != "major":
            return _("A minor complaint: not counted here.")
        return _("Confirmed valid complaint: counts.")
    if source == "attendance":
        if kpi == "adherence":
            return _("%(in)s of %(scheduled)s scheduled time kept to the schedule.") % {
                "in": duration(num),
                "scheduled": duration(den),
            }
        if num:
            return _("Counts as one occurrence.")
        return _("Another kind of day: not counted here.")
    if source == "agent_states":
        if kpi == "occupancy":
            if den < 0:
                return _("Paused: %(time)s taken off the time available.") % {
                    "time": duration(-den)
                }
            return _("Logged in: %(time)s available for calls.") % {"time": duration(den)}
        if kpi in ("login_time", "pause_time"):
            if num:
                return _("%(time)s counted.") % {"time": duration(num)}
            return _("Covered by another interval: adds nothing.")
    return None


def _left_out(kpi: str, source: str, r: dict[str, Any], o: KpiOptions) -> str | None:
    """Why a record of the employee's own counts for nothing in ``kpi``."""
    if source == "interactions":
        wait = r.get("queue_wait_s")
        if r.get("outcome") == "abandoned" and wait is not None and wait < o.short_abandon_s:
            return _("Abandoned within %(limit)s s: not counted.") % {
                "limit": number(o.short_abandon_s)
            }
        if r.get("direction") == "outbound" and kpi in ("asa", "service_level"):
            return _("Outgoing call: not part of this measure.")
        if not r.get("answered"):
            return _("Not answered: not counted.")
        missing = {"hold_time": "hold_s", "acw_time": "acw_s", "talk_time": "talk_s"}.get(kpi)
        if missing and r.get(missing) is None:
            return _("Not measured for this call: not counted.")
    if source == "surveys":
        return _("The customer did not answer this question: not counted.")
    if source == "agent_states":
        if r.get("state") == "wrapup":
            return _("Wrap-up time: not counted here.")
        return _("Another state, or covered by another interval: not counted here.")
    return None


def why(
    kpi: str,
    source: str,
    record: dict[str, Any],
    numerator: float,
    denominator: float,
    options: KpiOptions,
    sample: bool = True,
) -> str:
    """Why ``record`` of ``source`` counts as it does for ``kpi`` (its contribution given;
    ``sample`` false: it counts for nothing)."""
    if not numerator and not denominator:
        # listed for its sample only, or (on demand) a record left out
        text = None if sample else _left_out(kpi, source, record, options)
    elif source == "interactions":
        text = _calls(kpi, record, numerator, denominator, options)
    elif source == "ring_no_answer":
        text = _rna(kpi, record)
    elif source == "surveys":
        text = _surveys(kpi, record, numerator, denominator, options)
    elif source == "qa_evaluations":
        text = _qa(kpi, record, numerator)
    else:
        text = None
    if text is None and source in ("sales", "complaints", "attendance", "agent_states"):
        text = _other(source, kpi, record, numerator, denominator)
    if text is None and source == "qa_evaluations":
        text = _qa(kpi, record, numerator)
    if text is not None:
        return text
    if numerator and denominator:
        return _("Counted in the numerator and the denominator.")
    if numerator:
        return _("Counted in the numerator.")
    if denominator:
        return _("Counted in the denominator.")
    if sample:
        return _("Counted in the sample only: adds nothing to the value.")
    return _("Not part of this measure: not counted.")
