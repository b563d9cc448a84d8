"""Review: comments, promotion nominations (fair by construction), conflicts and appeals."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from callgrade.web.access import allowed, employee_of
from callgrade.web.models import (
    Appeal,
    Comment,
    Conflict,
    Cycle,
    Decision,
    Employee,
    Nomination,
)
from callgrade.web.services.audit import audit, notify
from callgrade.web.services.cycles import WorkflowError, cycle_compute


def comment_add(*, cycle: Cycle, employee: Employee, text: str, actor: Any) -> Comment:
    if cycle.state != Cycle.IN_REVIEW:
        raise WorkflowError("comments are taken while the cycle is in review")
    if not text.strip():
        raise WorkflowError("a comment needs text")
    with transaction.atomic():
        c = Comment.objects.create(cycle=cycle, employee=employee, author=actor, text=text)
        audit(actor, "comment_add", employee, after={"cycle": cycle.pk, "text": text})
    return c


def nomination_create(
    *, cycle: Cycle, employee: Employee, level_to: str, reason: str, actor: Any
) -> Nomination:
    if cycle.state not in (Cycle.COMPUTED, Cycle.IN_REVIEW):
        raise WorkflowError("nominations are taken while the cycle is computed or in review")
    if not reason.strip():
        raise WorkflowError("a nomination needs a reason")
    if Nomination.objects.filter(cycle=cycle, employee=employee, state=Nomination.PENDING).exists():
        raise WorkflowError("this employee already has a pending nomination")
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


def nomination_decide(
    *, nomination: Nomination, approve: bool, reason: str, actor: Any
) -> Nomination:
    """Only HR decides; never the nominator, never on one's own case or a declared relation.
    The checks live in :mod:`callgrade.web.access`; they are asserted again here because a
    service must be safe whoever calls it."""
    if not allowed(actor, "nomination", nomination, "decide"):
        raise WorkflowError("you may not decide this nomination")
    if nomination.state != Nomination.PENDING:
        raise WorkflowError("this nomination was already decided")
    decision = Decision.objects.filter(cycle=nomination.cycle, employee=nomination.employee).first()
    departs = decision is not None and approve and nomination.level_to != decision.level_to
    if (departs or not approve) and not reason.strip():
        raise WorkflowError("a decision that departs from the engine's proposal needs a reason")
    with transaction.atomic():
        nomination.state = Nomination.APPROVED if approve else Nomination.REJECTED
        nomination.decided_by = actor
        nomination.decided_at = timezone.now()
        nomination.decision_reason = reason
        nomination.save()
        if approve and decision is not None:
            decision.final_level = nomination.level_to
            decision.final_action = "promote"
            decision.final_reason = reason or nomination.reason
            decision.save(update_fields=["final_level", "final_action", "final_reason"])
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
    if not relation.strip():
        raise WorkflowError("say what the relation is")
    with transaction.atomic():
        c, _ = Conflict.objects.update_or_create(
            user=actor, employee=employee, defaults={"relation": relation}
        )
        audit(actor, "conflict_declare", employee, after={"relation": relation})
    return c


def appeal_file(*, cycle: Cycle, actor: Any, reason: str) -> Appeal:
    me = employee_of(actor)
    if me is None:
        raise WorkflowError("only employees file appeals")
    if cycle.state != Cycle.APPEALS:
        raise WorkflowError("appeals are taken during the appeal window")
    if cycle.appeal_deadline and timezone.localdate() > cycle.appeal_deadline:
        raise WorkflowError("the appeal window has closed")
    if not reason.strip():
        raise WorkflowError("an appeal needs a reason")
    with transaction.atomic():
        a = Appeal.objects.create(cycle=cycle, employee=me, reason=reason, filed_by=actor)
        audit(actor, "appeal_file", a, after={"cycle": cycle.pk}, reason=reason)
    return a


def appeal_resolve(
    *, appeal: Appeal, uphold: bool, resolution: str, actor: Any, recompute: bool = False
) -> Appeal:
    """HR resolves an appeal; ``recompute`` (after the data was corrected in the warehouse)
    recomputes that employee's results."""
    if not allowed(actor, "appeal", appeal, "resolve"):
        raise WorkflowError("you may not resolve this appeal")
    if appeal.state != Appeal.OPEN:
        raise WorkflowError("this appeal was already resolved")
    if not resolution.strip():
        raise WorkflowError("a resolution needs an explanation")
    with transaction.atomic():
        appeal.state = Appeal.UPHELD if uphold else Appeal.REJECTED
        appeal.resolution = resolution
        appeal.resolved_by = actor
        appeal.resolved_at = timezone.now()
        appeal.recomputed = recompute
        appeal.save()
        audit(
            actor,
            "appeal_resolve",
            appeal,
            before={"state": Appeal.OPEN},
            after={"state": appeal.state, "recompute": recompute},
            reason=resolution,
        )
        notify(
            appeal.filed_by,
            en=f"Your appeal was {appeal.state}: {resolution}",
            zh=f"您的申诉已{'支持' if uphold else '驳回'}：{resolution}",
            url="/me/appeals/",
        )
    if recompute:
        cycle_compute(cycle=appeal.cycle, actor=actor, only=[appeal.employee.employee_id])
    return appeal
