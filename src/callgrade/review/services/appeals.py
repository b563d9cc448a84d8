"""Appeals that correct. An employee disputes a KPI of a rating period, or one record behind it,
during the appeal window. HR upholds or rejects it; upholding with a correction records the
correction (a KPI source record corrected or excluded, with the reason), keeps the employee's
figures as they were, and recomputes that employee, so the agent sees before → after. The
correction is data: every later computation applies it again."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from callgrade.core.audit import audit, notify
from callgrade.cycles.models import Cycle, Decision, KpiValue, ScoreTotal
from callgrade.cycles.services.cycles import WorkflowError, cycle_compute, job_running
from callgrade.engine.cycle import rating_periods
from callgrade.engine.kpis import REGISTRY
from callgrade.people.access import HR_GROUP, allowed, employee_of
from callgrade.people.services.records import RecordError, correction_record
from callgrade.review.models import Appeal


@dataclass(frozen=True)
class CorrectionInput:
    """What HR corrects when upholding: ``field`` blank excludes the record."""

    target_table: str
    record_id: str
    field: str = ""
    value: str = ""
    before: str = ""


def appeal_figures(appeal: Appeal) -> dict[str, Any]:
    """The employee's stored figures the appeal is about, now: the disputed KPI of its period
    (or of every period), the period's total and rating, and the level decision. Kept in
    ``appeal.before`` when a correction is made; read again afterwards for "after"."""
    cycle, emp = appeal.cycle, appeal.employee
    kpis = KpiValue.objects.filter(cycle=cycle, employee=emp, kpi=appeal.kpi)
    totals = ScoreTotal.objects.filter(cycle=cycle, employee=emp)
    if appeal.period:
        kpis, totals = kpis.filter(period=appeal.period), totals.filter(period=appeal.period)
    decision = Decision.objects.filter(cycle=cycle, employee=emp).first()
    return {
        "kpi": [
            {
                "period": k.period,
                "value": k.value,
                "numerator": k.numerator,
                "denominator": k.denominator,
                "sample_size": k.sample_size,
                "unit": k.unit,
            }
            for k in kpis.order_by("period")
        ]
        if appeal.kpi
        else [],
        "totals": [
            {"period": t.period, "total": t.total, "rating": t.final_rating}
            for t in totals.order_by("period")
        ],
        "decision": {"action": decision.action, "level_to": decision.level_to}
        if decision
        else None,
    }


def appeal_file(
    *,
    cycle: Cycle,
    actor: Any,
    reason: str,
    kpi: str = "",
    period: str = "",
    target_table: str = "",
    record_id: str = "",
) -> Appeal:
    """The acting employee disputes their result in ``cycle``: a KPI of a rating period, and
    optionally one record behind it (as the drill-down names it)."""
    me = employee_of(actor)
    if me is None:
        raise WorkflowError(_("Only employees file appeals."))
    if not cycle.allows("appeal"):
        raise WorkflowError(_("Appeals are taken during the appeal window."))
    if cycle.appeal_deadline and timezone.localdate() > cycle.appeal_deadline:
        raise WorkflowError(_("The appeal window has closed."))
    if not reason.strip():
        raise WorkflowError(_("An appeal needs a reason."))
    if kpi and kpi not in REGISTRY:
        raise WorkflowError(_("Choose an indicator of your scorecard."))
    labels = [p.label for p in rating_periods(cycle.policy_version.policy(), cycle.period)]
    if period and period not in labels:
        raise WorkflowError(_("Choose a period of this cycle."))
    if record_id and not (kpi and period and target_table):
        raise WorkflowError(_("A disputed record is named with its indicator and period."))
    with transaction.atomic():
        a = Appeal.objects.create(
            cycle=cycle,
            employee=me,
            reason=reason,
            filed_by=actor,
            kpi=kpi,
            period=period,
            target_table=target_table,
            record_id=record_id[:200],
        )
        audit(
            actor,
            "appeal_file",
            a,
            after={"cycle": cycle.pk, "kpi": kpi, "period": period, "record": record_id},
            reason=reason,
        )
        hr = get_user_model().objects.filter(
            Q(groups__name=HR_GROUP) | Q(is_superuser=True), is_active=True
        )
        for user in hr.distinct():
            notify(
                user,
                en=f"{me.name} filed an appeal on {cycle.name}.",
                zh=f"{me.name} 对 {cycle.name} 提出了申诉。",
                url="/appeals/",
            )
    return a


def appeal_resolve(
    *,
    appeal: Appeal,
    uphold: bool,
    resolution: str,
    actor: Any,
    correction: CorrectionInput | None = None,
) -> Appeal:
    """HR resolves an appeal. Upholding it with ``correction`` records the correction, keeps the
    employee's figures before it in ``appeal.before`` and recomputes that employee."""
    if not allowed(actor, "appeal", appeal, "resolve"):
        raise WorkflowError(_("You may not resolve this appeal."))
    if appeal.state != Appeal.OPEN:
        raise WorkflowError(_("This appeal was already resolved."))
    if not resolution.strip():
        raise WorkflowError(_("A resolution needs an explanation."))
    if correction is not None and not uphold:
        raise WorkflowError(_("Only an upheld appeal corrects a record."))
    recompute = correction is not None
    if recompute:
        if not appeal.cycle.allows("compute"):
            raise WorkflowError(_("This cycle can no longer be recomputed."))
        if job_running(appeal.cycle):
            raise WorkflowError(_("Wait for the computation to finish."))
    with transaction.atomic():
        if correction is not None:
            appeal.before = appeal_figures(appeal)
            try:
                correction_record(
                    employee=appeal.employee,
                    target_table=correction.target_table,
                    record_id=correction.record_id,
                    field=correction.field,
                    value=correction.value,
                    before=correction.before,
                    reason=resolution,
                    actor=actor,
                    appeal=appeal,
                )
            except RecordError as e:
                raise WorkflowError(str(e)) from None
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
            after={"state": appeal.state, "corrected": recompute},
            reason=resolution,
        )
        notify(
            appeal.filed_by,
            en=f"Your appeal was {'upheld' if uphold else 'rejected'}: {resolution}",
            zh=f"您的申诉已{'支持' if uphold else '驳回'}：{resolution}",
            url="/me/appeals/",
        )
    if recompute:
        cycle_compute(cycle=appeal.cycle, actor=actor, only=[appeal.employee.employee_id])
    return appeal
