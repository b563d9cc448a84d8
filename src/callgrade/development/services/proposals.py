"""Training proposals: stored when a cycle is computed, decided by a lead or HR.

The standard's ``training_rules`` are evaluated by the engine (``engine/scoring/training.py``)
over what the computation stored; each gap found is stored once under its key. A gap already on
record is left as it was decided — except a deferral whose date has passed, which comes back as
a proposal while the gap is still found — so a recompute or the next cycle never proposes the
same gap twice. A person with an open proposal (or a deferral) of a course gets no second one.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

from django.db import transaction
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext as _

from callgrade.core.audit import audit, notify
from callgrade.cycles.models import Cycle, Decision, KpiValue, ScoreTotal
from callgrade.cycles.signals import cycle_computed
from callgrade.development.models import Course, Proposal
from callgrade.development.services import DevelopmentError
from callgrade.engine.people import assessments_counted
from callgrade.engine.policy import Policy
from callgrade.engine.policy.training_rules import KpiGap
from callgrade.engine.scoring.training import (
    GapInputs,
    KpiPoint,
    Person,
    RankPoint,
    training_proposals,
)
from callgrade.people.access import allowed
from callgrade.people.inputs import assessments_table
from callgrade.people.models import Employee

DECISIONS = ("confirm", "defer", "reject")


def _periods(cycle: Cycle) -> list[str]:
    return sorted(
        set(ScoreTotal.objects.filter(cycle=cycle).values_list("period", flat=True).distinct())
    )


def gap_inputs(cycle: Cycle, policy: Policy) -> GapInputs:
    """What the rules read, from the cycle's stored results and the record of people."""
    decisions = {
        d.employee_id: d for d in Decision.objects.filter(cycle=cycle).select_related("employee")
    }
    graded = Employee.objects.filter(
        pk__in=ScoreTotal.objects.filter(cycle=cycle).values("employee_id")
    )
    people = [
        Person(e.employee_id, e.position, (decisions[e.pk].level_from if e.pk in decisions else "")
               or e.level)
        for e in graded
    ]  # fmt: skip
    own = _periods(cycle)
    kpis = sorted({r.when.kpi for r in policy.training_rules if isinstance(r.when, KpiGap)})
    points: dict[tuple[str, str, str], tuple[Any, KpiPoint]] = {}
    if kpis and own:
        # earlier cycles' periods too, so a run that goes on across cycles keeps its first period;
        # of a period computed by several cycles, the latest computation's value
        rows = (
            KpiValue.objects.filter(employee__in=graded, kpi__in=kpis, period__lte=own[-1])
            .select_related("employee", "cycle")
            .order_by("cycle__computed_at", "cycle_id")
        )
        for r in rows:
            if len(r.period) != len(own[0]):
                continue  # another rating grain
            point = KpiPoint(r.employee.employee_id, r.period, r.kpi, r.value, r.sample_size)
            points[(point.employee_id, r.period, r.kpi)] = (r.cycle_id, point)
    periods = sorted({p for _, p, _ in points} | set(own))
    end = dt.date.fromisoformat(cycle.cycle_end) if cycle.cycle_end else None
    scores: dict[str, dict[str, float]] = {}
    counted = assessments_counted(policy, assessments_table(zoneinfo.ZoneInfo(policy.time_zone)))
    for a in sorted(counted.to_pylist(), key=lambda a: a["assessed_at"]):
        if end is None or a["assessed_at"].date() <= end:
            scores.setdefault(a["employee_id"], {})[a["competency"]] = a["score"]
    ranks = [
        RankPoint(t.employee.employee_id, t.period, t.rank, t.group_size)
        for t in ScoreTotal.objects.filter(
            cycle=cycle, rank__isnull=False, group_size__isnull=False
        ).select_related("employee")
    ]
    return GapInputs(
        people=people,
        periods=periods,
        kpis=[p for _, p in points.values()],
        competencies=scores,
        decisions={d.employee.employee_id: d.final_action or d.action for d in decisions.values()},
        ranks=ranks,
        computation=f"cycle-{cycle.pk}",
    )


