"""Display names for codes: ladder actions (translated here) and the names a cycle's standard
gives its positions, levels and scorecard dimensions (bilingual in the policy itself)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from callgrade.web.models import Cycle

ACTIONS = {
    "hold": gettext_lazy("hold"),
    "promote": gettext_lazy("promote"),
    "demote": gettext_lazy("demote"),
    "retrain": gettext_lazy("retrain"),
    "demote_and_retrain": gettext_lazy("demote and retrain"),
    "pass_probation": gettext_lazy("pass probation"),
    "change": gettext_lazy("change"),
}


def action_label(code: str) -> str:
    return str(ACTIONS.get(code, code)) if code else "—"


def policy_labels(cycle: Cycle, lang: str) -> dict[str, dict[str, str]]:
    """Names from the cycle's standard in the reader's language (codes stay the fallback)."""
    from callgrade.web.services.standards_text import text

    policy = cycle.policy_version.policy()
    return {
        "positions": {p.code: text(p.label, lang) for p in policy.positions},
        "levels": {lv.code: text(lv.label, lang) for ld in policy.ladders for lv in ld.levels},
        "dimensions": {
            d.code: text(d.label, lang) for sc in policy.scorecards for d in sc.dimensions
        },
        "actions": {code: str(label) for code, label in ACTIONS.items()},
    }
