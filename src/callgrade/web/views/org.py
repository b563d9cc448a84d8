"""HR: departments, teams, positions, employees and their import/export."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path

from callgrade.web.access import require_hr
from callgrade.web.models import Team


@login_required
def org(request: HttpRequest) -> HttpResponse:
    require_hr(request.user)
    return render(request, "callgrade/org.html", {"teams": Team.objects.select_related("lead")})


urlpatterns = [
    path("org/", org, name="org"),
]
