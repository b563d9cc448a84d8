"""The fairness audit of a cycle for people to read: the stored result, each finding as a
sentence in the reader's language, and its tables with their words. The roster attributes it
names are read only when the reader may see them (``people.access.attributes_visible``)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from callgrade.core.models import AuditEvent
from callgrade.cycles.models import Cycle, FairnessAudit
from callgrade.people.access import AnyUser, attributes_visible
from callgrade.people.models import RosterAttribute
from callgrade.review.models import Nomination
from callgrade.standards.labels import policy_labels

DIMENSIONS = {
    "team": gettext_lazy("Teams"),
    "lead": gettext_lazy("Team leads"),
    "approver": gettext_lazy("Approvers (calibrated ratings)"),
}
VERDICTS = {
    "lenient": gettext_lazy("lenient"),
    "severe": gettext_lazy("severe"),
    "in_line": gettext_lazy("in line with the position"),
    "small": gettext_lazy("too few to judge"),
    "alone": gettext_lazy("the whole position: nothing to compare with"),
    "raises": gettext_lazy("mostly raises"),
    "lowers": gettext_lazy("mostly lowers"),
    "balanced": gettext_lazy("no lean either way"),
    "adverse": gettext_lazy("below four fifths"),
    "ok": gettext_lazy("at least four fifths"),
    "none": gettext_lazy("nobody selected"),
}
METHODS = {"chi2": gettext_lazy("chi-square test"), "permutation": gettext_lazy("permutation test")}
KINDS = {
    "calibration": gettext_lazy("Calibration"),
    "departure": gettext_lazy("Departures from the proposal"),
}
# how a finding is shown: what stands out beyond chance in the warning colour
TONES = {
    "nothing_stands_out": "ok",
    "adverse_impact_chance": "",
    "small_groups": "muted",
    "impact_small": "muted",
}
OUTCOMES = {"promotion": gettext_lazy("promotion"), "top_rating": gettext_lazy("top rating")}


def percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.0f}%"


def p_text(value: float | None) -> str:
    return "—" if value is None else f"{value:.3f}"


def _who(dimension: str, name: str) -> str:
    if dimension == "team":
        return _("Team %(name)s") % {"name": name}
    if dimension == "lead":
        return _("Lead %(name)s") % {"name": name}
    return _("Approver %(name)s") % {"name": name}


def _actor(name: str) -> str:
    return name or _("(not recorded)")


def finding_sentence(code: str, p: dict[str, Any], positions: dict[str, str], top: str) -> str:
    """One finding of the engine in words."""
    if code in ("lenient", "severe"):
        values = {
            "who": _who(p["dimension"], p["group"]),
            "position": positions.get(p["position"], p["position"]),
            "share": percent(p["top_share"]),
            "n": p["n"],
            "top": top,
            "position_share": percent(p["position_top_share"]),
            "p": p_text(p["p_value"]),
        }
        if code == "lenient":
            return (
                _(
                    "%(who)s (%(position)s) rates leniently: %(share)s of %(n)s ratings are "
                    "%(top)s, against %(position_share)s in the position (p = %(p)s)."
                )
                % values
            )
        return (
            _(
                "%(who)s (%(position)s) rates severely: %(share)s of %(n)s ratings are %(top)s, "
                "against %(position_share)s in the position (p = %(p)s)."
            )
            % values
        )
    if code in ("calibration_raises", "calibration_lowers", "departure_raises", "departure_lowers"):
        values = {
            "who": _actor(p["actor"]),
            "n": p["n"],
            "up": p["up"],
            "down": p["down"],
            "p": p_text(p["p_value"]),
        }
        if code.startswith("calibration"):
            return (
                _(
                    "%(who)s raised %(up)s and lowered %(down)s of %(n)s calibrated ratings: "
                    "more one way than chance explains (p = %(p)s)."
                )
                % values
            )
        return (
            _(
                "%(who)s set %(up)s levels above and %(down)s below the proposal, of %(n)s "
                "departures: more one way than chance explains (p = %(p)s)."
            )
            % values
        )
    if code in ("adverse_impact", "adverse_impact_chance"):
        values = {
            "outcome": OUTCOMES.get(p["outcome"], p["outcome"]),
            "attribute": p["attribute"],
            "value": p["value"],
            "rate": percent(p["rate"]),
            "selected": p.get("selected", "—"),
            "n": p["n"],
            "ratio": percent(p["ratio"]),
            "reference": p["reference"],
            "reference_rate": percent(p["reference_rate"]),
            "p": p_text(p.get("p_value")),
        }
        if code == "adverse_impact":
            return (
                _(
                    "Four-fifths rule: the %(outcome)s rate of %(attribute)s “%(value)s” is "
                    "%(rate)s (%(selected)s of %(n)s), %(ratio)s of the highest group's "
                    "(“%(reference)s”, %(reference_rate)s): below 80%%, beyond chance "
                    "(p = %(p)s)."
                )
                % values
            )
        return (
            _(
                "Four-fifths rule: the %(outcome)s rate of %(attribute)s “%(value)s” is %(rate)s "
                "(%(selected)s of %(n)s), %(ratio)s of the highest group's (“%(reference)s”, "
                "%(reference_rate)s): below 80%%, though with so few selected it may be chance "
                "(p = %(p)s)."
            )
            % values
        )
    if code == "small_groups":
        return _(
            "%(dimension)s: %(count)s groups have fewer than %(min)s ratings, too few to judge."
        ) % {
            "dimension": DIMENSIONS.get(p["dimension"], p["dimension"]),
            "count": p["count"],
            "min": p["min_sample"],
        }
    if code == "impact_small":
        return _(
            "%(attribute)s “%(value)s” counts fewer than %(min)s people, too few to judge by "
            "the four-fifths rule."
        ) % {"attribute": p["attribute"], "value": p["value"], "min": p["min_sample"]}
    return _(
        "Nothing stands out: no team, lead or approver rates differently from their position "
        "beyond chance, and no group falls below four fifths of the highest rate."
    )


def fairness_of(cycle: Cycle) -> FairnessAudit | None:
    return FairnessAudit.objects.filter(cycle=cycle).first()


def fairness_stale(cycle: Cycle) -> bool:
    """Whether decisions or roster attributes changed since the audit last ran (a computation
    runs it again by itself; an override, a decided nomination or an attribute does not)."""
    audit = fairness_of(cycle)
    if audit is None:
        return False
    since = audit.computed_at
    return (
        AuditEvent.objects.filter(
            action="decision_override", after__cycle=cycle.pk, at__gt=since
        ).exists()
        or Nomination.objects.filter(cycle=cycle, decided_at__gt=since).exists()
        or RosterAttribute.objects.filter(recorded_at__gt=since).exists()
    )


def fairness_findings(cycle: Cycle, user: AnyUser, lang: str) -> list[dict[str, str]]:
    """The findings of the cycle's audit in words (those about roster attributes only for a
    reader who may see them), what stands out first."""
    audit = fairness_of(cycle)
    if audit is None:
        return []
    positions = policy_labels(cycle, lang)["positions"]
    grades = audit.result.get("grades") or [""]
    private = not attributes_visible(user)
    out = []
    for f in audit.result.get("findings", []):
        if private and f["code"] in ("adverse_impact", "adverse_impact_chance", "impact_small"):
            continue
        tone = TONES.get(f["code"], "bad")
        out.append(
            {"text": finding_sentence(f["code"], f["params"], positions, grades[0]), "tone": tone}
        )
    return out


def fairness_tables(cycle: Cycle, user: AnyUser, lang: str) -> dict[str, Any]:
    """The audit's tables with their words: rater groups by dimension, changes by who made
    them and (for HR) the four-fifths table."""
    audit = fairness_of(cycle)
    if audit is None:
        return {"audit": None}
    result = audit.result
    positions = policy_labels(cycle, lang)["positions"]
    sections = []
    for dimension, title in DIMENSIONS.items():
        rows = [
            {
                **g,
                "position_label": positions.get(g["position"], g["position"]),
                "verdict_label": VERDICTS.get(g["verdict"], g["verdict"]),
                "method_label": METHODS.get(g["method"], "—"),
                "top_share_text": percent(g["top_share"]),
                "position_top_share_text": percent(g["position_top_share"]),
                "p_text": p_text(g["p_value"]),
            }
            for g in result.get("groups", [])
            if g["dimension"] == dimension
        ]
        sections.append({"code": dimension, "title": title, "rows": rows})
    changes = [
        {
            **c,
            "kind_label": KINDS.get(c["kind"], c["kind"]),
            "actor_label": _actor(c["actor"]),
            "verdict_label": VERDICTS.get(c["verdict"], c["verdict"]),
            "p_text": p_text(c["p_value"]),
        }
        for c in result.get("changes", [])
    ]
    impact = None
    if attributes_visible(user):
        impact = [
            {
                **r,
                "outcome_label": OUTCOMES.get(r["outcome"], r["outcome"]),
                "rate_text": percent(r["rate"]),
                "ratio_text": percent(r["ratio"]),
                "p_text": p_text(r.get("p_value")),
                "verdict_label": VERDICTS.get(r["verdict"], r["verdict"]),
            }
            for r in result.get("impact", [])
        ]
    return {
        "audit": audit,
        "stale": fairness_stale(cycle),
        "grades": result.get("grades", []),
        "sections": sections,
        "changes": changes,
        "impact": impact,
        "min_sample": result.get("min_sample"),
        "alpha": result.get("alpha"),
    }
