"""An award in the reader's words: its rule's name from the standard, what earned it (the KPI by
its name, the window, the sample, the quality gates checked) and the amounts. No code of the
rules engine reaches a page: KPI names come from the registry, windows and kinds from here."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from callgrade.engagement.models import Award
from callgrade.standards.result_words import money
from callgrade.standards.text import kpi_label


def _window(window: str) -> str:
    return {"day": _("today"), "week": _("this week"), "month": _("this month")}.get(window, "")


def _figure(v: Any) -> str:
    if v is None:
        return "—"
    v = float(v)
    return f"{v:,.0f}" if abs(v) >= 100 else f"{v:.3g}"


def _gate(g: dict[str, Any], lang: str) -> str:
    return _("%(kpi)s %(window)s is %(measured)s (needs %(op)s %(value)s)") % {
        "kpi": kpi_label(g["kpi"], lang), "window": _window(g.get("window", "")),
        "measured": _figure(g.get("measured")), "op": g["op"], "value": _figure(g["value"]),
    }  # fmt: skip


def award_reason(a: Award, lang: str) -> str:
    """Why the award was granted, in one sentence."""
    if a.kind == Award.SUGGESTION:
        return _("An adopted suggestion.")
    if a.kind == Award.CONTEST:
        rank = a.evidence.get("rank")
        if a.evidence.get("shared"):
            return _("Place %(rank)s (shared) in a contest.") % {"rank": rank}
        return _("Place %(rank)s in a contest.") % {"rank": rank}
    e = a.evidence
    kind, kpi = e.get("kind"), kpi_label(str(e.get("kpi", "")), lang)
    words = {"kpi": kpi, "op": e.get("op", ""), "value": _figure(e.get("value")),
             "measured": _figure(e.get("measured")), "sample": e.get("sample", 0),
             "window": _window(a.window)}  # fmt: skip
    if kind == "count":
        said = _("%(sample)s times %(kpi)s %(op)s %(value)s, %(window)s") % words
    elif kind == "streak":
        said = _("%(sample)s in a row with %(kpi)s %(op)s %(value)s") % words
    else:
        said = _("%(kpi)s %(window)s: %(measured)s %(op)s %(value)s (%(sample)s records)") % words
    gates = [_gate(g, lang) for g in e.get("gates", [])]
    if gates:
        said += _("; quality gate: %(gates)s") % {"gates": "; ".join(gates)}
    return said


def award_row(a: Award, lang: str, currency: str) -> dict[str, Any]:
    """What a page (or the stream) shows of an award."""
    return {
        "id": a.pk,
        "name": a.label(lang),
        "reason": award_reason(a, lang),
        "points": _figure(a.points) if a.points else "",
        "amount": money(a.amount, currency) if a.amount else "",
        "day": a.day.isoformat(),
        "at": timezone.localtime(a.granted_at).strftime("%Y-%m-%d %H:%M:%S"),
        "employee": a.employee.name,
        "employee_id": a.employee.employee_id,
        "events": len(a.events),
        "points_value": float(a.points),
        "amount_value": float(a.amount),
        "month": a.day.strftime("%Y-%m"),
    }
