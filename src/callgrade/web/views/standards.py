"""The grading standard: HR manages versions; everyone reads the published one."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path

from callgrade.web.access import require_hr
from callgrade.web.models import PolicyVersion
from callgrade.web.services.standards import policy_current


@login_required
def standards(request: HttpRequest) -> HttpResponse:
    require_hr(request.user)
    return render(request, "callgrade/standards.html", {"versions": PolicyVersion.objects.all()})


@login_required
def standard(request: HttpRequest) -> HttpResponse:
    return render(request, "callgrade/standard.html", {"version": policy_current()})


urlpatterns = [
    path("standards/", standards, name="standards"),
    path("standard/", standard, name="standard"),
]
