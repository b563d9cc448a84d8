"""What the version page shows: the changes in words, the simulation's tables with people's and
levels' names, and its summary (cost in money, ratings and levels that change)."""

from __future__ import annotations

import math
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from callgrade.core.models import Job
from callgrade.core.query import query_id
from callgrade.engine.policy import Policy
from callgrade.people.models import Employee
from callgrade.standards.diffwords import CURRENCY, Change, change_sentences
from callgrade.standards.labels import action_label
from callgrade.standards.models import PolicyVersion
from callgrade.standards.services import diff_base
from callgrade.standards.text import text


def version_changes(version: PolicyVersion, lang: str) -> list[Change]:
    """``version``'s changes against what it is compared with (see :func:`diff_base`)."""
    base = diff_base(version)
    if base is None or base.pk == version.pk:
        return []
    return change_sentences(base.policy(), version.policy(), lang)


def simulation_job(version: PolicyVersion, job_id: Any = None) -> Job | None:
    """A simulation job of this version (the job belongs to the version, so the version's
    access rule covers it): the one asked for, else the one kept at publishing, else the
    latest."""
    jobs = Job.objects.filter(kind="policy_simulate", arguments__version=version.pk)
    if job_id is not None:
        pk = query_id(job_id)
        return jobs.filter(pk=pk).first() if pk is not None else None
    if version.simulation_id is not None:
        return jobs.filter(pk=version.simulation_id).first()
    return jobs.order_by("-created_at", "-id").first()


def _policies(job: Job) -> list[Policy]:
    ids = [job.arguments.get("version"), job.arguments.get("current")]
    return [v.policy() for v in PolicyVersion.objects.filter(pk__in=[i for i in ids if i])]


def _money(value: float, currency: str) -> str:
    sign = "+" if value > 0 else "−" if value < 0 else ""
    return f"{sign}{CURRENCY.get(currency, currency + ' ')}{abs(value):,.2f}"


def _summary(report: dict[str, list[dict[str, Any]]], currency: str) -> dict[str, Any]:
    total = next((r for r in report.get("pay", []) if r["employee_id"] == "(total)"), None)
    before = float(total["pay_before"] or 0) if total else 0.0
    after = float(total["pay_after"] or 0) if total else 0.0
    diff = after - before
    ratings = report.get("ratings", [])
    rated = {r["employee_id"] for r in ratings}
    levels = report.get("levels", [])
    paid = [r for r in report.get("pay", []) if r["employee_id"] != "(total)" and r["difference"]]
    return {
        "cost_before": _money(before, currency).lstrip("+"),
        "cost_after": _money(after, currency).lstrip("+"),
        "cost_change": _money(diff, currency),
        "cost_percent": f"{diff / before * 100:+.1f}%" if before else "",
        "cost_up": diff > 0,
        "cost_down": diff < 0,
        "ratings": len(ratings),
        "rated_people": len(rated),
        "levels": len(levels),
        "paid_people": len(paid),
    }


def _chart_sentence(rows: list[dict[str, Any]], lang: str) -> str:
    moved = sorted((r for r in rows if r["shift"]), key=lambda r: -abs(r["shift"]))
    if not moved:
        return _("The rating distribution is the same under both versions.")
    parts = [
        _("%(period)s rating %(rating)s: %(before)s → %(after)s")
        % {"period": r["period"], "rating": r["rating"], "before": r["before"], "after": r["after"]}
        for r in moved[:4]
    ]
    head = ngettext(
        "%(count)s count of employees per rating changes; the largest: ",
        "%(count)s counts of employees per rating change; the largest: ",
        len(moved),
    ) % {"count": len(moved)}
    zh = lang.startswith("zh")
    return head + ("；" if zh else "; ").join(parts) + ("。" if zh else ".")


def job_context(version: PolicyVersion, job: Job | None, lang: str) -> dict[str, Any]:
    """The job and, once done, its report tables as rows of named values, with people's names
    and level and action names in place of codes, and the summary."""
    stored = (job.arguments.get("report") or {}) if job is not None else {}
    report = {
        name: [dict(zip(t["columns"], row, strict=True)) for row in t["rows"]]
        for name, t in stored.items()
        if "columns" in t  # tables; the distributions beside them are for the form editor
    }
    context: dict[str, Any] = {"version": version, "job": job, "report": None}
    if not stored or job is None:
        return context
    ids = {r["employee_id"] for name in ("ratings", "levels", "pay") for r in report.get(name, [])}
    names = dict(Employee.objects.filter(employee_id__in=ids).values_list("employee_id", "name"))
    policies = _policies(job)
    levels = {
        lv.code: text(lv.label, lang) for p in policies for lad in p.ladders for lv in lad.levels
    }
    for name in ("ratings", "levels", "pay"):
        for row in report.get(name, []):
            row["name"] = names.get(row["employee_id"], "")
    for row in report.get("levels", []):
        for side in ("before", "after"):
            level = row.get(f"level_to_{side}")
            row[f"level_{side}_name"] = levels.get(level, level) if level else ""
            row[f"action_{side}_name"] = action_label(row.get(f"action_{side}") or "")
    for row in report.get("ratings", []):
        for side in ("before", "after"):
            v = row.get(f"score_{side}")
            if isinstance(v, float) and math.isnan(v):
                row[f"score_{side}"] = None
    baseline = PolicyVersion.objects.filter(pk=job.arguments.get("current")).first()
    currency = version.policy().currency
    summary = _summary(report, currency)
    # the pay table lists the people whose pay changes, then the total
    report["pay"] = [
        r for r in report.get("pay", []) if r["difference"] or r["employee_id"] == "(total)"
    ]
    context.update(
        report=report,
        summary=summary,
        chart_sentence=_chart_sentence(report.get("distribution", []), lang),
        baseline=baseline,
        baseline_label=text(baseline.policy().label, lang) if baseline else "",
    )
    return context
