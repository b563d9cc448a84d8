"""What the development pages call things: course kinds and proposal states come from the
models' choices, the kinds of gap from here, and each proposal's evidence as one sentence in
the reader's language with the standard's names (never a code)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from callgrade.engine.kpis import REGISTRY
from callgrade.standards.labels import action_label, standard_names
from callgrade.standards.text import kpi_label, value_text

GAP_KINDS = {
    "kpi_below_floor": gettext_lazy("KPI below its floor"),
    "competency_below": gettext_lazy("competency below the level's requirement"),
    "retrain": gettext_lazy("retraining decided"),
    "bottom_ranked": gettext_lazy("last places of the peer group"),
}


def lang() -> str:
    return "en" if (get_language() or "").startswith("en") else "zh"


def gap_kind(code: str) -> str:
    return str(GAP_KINDS.get(code, _("other gap")))


def names() -> dict[str, dict[str, str]]:
    """The standard's names of trainings, competencies, levels and positions."""
    return standard_names(lang())


def _kpi_value(code: str, value: Any) -> str:
    d = REGISTRY.get(code)
    return value_text(value, d.unit if d else "score", lang())


def evidence_text(evidence: dict[str, Any], known: dict[str, dict[str, str]]) -> str:
    """Why the course was proposed: which values, against which floor or requirement."""
    kind = evidence.get("kind")
    if kind == "kpi_below_floor":
        code = str(evidence.get("kpi", ""))
        values = "; ".join(
            f"{p['period']}: {_kpi_value(code, p['value'])}" for p in evidence.get("periods", [])
        )
        return _("%(kpi)s worse than its floor %(floor)s in %(n)s periods running: %(values)s.") % {
            "kpi": kpi_label(code, lang()),
            "floor": _kpi_value(code, evidence.get("floor")),
            "n": len(evidence.get("periods", [])),
            "values": values,
        }
    if kind == "competency_below":
        comp, level = str(evidence.get("competency")), str(evidence.get("level"))
        return _("%(competency)s assessed at %(score)s; %(level)s requires %(required)s.") % {
            "competency": known["competencies"].get(comp, _("a competency")),
            "score": f"{evidence.get('score', 0):g}",
            "level": known["levels"].get(level, _("the level")),
            "required": f"{evidence.get('required', 0):g}",
        }
    if kind == "retrain":
        return _("The cycle's decision: %(action)s.") % {
            "action": action_label(str(evidence.get("action", "retrain")))
        }
    if kind == "bottom_ranked":
        return _(
            "Ranked %(rank)s of %(size)s in %(period)s (the last %(bottom)s are proposed)."
        ) % {
            "rank": evidence.get("rank"),
            "size": evidence.get("group_size"),
            "period": evidence.get("period"),
            "bottom": evidence.get("bottom"),
        }
    return ""
