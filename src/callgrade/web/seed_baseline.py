"""Demo content of the current-state report: one report over the demo's whole period, computed
as HR would compute it (once; a re-run keeps it)."""

from __future__ import annotations

from callgrade.baseline.models import BaselineReport
from callgrade.baseline.services.report import baseline_compute, report_time_zone


def seed_baseline(period: str) -> BaselineReport:
    existing = BaselineReport.objects.filter(period=period).first()
    if existing is not None:
        return existing
    return baseline_compute(period, report_time_zone())
