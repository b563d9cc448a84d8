"""Review: comments, promotion nominations (fair by construction) and conflicts of interest."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from callgrade.core.audit import audit, notify
from callgrade.cycles.models import Cycle, Decision
from callgrade.cycles.services.cycles import WorkflowError
from callgrade.engine.policy.model import Level
from callgrade.people.access import allowed, is_hr
from callgrade.people.models import Conflict, Employee
from callgrade.review.duties import Refusals, decide_refusal
from callgrade.review.models import Comment, Nomination


def comment_add(*, cycle: Cycle, employee: Employee, text: str, actor: Any) -> Comment:
    """The employee's lead or HR comments on their results while the cycle is in review."""
    if not allowed(actor, "employee", employee, "review"):
        raise WorkflowError(_("You may not comment on this employee's results."))
    if not cycle.allows("comment"):
        raise WorkflowError(_("Comments are taken while the cycle is in review."))
    if not text.strip():
        raise WorkflowError(_("A comment needs text."))
    with transaction.atomic():
        c = Comment.objects.create(cycle=cycle, employee=employee, author=actor, text=text)
        audit(actor, "comment_add", employee, after={"cycle": cycle.pk, "text": text})
    return c


def nomination_levels(cycle: Cycle, employee: Employee) -> list[Level]:
    """The levels ``employee`` may be nominated to: those of their position's ladder in the
    cycle's standard ranked above their current level (every level when it is unknown)."""
    policy = cycle.policy_version.policy()
    position = next((p for p in policy.positions if p.code == employee.position), None)
    if position is None:
        return []
    levels = policy.ladder(position.ladder).ordered()
    current = next((lv.rank for lv in levels if lv.code == employee.level), None)
    return [lv for lv in levels if current is None or lv.rank > current]


def nomination_create(
    *, cycle: Cycle, employee: Employee, level_to: str, reason: str, actor: Any
) -> Nomination:
    """A team lead (or HR) nominates a member of the cycle for promotion, with a reason."""
    if not allowed(actor, "employee", employee, "review"):
        raise WorkflowError(_("You may not nominate this employee."))
    if not cycle.allows("nominate"):
        raise WorkflowError(_("Nominations are taken while the cycle is computed or in review."))
    if not Decision.objects.filter(cycle=cycle, employee=employee).exists():
        raise WorkflowError(_("This employee has no result in this cycle."))
    if level_to not in {lv.code for lv in nomination_levels(cycle, employee)}:
        raise WorkflowError(_("Choose a level above the current one on the employee's ladder."))
    if not reason.strip():
        raise WorkflowError(_("A nomination needs a reason."))
    if Nomination.objects.filter(cycle=cycle, employee=employee, state=Nomination.PENDING).exists():
        raise WorkflowError(_("This employee already has a pending nomination."))
    with transaction.atomic():
        n = Nomination.objects.create(
            cycle=cycle, employee=employee, level_to=level_to, reason=reason, nominated_by=actor
        )
        audit(
            actor,
            "nomination_create",
            n,
            after={"employee": employee.employee_id, "level_to": level_to},
            reason=reason,
        )
    return n


def nomination_refusal(nomination: Nomination, actor: Any) -> str:
    """Why ``actor`` may not decide ``nomination`` ("" when they may): the rule every decision
    on a person's case follows (:mod:`callgrade.review.duties`), the nominator being the one
    involved."""
    return decide_refusal(
        actor,
        nomination.employee,
        [nomination.nominated_by_id],
        Refusals(
            only_hr=_("Only HR decides nominations."),
            involved=_("You nominated this employee, so someone else in HR must decide."),
        ),
    )


def nomination_decide(
    *, nomination: Nomination, approve: bool, reason: str, actor: Any
) -> Nomination:
    """Only HR decides; never the nominator, never on one's own case or a declared relation.
    The checks live in :mod:`callgrade.people.access`; they are asserted again here because a
    service must be safe whoever calls it. Approving sets the decision's final level; a final
    level that departs from the engine's proposal, or a rejection, needs a written reason."""
    refusal = nomination_refusal(nomination, actor)
    if refusal:
        raise WorkflowError(refusal)
    if nomination.state != Nomination.PENDING:
        raise WorkflowError(_("This nomination was already decided."))
    if not nomination.cycle.allows("nominate"):
        raise WorkflowError(_("Nominations are decided while the cycle is computed or in review."))
    decision = Decision.objects.filter(cycle=nomination.cycle, employee=nomination.employee).first()
    departs = decision is not None and approve and nomination.level_to != decision.level_to
    if departs and not reason.strip():
        raise WorkflowError(_("A decision that departs from the engine's proposal needs a reason."))
    if not approve and not reason.strip():
        raise WorkflowError(_("A rejection needs a reason."))
    with transaction.atomic():
        nomination.state = Nomination.APPROVED if approve else Nomination.REJECTED
        nomination.decided_by = actor
        nomination.decided_at = timezone.now()
        nomination.decision_reason = reason
        nomination.save()
        if approve and decision is not None:
            before = {"final_level": decision.final_level, "final_action": decision.final_action}
            decision.final_level = nomination.level_to
            decision.final_action = "promote"
            decision.final_reason = reason or nomination.reason
            decision.save(update_fields=["final_level", "final_action", "final_reason"])
            audit(
                actor,
                "decision_nomination",
                decision,
                before=before,
                after={"final_level": decision.final_level, "nomination": nomination.pk},
                reason=decision.final_reason,
            )
        audit(
            actor,
            "nomination_decide",
            nomination,
            before={"state": Nomination.PENDING},
            after={"state": nomination.state, "departs": departs},
            reason=reason,
        )
        notify(
            nomination.nominated_by,
            en=f"Your nomination of {nomination.employee.name} was {nomination.state}.",
            zh=f"您对 {nomination.employee.name} 的晋升提名已{'批准' if approve else '驳回'}。",
            url="/nominations/",
        )
    return nomination


def conflict_declare(*, actor: Any, employee: Employee, relation: str) -> Conflict:
    """``actor`` declares a conflict of interest with ``employee``: from then on they may neither
    review nor decide that employee's case."""
    if not relation.strip():
        raise WorkflowError(_("Say what the relation is."))
    with transaction.atomic():
        c, _created = Conflict.objects.update_or_create(
            user=actor, employee=employee, defaults={"relation": relation}
        )
        audit(
            actor,
            "conflict_declare",
            employee,
            after={"employee_id": employee.employee_id, "relation": relation},
        )
    return c


def conflict_declare_by_id(*, actor: Any, employee_id: str, relation: str) -> Conflict | None:
    """Declaring by employee id, for relatives who may work anywhere. Whether the id exists is
    not revealed to someone who may not see that employee: an unknown id is recorded in the
    audit trail like any declaration (and lists the same), it just binds nobody."""
    employee_id = employee_id.strip()
    if not employee_id:
        raise WorkflowError(_("Enter the employee id."))
    if not relation.strip():
        raise WorkflowError(_("Say what the relation is."))
    employee = Employee.objects.filter(employee_id=employee_id).first()
    if employee is not None:
        return conflict_declare(actor=actor, employee=employee, relation=relation)
    if is_hr(actor):  # HR sees every employee: telling them the id is unknown reveals nothing
        raise WorkflowError(_("No employee has this id."))
    with transaction.atomic():
        audit(
            actor,
            "conflict_declare",
            actor,
            after={"employee_id": employee_id, "relation": relation},
        )
    return None
