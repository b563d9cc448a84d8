"""A current-state report for people to read: its findings as sentences, its tables with their
words, and the same as a workbook's sheets. Names of positions and KPIs come from the standards
and the KPI registry; the engine's codes are never shown."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from callgrade.baseline.models import BaselineReport
from callgrade.core.models import Job
from callgrade.engine.analysis.baseline import PERCENTILES
from callgrade.engine.analysis.baseline_words import finding_text, source_name, tenure_name
from callgrade.engine.analysis.baseline_words import report_sheets as sheets
from callgrade.standards.labels import standard_names
from callgrade.standards.text import kpi_label, value_text

KIND = "baseline_report"


def latest_report() -> BaselineReport | None:
    return BaselineReport.objects.order_by("-computed_at", "-id").first()


def latest_job() -> Job | None:
    return Job.objects.filter(kind=KIND).order_by("-created_at", "-id").first()


def recent_reports(limit: int = 10) -> list[BaselineReport]:
    return list(BaselineReport.objects.order_by("-computed_at", "-id")[:limit])


class Names:
    """Display names in ``lang``: positions from the standards (the code where none names it),
    KPIs from the registry, teams as they are called."""

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self.positions = standard_names(lang)["positions"]

    def __call__(self, kind: str, code: str) -> str:
        if kind == "position":
            return self.positions.get(code, code) or _("(no position)")
        if kind == "kpi":
            return kpi_label(code, self.lang)
        return code or _("(no team)")

    def number(self, value: float | None, unit: str) -> str:
        return value_text(value, unit, self.lang)


def _percent(share: float | None) -> str:
    return "—" if share is None else f"{share * 100:.0f}%"


def report_context(report: BaselineReport, lang: str) -> dict[str, Any]:
    """The page's findings and tables."""
    r = report.result
    names = Names(lang)
    findings = [finding_text(f, lang, name=names, number=names.number) for f in r["findings"]]
    staffing: dict[str, list[dict[str, Any]]] = {"position": [], "team": [], "tenure": []}
    for row in r["staffing"]:
        group = row["group"]
        shown = (
            tenure_name(group, lang)
            if row["dimension"] == "tenure"
            else names(row["dimension"], group)
        )
        staffing[row["dimension"]].append({"group": shown, "n": row["n"],
                                           "share": _percent(row["share"])})  # fmt: skip
    kpis = []
    for k in r["kpis"]:
        unit = k["unit"]
        kpis.append(
            {
                "position": names("position", k["position"]),
                "kpi": k["kpi"],
                "kpi_label": names("kpi", k["kpi"]),
                "n": k["n"],
                "percentiles": [names.number(k["percentiles"][f"p{p}"], unit) for p in PERCENTILES],
                "teams": len(k["team_medians"]),
                "team_spread": names.number(k["team_spread"], unit)
                if k["team_spread"] is not None
                else "—",
                "stability": "—" if k["stability"] is None else f"{k['stability']:.2f}",
                "months": [names.number(k["monthly_medians"].get(m), unit) for m in r["months"]],
            }
        )
    coverage = [
        {
            "source": source_name(c["source"], lang),
            "staff": c["staff"],
            "without": c["without"],
            "without_ids": c["without_ids"],
            "more": c["without"] - len(c["without_ids"]),
            "months_missing": c["months_missing"],
        }
        for c in r["coverage"]
    ]
    return {
        "findings": findings,
        "staffing_tables": [
            (_("By position"), staffing["position"]),
            (_("By team"), staffing["team"]),
            (_("By tenure"), staffing["tenure"]),
        ],
        "kpis": kpis,
        "coverage": coverage,
        "months": r["months"],
        "percentile_names": [f"P{p}" for p in PERCENTILES],
        "as_of": r["as_of"],
        "headcount": r["headcount"],
    }


def report_sheets(report: BaselineReport, lang: str) -> list[tuple[str, list[str], list[Any]]]:
    """The report as workbook sheets, named as on the page."""
    names = Names(lang)
    return sheets(report.result, lang, name=names, number=names.number)
