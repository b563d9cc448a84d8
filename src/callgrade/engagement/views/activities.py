"""Team activities (团队活动): the calendar with sign-up and cancel, the organizer's form and
the record of who took part."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from callgrade.core.query import query_id
from callgrade.core.views import act
from callgrade.engagement.selectors import activity_rows, calendar, signups_of
from callgrade.engagement.services import EngagementError
from callgrade.engagement.services.activities import (
    activity_cancel,
    activity_create,
    activity_participation,
    activity_signup,
)
from callgrade.people.access import (
    access,
    allowed,
    is_hr,
    led_team_ids,
    require_employee,
    require_reviewer,
)
from callgrade.people.models import Team


def _organizes(user: Any) -> bool:
    return is_hr(user) or bool(led_team_ids(user))


@login_required
def activity_list(request: HttpRequest) -> HttpResponse:
    upcoming, past = calendar(request.user)
    return render(
        request,
        "engagement/activities.html",
        {"upcoming": upcoming, "past": past, "organizes": _organizes(request.user)},
    )


def _teams_for(user: Any) -> Any:
    teams = Team.objects.order_by("name")
    return teams if is_hr(user) else teams.filter(pk__in=led_team_ids(user))


def _when(day: str, time: str) -> dt.datetime:
    try:
        naive = dt.datetime.combine(dt.date.fromisoformat(day), dt.time.fromisoformat(time))
    except ValueError:
        raise EngagementError(_("Give the day and the time, e.g. 2026-05-20 and 18:30.")) from None
    return timezone.make_aware(naive)


def _capacity(text: str) -> int | None:
    text = text.strip()
    if not text:
        return None
    if not text.isdecimal() or len(text) > 6:
        raise EngagementError(_("The capacity is a whole number of people (or left blank)."))
    return int(text)


@login_required
def activity_new(request: HttpRequest) -> HttpResponse:
    require_reviewer(request.user)  # leads and HR organize
    teams = _teams_for(request.user)
    fields = ("title", "description", "team", "day", "start", "end", "place", "capacity")
    form = {k: request.POST.get(k, "") for k in fields}
    if request.method == "POST":
        try:
            team_id = query_id(form["team"])
            team = teams.filter(pk=team_id).first() if team_id is not None else None
            if form["team"] and team is None:
                raise EngagementError(_("Choose one of your teams."))
            a = activity_create(
                actor=request.user,
                title=form["title"],
                description=form["description"],
                team=team,
                starts_at=_when(form["day"], form["start"]),
                ends_at=_when(form["day"], form["end"]),
                place=form["place"],
                capacity=_capacity(form["capacity"]),
            )
        except EngagementError as e:
            messages.error(request, str(e))
        else:
            messages.success(request, _("The activity was published."))
            return redirect("activity", activity_id=a.pk)
    return render(
        request,
        "engagement/activity_new.html",
        {"form": form, "teams": teams, "center": is_hr(request.user)},
    )


@login_required
def activity_detail(request: HttpRequest, activity_id: int) -> HttpResponse:
    a = access(request.user, "activity", activity_id)
    row = activity_rows(request.user, type(a).objects.filter(pk=a.pk))[0]
    return render(
        request,
        "engagement/activity.html",
        {
            "row": row,
            "a": row.activity,
            "signups": signups_of(a),
            "manages": allowed(request.user, "activity", a, "manage"),
        },
    )


@login_required
@require_POST
def activity_signup_view(request: HttpRequest, activity_id: int) -> HttpResponse:
    require_employee(request.user)
    a = access(request.user, "activity", activity_id)
    return act(
        request,
        lambda: activity_signup(actor=request.user, activity=a),
        error=EngagementError,
        done=_("You are signed up."),
        then=redirect("activity", activity_id=a.pk),
    )


@login_required
@require_POST
def activity_cancel_view(request: HttpRequest, activity_id: int) -> HttpResponse:
    require_employee(request.user)
    a = access(request.user, "activity", activity_id)
    return act(
        request,
        lambda: activity_cancel(actor=request.user, activity=a),
        error=EngagementError,
        done=_("Your sign-up was cancelled."),
        then=redirect("activity", activity_id=a.pk),
    )


@login_required
@require_POST
def activity_participation_view(request: HttpRequest, activity_id: int) -> HttpResponse:
    a = access(request.user, "activity", activity_id, "manage")
    present = [i for i in (query_id(v) for v in request.POST.getlist("attended")) if i is not None]
    return act(
        request,
        lambda: activity_participation(actor=request.user, activity=a, attended=present),
        error=EngagementError,
        done=_("Participation was recorded."),
        then=redirect("activity", activity_id=a.pk),
    )


urlpatterns = [
    path("activities/", activity_list, name="activities"),
    path("activities/new/", activity_new, name="activity_new"),
    path("activities/<int:activity_id>/", activity_detail, name="activity"),
    path("activities/<int:activity_id>/signup/", activity_signup_view, name="activity_signup"),
    path("activities/<int:activity_id>/cancel/", activity_cancel_view, name="activity_cancel"),
    path(
        "activities/<int:activity_id>/participation/",
        activity_participation_view,
        name="activity_participation",
    ),
]
