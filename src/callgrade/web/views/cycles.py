"""HR: grading cycles — create, compute with progress, review, calibrate, approve, publish,
appeals, close and export."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path

from callgrade.web.access import require_hr
from callgrade.web.models import Cycle


@login_required
def cycles(request: HttpRequest) -> HttpResponse:
    require_hr(request.user)
    return render(request, "callgrade/cycles.html", {"cycles": Cycle.objects.all()})


urlpatterns = [
    path("cycles/", cycles, name="cycles"),
]
