"""The grading-cycle workflow.

draft → computed → in review → approved → published → appeal window → closed. Computing runs
the engine as a background job and replaces the stored results (idempotent); every transition,
calibration and decision is audited.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from callgrade.core.audit import audit, notify
from callgrade.core.jobs import JobBusy, Progress, job_start, jobs_reap, register
from callgrade.core.models import Job
from callgrade.cycles.models import Calibration, Cycle, Decision, ScoreTotal
from callgrade.cycles.services.deferrals import deferral_history, deferrals_store
from callgrade.cycles.services.fairness import fairness_refresh
from callgrade.cycles.services.program import program_refresh
from callgrade.cycles.services.results import store_results
from callgrade.cycles.signals import cycle_computed
from callgrade.cycles.workflow import next_state
from callgrade.engine.cycle import last_local_day, rating_periods, run_cycle
from callgrade.people.inputs import cycle_inputs, warehouse
from callgrade.people.models import Employee, LevelChange
from callgrade.people.services.sync import people_import_warehouse
from callgrade.review.models import Appeal
from callgrade.standards.models import PolicyVersion


class WorkflowError(ValueError):
    """A step the cycle's state does not allow, or a missing reason."""


def cycle_create(
    *,
    actor: Any,
    name: str,
    period: str,
    policy_version: PolicyVersion,
    teams: list[Any] | None = None,
    positions: list[str] | None = None,
) -> Cycle:
    if not name.strip():
        raise WorkflowError(_("A cycle needs a name."))
    if policy_version.status != PolicyVersion.PUBLISHED:
        raise WorkflowError(_("A cycle needs a published standard."))
    policy = policy_version.policy()
    try:
        periods = rating_periods(policy, period)
    except ValueError as e:
        raise WorkflowError(
            _("Period %(period)s: %(error)s") % {"period": period, "error": e}
        ) from None
    if not periods:
        raise WorkflowError(_("Period %(period)s holds no rating period.") % {"period": period})
    with transaction.atomic():
        cycle = Cycle.objects.create(
            name=name,
            period=period,
            policy_version=policy_version,
            positions=positions or [],
            created_by=actor,
        )
        if teams:
            cycle.teams.set(teams)
        audit(
            actor,
            "cycle_create",
            cycle,
            after={
                "name": name,
                "period": period,
                "policy": str(policy_version),
                "teams": sorted(t.name for t in teams or []),
                "positions": positions or [],
            },
        )
    return cycle


def population_queryset(cycle: Cycle) -> QuerySet[Employee]:
    """The employees the cycle grades, as a queryset (pages filter with it as a subquery)."""
    qs = Employee.objects.exclude(status="left")
    team_ids = list(cycle.teams.values_list("id", flat=True))
    if team_ids:
        qs = qs.filter(team_id__in=team_ids)
    if cycle.positions:
        qs = qs.filter(position__in=cycle.positions)
    return qs


def population(cycle: Cycle) -> dict[str, int]:
    """employee id → pk of the employees the cycle grades."""
    return dict(population_queryset(cycle).values_list("employee_id", "id"))


def job_running(cycle: Cycle) -> bool:
    jobs_reap(cycle=cycle)  # a computation whose worker died no longer holds the cycle
    return Job.objects.filter(cycle=cycle, state__in=[Job.QUEUED, Job.RUNNING]).exists()


def cycle_compute(*, cycle: Cycle, actor: Any, only: list[str] | None = None) -> Job:
    """Start the engine on the cycle in the background (all of it, or ``only`` some employees)."""
    if not cycle.allows("compute"):
        raise WorkflowError(
            _("A cycle in state “%(state)s” cannot be computed.")
            % {"state": cycle.get_state_display()}
        )
    try:  # the database refuses a second active job for the cycle (see core.jobs)
        return job_start(kind="cycle_compute", actor=actor, cycle=cycle, only=only)
    except JobBusy:
        raise WorkflowError(_("This cycle is already being computed.")) from None


