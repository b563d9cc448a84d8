"""Display names for codes: ladder actions (translated here) and the names a cycle's standard
gives its positions, levels and scorecard dimensions (bilingual in the policy itself)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy

ACTIONS = {
    "hold": gettext_lazy("hold"),
    "promote": gettext_lazy("promote"),
    "demote": gettext_lazy("demote"),
    "retrain": gettext_lazy("retrain"),
    "demote_and_retrain": gettext_lazy("demote and retrain"),
    "pass_probation": gettext_lazy("pass probation"),
    "change": gettext_lazy("change"),
}


PAY_KINDS = {
    "allowance": gettext_lazy("level allowance"),
    "bonus": gettext_lazy("performance bonus"),
    "commission": gettext_lazy("sales commission"),
    "long_term": gettext_lazy("long-term award"),
    "instant_reward": gettext_lazy("instant reward"),
    "suggestion_award": gettext_lazy("suggestion award"),
    "contest_prize": gettext_lazy("contest prize"),
    "deferral": gettext_lazy("deferred bonus"),
    "vesting": gettext_lazy("vested deferred bonus"),
}


def pay_kind_label(code: str) -> str:
    return str(PAY_KINDS.get(code, code))


def action_label(code: str) -> str:
    return str(ACTIONS.get(code, code)) if code else "—"


def policy_labels(cycle: Any, lang: str) -> dict[str, dict[str, str]]:
    """Names from the standard of ``cycle`` (anything with a ``policy_version``: standards know
    no cycles) in the reader's language (codes stay the fallback)."""
    from callgrade.standards.text import text

    policy = cycle.policy_version.policy()
    return {
        "positions": {p.code: text(p.label, lang) for p in policy.positions},
        "levels": {lv.code: text(lv.label, lang) for ld in policy.ladders for lv in ld.levels},
        "dimensions": {
            d.code: text(d.label, lang) for sc in policy.scorecards for d in sc.dimensions
        },
        "actions": {code: str(label) for code, label in ACTIONS.items()},
    }


def standard_names(lang: str) -> dict[str, dict[str, str]]:
    """Names of positions and levels where no cycle is at hand (nominations, the roster): those
    of every standard, the published ones winning, the newest first."""
    from callgrade.standards.models import PolicyVersion
    from callgrade.standards.text import text

    names: dict[str, dict[str, str]] = {
        k: {} for k in ("positions", "levels", "tracks", "trainings", "competencies")
    }
    versions = sorted(
        PolicyVersion.objects.all(),
        key=lambda v: (v.status == PolicyVersion.PUBLISHED, v.uploaded_at, v.pk),
    )
    for v in versions:  # later (preferred) versions overwrite earlier ones
        try:
            policy = v.policy()
        except Exception:  # a stored text that no longer validates names nothing
            continue
        names["positions"].update({p.code: text(p.label, lang) for p in policy.positions})
        names["levels"].update(
            {lv.code: text(lv.label, lang) for ld in policy.ladders for lv in ld.levels}
        )
        names["tracks"].update({t.code: text(t.label, lang) for t in policy.tracks})
        names["trainings"].update({t.code: text(t.label, lang) for t in policy.trainings})
        names["competencies"].update({c.code: text(c.label, lang) for c in policy.competencies})
    return names
