"""Team leads and HR: the team table, review of one employee (comments, nominations) and the
nominations list."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path

from callgrade.web.access import access, visible_employees


@login_required
def team(request: HttpRequest) -> HttpResponse:
    employees = visible_employees(request.user).select_related("team")
    return render(request, "callgrade/team.html", {"employees": employees})


@login_required
def review_employee(request: HttpRequest, cycle_id: int, employee_id: str) -> HttpResponse:
    cycle = access(request.user, "cycle", cycle_id)
    employee = access(request.user, "employee", employee_id, "review")
    return render(request, "callgrade/review.html", {"cycle": cycle, "employee": employee})


@login_required
def nominations(request: HttpRequest) -> HttpResponse:
    return render(request, "callgrade/nominations.html", {})


urlpatterns = [
    path("team/", team, name="team"),
    path("nominations/", nominations, name="nominations"),
    path(
        "cycles/<int:cycle_id>/review/<str:employee_id>/", review_employee, name="review_employee"
    ),
]