@register("cycle_compute")
def _compute(job: Job, on_progress: Progress) -> None:
    cycle = Cycle.objects.select_related("policy_version").get(pk=job.cycle_id)
    policy = cycle.policy_version.policy()
    overrides = {
        (c.period, c.employee.employee_id): c.rating
        for c in Calibration.objects.filter(cycle=cycle).select_related("employee")
    }
    periods = rating_periods(policy, cycle.period)
    steps = len(periods) + 4  # KPIs, each period, grading, the other KPIs, storing
    done = [0]

    def on_step(name: str) -> None:
        done[0] += 1
        on_progress(done[0] / steps, name)

    # files ingested since the last computation reach the record of people first
    people_import_warehouse(warehouse=warehouse(), time_zone=policy.time_zone)
    # every KPI, not only the standard's: the scorecard page lists them all
    # everyone in the position and team they held on the cycle's last day
    as_of = last_local_day(periods[-1], policy.time_zone)
    result = run_cycle(
        cycle_inputs(policy.time_zone, as_of),
        policy,
        period=cycle.period,
        on_step=on_step,
        rating_overrides=overrides,
        all_kpis=True,
        deferred=deferral_history(cycle) if policy.pay.deferred_bonus else None,
    )
    on_progress((steps - 1) / steps, "store results")
    only = job.arguments.get("only")
    with transaction.atomic():
        # Only the cycle's active computation stores: one reaped as stale meanwhile (its cycle
        # perhaps computed again since) must not replace newer results.
        if not Job.objects.select_for_update().filter(pk=job.pk, state=Job.RUNNING).exists():
            raise WorkflowError(_("This computation was stopped before it stored its results."))
        # HR's final decisions survive a recompute like calibrations do: the engine's proposal is
        # replaced, what HR decided on top of it is put back.
        finals = {
            d.employee_id: (d.final_action, d.final_level, d.final_reason)
            for d in Decision.objects.filter(cycle=cycle).exclude(final_level="")
        }
        counts = store_results(cycle, result, population(cycle), only=set(only) if only else None)
        # the whole ledger, even for a few employees: it depends on no one's pay but their own,
        # and the engine computed everyone
        counts.update(deferrals_store(cycle, result.ledger, population(cycle)))
        for emp_pk, (action, level, reason) in finals.items():
            Decision.objects.filter(cycle=cycle, employee_id=emp_pk).update(
                final_action=action, final_level=level, final_reason=reason
            )
        before = cycle.state
        if cycle.state == Cycle.DRAFT:
            cycle.state = Cycle.COMPUTED
        cycle.computed_at = timezone.now()
        cycle.cycle_end = result.decisions.cycle_end if result.decisions else ""
        cycle.save(update_fields=["state", "computed_at", "cycle_end"])
        audit(
            job.created_by,
            "cycle_compute",
            cycle,
            before={"state": before},
            after={"state": cycle.state, "rows": counts, "only": only},
        )
        # every computation audits the ratings it stored (the page shows it before approval)
        fairness_refresh(cycle)
        # and is summed for the program dashboard across cycles
        program_refresh(cycle)
        cycle_computed.send(sender=Cycle, cycle=cycle)


def cycle_advance(*, cycle: Cycle, actor: Any, reason: str = "", **options: Any) -> Cycle:
    """Move the cycle to its next state."""
    to = next_state(cycle.state)
    if to is None:
        raise WorkflowError(
            _("A cycle in state “%(state)s” has no next step.")
            % {"state": cycle.get_state_display()}
        )
    if job_running(cycle):
        raise WorkflowError(_("Wait for the computation to finish."))
    if to == Cycle.CLOSED and Appeal.objects.filter(cycle=cycle, state=Appeal.OPEN).exists():
        raise WorkflowError(_("Resolve the open appeals before closing the cycle."))
    with transaction.atomic():
        before = cycle.state
        cycle.state = to
        fields = ["state"]
        if to == Cycle.PUBLISHED:
            cycle.published_at = timezone.now()
            fields.append("published_at")
            _notify_published(cycle)
        if to == Cycle.APPEALS:
            cycle.appeal_deadline = options.get("appeal_deadline") or (
                timezone.localdate() + dt.timedelta(days=14)
            )
            fields.append("appeal_deadline")
            _notify_appeals_open(cycle)
        if to == Cycle.IN_REVIEW:
            _notify_review_open(cycle)
        if to == Cycle.CLOSED:
            effective = options.get("effective_date") or timezone.localdate()
            cycle.effective_date = effective
            fields.append("effective_date")
            _apply_levels(cycle, effective)
        cycle.save(update_fields=fields)
        if cycle.computed_at is not None:  # decisions made in review reach the dashboard's flows
            program_refresh(cycle, training=False)
        audit(
            actor,
            "cycle_advance",
            cycle,
            before={"state": before},
            after={
                "state": to,
                **{k: str(v) for k, v in options.items() if v},
            },
            reason=reason,
        )
    return cycle


def _notify_published(cycle: Cycle) -> None:
    graded = population_queryset(cycle).filter(user__isnull=False).select_related("user")
    for emp in graded:
        notify(
            emp.user,
            en=f"Your results for {cycle.name} are published.",
            zh=f"{cycle.name} 的定级结果已发布。",
            url=f"/me/?cycle={cycle.pk}",
        )


def _notify_appeals_open(cycle: Cycle) -> None:
    day = cycle.appeal_deadline.isoformat() if cycle.appeal_deadline else ""
    for emp in population_queryset(cycle).filter(user__isnull=False).select_related("user"):
        notify(
            emp.user,
            en=f"Appeals on {cycle.name} are open until {day}.",
            zh=f"{cycle.name} 开始受理申诉，截止日期 {day}。",
            url="/me/appeals/",
        )