def proposals_store(cycle: Cycle, *, today: dt.date | None = None) -> dict[str, int]:
    """Store the gaps the cycle's computation shows; returns how many were new, came back after a
    deferral, or were already on record."""
    policy = cycle.policy_version.policy()
    counts = {"new": 0, "back": 0, "known": 0}
    if not policy.training_rules:
        return counts
    today = today or timezone.localdate()
    found = training_proposals(policy, gap_inputs(cycle, policy))
    ids = dict(Employee.objects.values_list("employee_id", "pk"))
    courses = {c.training: c for c in Course.objects.filter(active=True)}
    end = dt.date.fromisoformat(cycle.cycle_end) if cycle.cycle_end else today
    with transaction.atomic():
        for p in found:
            existing = Proposal.objects.select_for_update().filter(gap_key=p.gap_key).first()
            if existing is not None:
                if existing.state == Proposal.DEFERRED and (
                    existing.deferred_until is None or existing.deferred_until <= today
                ):
                    existing.state, existing.evidence = Proposal.PROPOSED, p.evidence
                    existing.save(update_fields=["state", "evidence"])
                    audit(None, "proposal_back", existing, before={"state": "deferred"},
                          after={"state": "proposed", "cycle": cycle.pk})  # fmt: skip
                    counts["back"] += 1
                else:
                    counts["known"] += 1
                continue
            open_same = Proposal.objects.filter(
                employee_id=ids[p.employee_id], training=p.course, state__in=Proposal.OPEN
            ).exists()
            if open_same:
                counts["known"] += 1
                continue
            made = Proposal.objects.create(
                employee_id=ids[p.employee_id],
                gap_key=p.gap_key,
                rule=p.rule,
                kind=p.kind,
                training=p.course,
                course=courses.get(p.course),
                evidence=p.evidence,
                cycle=cycle,
                suggested_due=end + dt.timedelta(days=p.due_days),
            )
            audit(None, "proposal_create", made, after={
                "employee": p.employee_id, "rule": p.rule, "training": p.course,
                "gap": p.gap_key, "cycle": cycle.pk,
            })  # fmt: skip
            counts["new"] += 1
    return counts


@receiver(cycle_computed, dispatch_uid="development_proposals")
def _on_computed(sender: Any, cycle: Cycle, **kwargs: Any) -> None:
    proposals_store(cycle)


def proposal_decide(
    *,
    proposal: Proposal,
    decision: str,
    actor: Any,
    due: dt.date | None = None,
    until: dt.date | None = None,
    reason: str = "",
    today: dt.date | None = None,
) -> Proposal:
    """Confirm (with a due date), defer (until a date) or reject (with a reason) a proposal."""
    today = today or timezone.localdate()
    if not allowed(actor, "proposal", proposal, "decide"):
        raise DevelopmentError(_("Only the team's lead or HR decides this proposal."))
    if proposal.state != Proposal.PROPOSED:
        raise DevelopmentError(_("This proposal has already been decided."))
    if decision not in DECISIONS:
        raise DevelopmentError(_("Confirm, defer or reject the proposal."))
    reason = reason.strip()
    if decision == "confirm" and (due is None or due < today):
        raise DevelopmentError(_("An assignment needs a due date from today on."))
    if decision == "defer" and (until is None or until <= today):
        raise DevelopmentError(_("A deferral needs a date after today."))
    if decision == "reject" and not reason:
        raise DevelopmentError(_("Say why the proposal is rejected."))
    state = {"confirm": Proposal.CONFIRMED, "defer": Proposal.DEFERRED, "reject": Proposal.REJECTED}
    with transaction.atomic():
        before = {"state": proposal.state}
        proposal.state = state[decision]
        proposal.due = due if decision == "confirm" else None
        proposal.deferred_until = until if decision == "defer" else None
        proposal.reason = reason
        proposal.decided_by = actor
        proposal.decided_at = timezone.now()
        proposal.save()
        audit(
            actor,
            "proposal_decide",
            proposal,
            before=before,
            after={
                "state": proposal.state,
                "due": due.isoformat() if proposal.due and due else None,
                "until": until.isoformat() if proposal.deferred_until and until else None,
            },
            reason=reason,
        )
        user = proposal.employee.user
        if decision == "confirm" and user is not None:
            notify(
                user,
                en=f"A training is assigned to you, due {due}.",
                zh=f"已为你安排一项培训，截止日期 {due}。",
                url="/me/development/",
            )
    return proposal
