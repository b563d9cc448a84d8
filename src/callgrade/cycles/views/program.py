"""The program dashboard (监测评估): KPI trends with the standard's adoption marked, ratings and
levels over time, level flows, pay by kind, leavers and the expected effects, across the
computed cycles — HR for the whole center or any department, team or position, a team lead for
their own teams — and its workbook."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils.translation import get_language

from callgrade.core import tabular
from callgrade.cycles.selectors.program import program_dashboard, program_sheets


def _data(request: HttpRequest) -> dict[str, Any]:
    return program_dashboard(
        request.user,
        get_language() or "zh-hans",
        department=request.GET.get("department", ""),
        team=request.GET.get("team", ""),
        position=request.GET.get("position", ""),
    )


@login_required
def program(request: HttpRequest) -> HttpResponse:
    data = _data(request)
    return render(
        request,
        "cycles/program.html",
        {**data, "query": request.GET.urlencode()},
    )


@login_required
def program_xlsx(request: HttpRequest) -> HttpResponse:
    body = tabular.workbook(program_sheets(_data(request)))
    response = HttpResponse(body, content_type=tabular.XLSX)
    response["Content-Disposition"] = 'attachment; filename="program.xlsx"'
    return response


urlpatterns = [
    path("program/", program, name="program"),
    path("program/export.xlsx", program_xlsx, name="program_xlsx"),
]