def _notify_review_open(cycle: Cycle) -> None:
    """Each lead of a team the cycle grades is asked to review their team."""
    leads = (
        Employee.objects.filter(
            teams_led__members__in=population_queryset(cycle), user__isnull=False
        )
        .select_related("user")
        .distinct()
    )
    for lead in leads:
        notify(
            lead.user,
            en=f"The review of {cycle.name} is open: comment on your team and nominate.",
            zh=f"{cycle.name} 已进入评审：请对班组成员发表意见并提名。",
            url=f"/team/?cycle={cycle.pk}",
        )


def _apply_levels(cycle: Cycle, effective: dt.date) -> None:
    for d in Decision.objects.filter(cycle=cycle, applied=False).select_related("employee"):
        level = d.final_level or d.level_to
        emp = d.employee
        if level and level != emp.level:
            LevelChange.objects.create(
                employee=emp,
                level_from=emp.level,
                level_to=level,
                effective=effective,
                cycle=cycle,
                reason=d.final_reason or d.reason,
            )
            emp.level = level
            emp.level_since = effective
            emp.save(update_fields=["level", "level_since"])
        d.applied = True
        d.save(update_fields=["applied"])


def rating_calibrate(
    *, cycle: Cycle, employee: Employee, period: str, rating: str, reason: str, actor: Any
) -> Job:
    """HR sets a rating with a mandatory reason; the engine recomputes that employee so pay and
    grading follow the calibrated rating."""
    if not cycle.allows("calibrate"):
        raise WorkflowError(_("Ratings are calibrated while the cycle is computed or in review."))
    if not reason.strip():
        raise WorkflowError(_("A calibration needs a reason."))
    grades = [g.code for g in cycle.policy_version.policy().ratings.grades]
    if rating not in grades:
        raise WorkflowError(
            _("Unknown rating %(rating)s; the standard has %(grades)s.")
            % {"rating": rating, "grades": ", ".join(grades)}
        )
    total = ScoreTotal.objects.filter(cycle=cycle, employee=employee, period=period).first()
    if total is None:
        raise WorkflowError(_("This employee has no result for that period."))
    with transaction.atomic():
        old = Calibration.objects.filter(cycle=cycle, employee=employee, period=period).first()
        before = {
            "cycle": cycle.pk,
            "period": period,
            "rating": old.rating if old else total.final_rating,
            "computed": total.rating,
            **({"reason": old.reason} if old else {}),
        }
        Calibration.objects.update_or_create(
            cycle=cycle,
            employee=employee,
            period=period,
            defaults={"rating": rating, "reason": reason, "by": actor},
        )
        audit(
            actor,
            "rating_calibrate",
            employee,
            before=before,
            after={"cycle": cycle.pk, "period": period, "rating": rating, "computed": total.rating},
            reason=reason,
        )
    return cycle_compute(cycle=cycle, actor=actor, only=[employee.employee_id])


def decision_override(
    *, decision: Decision, level: str, reason: str, actor: Any, action: str = ""
) -> Decision:
    """HR sets the final level; departing from the engine's proposal needs a written reason."""
    if not decision.cycle.allows("override"):
        raise WorkflowError(_("Decisions are settled while the cycle is computed or in review."))
    levels = ladder_levels(decision.cycle, decision.employee.position)
    if levels and level not in levels:
        raise WorkflowError(
            _("Unknown level %(level)s; the ladder has %(levels)s.")
            % {"level": level, "levels": ", ".join(levels)}
        )
    if level != decision.level_to and not reason.strip():
        raise WorkflowError(_("A decision that departs from the engine's proposal needs a reason."))
    with transaction.atomic():
        before = {
            "cycle": decision.cycle_id,
            "employee": decision.employee.employee_id,
            "proposed": decision.level_to,
            "final_level": decision.final_level,
            "final_action": decision.final_action,
        }
        decision.final_level = level
        decision.final_action = action or _action_between(
            decision.cycle, decision.employee.position, decision.level_from, level
        )
        decision.final_reason = reason
        decision.save(update_fields=["final_level", "final_action", "final_reason"])
        audit(
            actor,
            "decision_override",
            decision,
            before=before,
            after={
                "cycle": decision.cycle_id,
                "employee": decision.employee.employee_id,
                "final_level": level,
                "final_action": decision.final_action,
            },
            reason=reason,
        )
    return decision


def ladder_levels(cycle: Cycle, position: str) -> list[str]:
    """The level codes of ``position``'s ladder in the cycle's standard, lowest first."""
    policy = cycle.policy_version.policy()
    pos = next((p for p in policy.positions if p.code == position), None)
    ladder = next((la for la in policy.ladders if pos and la.code == pos.ladder), None)
    return [lv.code for lv in ladder.ordered()] if ladder else []


def _action_between(cycle: Cycle, position: str, level_from: str, level_to: str) -> str:
    levels = ladder_levels(cycle, position)
    if level_from == level_to or level_from not in levels or level_to not in levels:
        return "hold" if level_from == level_to else "change"
    return "promote" if levels.index(level_to) > levels.index(level_from) else "demote"
