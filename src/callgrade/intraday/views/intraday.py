"""The intraday page and its workbook: KPIs per interval for the reader's scope."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from callgrade.core import tabular
from callgrade.engine.kpis import REGISTRY
from callgrade.engine.kpis.intraday import INTRADAY_KPIS
from callgrade.engine.periods import SUBDAY_GRAINS
from callgrade.intraday.access import intraday_scope
from callgrade.intraday.selectors import (
    AGENTS_PER_PAGE,
    MAX_DAYS,
    agents_in_scope,
    choose,
    report,
    time_zone,
)
from callgrade.standards.text import kpi_label


def _level_names() -> dict[str, str]:
    return {
        "center": _("Whole center"),
        "queue": _("Queue"),
        "team": _("Team"),
        "agent": _("Agent"),
    }


def _grain_names() -> dict[str, str]:
    return {"15min": _("15 minutes"), "30min": _("30 minutes"), "60min": _("1 hour")}


@login_required
def intraday(request: HttpRequest) -> HttpResponse:
    scope = intraday_scope(request.user)
    tz = time_zone()
    choice = choose(request.GET, scope, tz)
    page = None
    agents = None
    if choice.by == "agent":
        page = Paginator(agents_in_scope(scope), AGENTS_PER_PAGE).get_page(request.GET.get("page"))
        agents = list(page.object_list)
    result = report(scope, choice, tz, page_agents=agents)
    lang = get_language() or "zh-hans"
    return render(
        request,
        "intraday/intraday.html",
        {
            "choice": choice,
            "report": result,
            "page": page,
            "query": urlencode(choice.query()),
            "levels": [(code, _level_names()[code]) for code in scope.levels],
            "grains": [(code, _grain_names()[code]) for code in SUBDAY_GRAINS],
            "chart_kpis": [(code, kpi_label(code, lang)) for code in INTRADAY_KPIS],
            "chart_kpi": kpi_label(choice.kpi, lang),
            "time_zone": tz,
            "max_days": MAX_DAYS,
        },
    )


@login_required
def intraday_xlsx(request: HttpRequest) -> HttpResponse:
    """Every row of the reader's choice (all agents of the scope, not one page), each KPI with
    its value, numerator, denominator and sample: the evidence behind every figure."""
    scope = intraday_scope(request.user)
    tz = time_zone()
    choice = choose(request.GET, scope, tz)
    result = report(scope, choice, tz, page_agents=None, with_chart=False)
    lang = get_language() or "zh-hans"
    header = [_("Interval start"), _("Interval end"), _level_names()[choice.by], _("Name")]
    for code in result.kpis:
        name = kpi_label(code, lang)
        header += [
            name,
            f"{name} · {_('Numerator')}",
            f"{name} · {_('Denominator')}",
            f"{name} · {_('Sample')}",
        ]
    rows = []
    for r in result.rows:
        line = [r["start"], r["end"], r["entity_id"], r["name"]]
        for c in r["cells"]:
            value = c.get("value")
            if value is not None and REGISTRY[c["code"]].unit == "ratio":
                value = round(value, 6)
            line += [value, c["numerator"], c["denominator"], c["sample"]]
        rows.append(line)
    body = tabular.workbook([(_("Intervals"), header, rows)])
    response = HttpResponse(body, content_type=tabular.XLSX)
    name = f"intraday-{choice.start:%Y%m%d-%H%M}-{choice.grain}-{choice.by}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


urlpatterns = [
    path("intraday/", intraday, name="intraday"),
    path("intraday.xlsx", intraday_xlsx, name="intraday_xlsx"),
]
