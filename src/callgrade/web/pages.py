"""Home (sends each role where it works) and notifications."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_POST

from callgrade.people.access import employee_of, is_hr


@login_required
def home(request: HttpRequest) -> HttpResponse:
    if is_hr(request.user):
        return redirect("cycles")
    if employee_of(request.user) is not None:
        return redirect("me")
    return render(request, "callgrade/no_profile.html")


@login_required
def notifications(request: HttpRequest) -> HttpResponse:
    items = list(request.user.notifications.all()[:100])
    return render(request, "callgrade/notifications.html", {"items": items})


@login_required
@require_POST
def notifications_read(request: HttpRequest) -> HttpResponse:
    request.user.notifications.filter(read=False).update(read=True)
    return redirect("notifications")


urlpatterns = [
    path("notifications/", notifications, name="notifications"),
    path("notifications/read/", notifications_read, name="notifications_read"),
]
