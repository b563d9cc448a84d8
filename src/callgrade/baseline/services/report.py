"""Computing a current-state report in the background: the staff come from the record of
people as they stood on the period's last day, the facts from the warehouse; the engine
(``engine.analysis.baseline``) computes; the report is kept whole."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from callgrade.baseline.models import BaselineReport
from callgrade.core.audit import audit
from callgrade.core.jobs import Progress, job_start, jobs_reap, register
from callgrade.core.models import Job
from callgrade.engine.analysis.baseline_data import baseline_from, staff_from_roster
from callgrade.engine.periods import parse_period
from callgrade.people.inputs import roster_table, warehouse
from callgrade.standards.services import policy_current

KIND = "baseline_report"
MAX_MONTHS = 24


class BaselineError(ValueError):
    """A period the report cannot be computed for, or one already being computed."""


def report_time_zone() -> str:
    """The published standard's time zone, else the app's (there may be no standard yet)."""
    version = policy_current()
    return version.policy().time_zone if version is not None else str(settings.TIME_ZONE)


def check_period(period: str, tz: str) -> None:
    """Refuse a period the engine cannot read, or longer than ``MAX_MONTHS`` months."""
    if not period.strip():
        raise BaselineError(_("Give a period, for example 2026-Q1 or 2026-01-01..2026-03-31."))
    try:
        months = parse_period(period.strip(), tz=tz, grain="month")
    except ValueError as e:
        raise BaselineError(
            _("Period %(period)s: %(error)s") % {"period": period, "error": e}
        ) from None
    if len(months) > MAX_MONTHS:
        raise BaselineError(
            _("Period %(period)s spans %(n)s months; at most %(max)s are read.")
            % {"period": period, "n": len(months), "max": MAX_MONTHS}
        )


def running() -> Job | None:
    jobs_reap()
    return Job.objects.filter(kind=KIND, state__in=[Job.QUEUED, Job.RUNNING]).first()


def baseline_start(*, actor: Any, period: str) -> Job:
    """Start computing the report for ``period`` in the background."""
    tz = report_time_zone()
    check_period(period, tz)
    if running() is not None:
        raise BaselineError(_("A current-state report is already being computed."))
    return job_start(kind=KIND, actor=actor, period=period.strip(), time_zone=tz)


def baseline_compute(period: str, tz: str, *, actor: Any = None, job: Job | None = None,
                     on_progress: Progress | None = None) -> BaselineReport:  # fmt: skip
    """Compute and keep the report for ``period`` (audited)."""
    steps = {"KPIs": 0.1, "coverage": 0.6}

    def on_step(name: str) -> None:
        if on_progress:
            on_progress(steps.get(name, 0.8), name)

    whole = parse_period(period, tz=tz)[0]
    as_of = (whole.end.astimezone(ZoneInfo(tz)) - dt.timedelta(days=1)).date()
    staff = staff_from_roster(roster_table(ZoneInfo(tz), as_of), tz)
    with warehouse().snapshot() as snap:
        report = baseline_from(snap, staff, period, tz, as_of=as_of, on_step=on_step)
    if on_progress:
        on_progress(0.9, "store results")
    with transaction.atomic():
        stored = BaselineReport.objects.create(
            period=period,
            label=report.period,
            time_zone=tz,
            job=job,
            created_by=actor,
            computed_at=timezone.now(),
            headcount=report.headcount,
            result=report.to_dict(),
        )
        audit(
            actor,
            "baseline_report",
            stored,
            after={
                "period": period,
                "headcount": report.headcount,
                "findings": len(report.findings),
            },
        )
    return stored


@register(KIND)
def _compute(job: Job, on_progress: Progress) -> None:
    baseline_compute(
        job.arguments["period"],
        job.arguments["time_zone"],
        actor=job.created_by,
        job=job,
        on_progress=on_progress,
    )
