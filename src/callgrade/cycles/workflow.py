"""The grading cycle's workflow in one table: which state allows which action, and which state
follows which. Services refuse what the table refuses, access checks and views ask it, and
templates read it through ``Cycle.can``; no other module lists states.

draft → computed → in review → approved → published → appeal window → closed
"""

from __future__ import annotations

DRAFT = "draft"
COMPUTED = "computed"
IN_REVIEW = "in_review"
APPROVED = "approved"
PUBLISHED = "published"
APPEALS = "appeals"
CLOSED = "closed"

ORDER = (DRAFT, COMPUTED, IN_REVIEW, APPROVED, PUBLISHED, APPEALS, CLOSED)

# What each action is:
#   compute     run the engine (all of it, or one employee after a calibration or a correction)
#   comment     a lead or HR comments on a member's results
#   nominate    a lead nominates a member for promotion, HR decides nominations
#   calibrate   HR sets a rating with a reason
#   override    HR settles a final level with a reason
#   lead_view   team leads see their team's results
#   visible     employees see their own results (the cycle is published)
#   appeal      employees file appeals
#   resolve     HR resolves appeals (and records corrections)
#   export_pay  pay statements are exported for payroll
ACTIONS = (
    "compute",
    "comment",
    "nominate",
    "calibrate",
    "override",
    "lead_view",
    "visible",
    "appeal",
    "resolve",
    "export_pay",
)

ALLOWED: dict[str, frozenset[str]] = {
    DRAFT: frozenset({"compute"}),
    COMPUTED: frozenset({"compute", "nominate", "calibrate", "override", "lead_view"}),
    IN_REVIEW: frozenset({"compute", "comment", "nominate", "calibrate", "override", "lead_view"}),
    APPROVED: frozenset({"lead_view", "export_pay"}),
    PUBLISHED: frozenset({"lead_view", "visible", "export_pay"}),
    APPEALS: frozenset({"compute", "lead_view", "visible", "appeal", "resolve", "export_pay"}),
    CLOSED: frozenset({"lead_view", "visible", "export_pay"}),
}

# What a step asks for: opening the appeal window, its deadline; closing, the day the level
# changes take effect.
ASKS = {APPEALS: "appeal_deadline", CLOSED: "effective_date"}

# The steps into these states cannot be undone: the page asks the person to confirm what follows.
IRREVERSIBLE = frozenset({APPROVED, PUBLISHED, CLOSED})

NEXT: dict[str, str] = {
    COMPUTED: IN_REVIEW,
    IN_REVIEW: APPROVED,
    APPROVED: PUBLISHED,
    PUBLISHED: APPEALS,
    APPEALS: CLOSED,
}


def allows(state: str, action: str) -> bool:
    if action not in ACTIONS:
        raise ValueError(f"unknown workflow action {action!r}")
    return action in ALLOWED[state]


def states_allowing(action: str) -> list[str]:
    """The states in which ``action`` is allowed, in workflow order (for queries)."""
    return [s for s in ORDER if allows(s, action)]


def next_state(state: str) -> str | None:
    return NEXT.get(state)
